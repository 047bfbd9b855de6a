"""Assemble the report: tables -> claims.json, figures (PNG + SVG), report.html, report.pdf."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import jinja2
import pandas as pd

from ..families import FAMILIES, bibliography, table_paths
from ..report import TEMPLATES
from ..report.provenance import rule_wall_times, summarize_provenance
from ..report.regime import not_measured, regime_label
from ..report.style import ARCH_LABELS
from ..report.verdicts import CALIBRATION_FIELDS, RULE_CHANGES, cap_words, method_paragraph, stop_reason, withheld
from ..results.io import (
    read_if_present,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)
from .figures import FigureJobs

log = logging.getLogger("resbench.report")
FAMILY_TEMPLATES = files("resbench") / "families"  # each family's <name>/section.html.j2


def limitations(config: dict, claims: list[dict] | None = None) -> list[str]:
    """What this profile trades away: each family's own list, the dataset's, and every claim this run
    could not test in its paper's regime (with what was measured and what would reach it)."""
    d, out = config["dataset"], []
    for family in FAMILIES:
        out += family.report().limitations(config)
    for c in claims or []:
        reg = c.get("regime") or {}
        if reg.get("met") is False:
            out.append(f"{c['id'].replace('_', ' ').capitalize()}: outside its paper's regime here ({reg['criterion']}; "
                       f"measured: {reg['measured']})." + (f" What would reach it: {reg['reach']}." if reg["reach"] else ""))
    if d["limit_train"]:
        out.append(f"Training set limited to {d['limit_train']} images.")
    if d["name"] != "digits" and not d.get("verify", True):
        out.append(f"The {d['name']} files were not checked against torchvision's md5 sums (dataset.verify: false): "
                   "they may be a re-packed or partial copy, not the official set.")
    if not out:
        out.append("The profile follows the published recipe; remaining differences are hardware and software "
                   "versions (see Provenance).")
    return out


def methods(config: dict, tables: dict, claims: list[dict]) -> list[str]:
    """Methods: each family's paragraphs (the grid's data, nets and recipe first), then how verdicts are decided."""
    out = []
    for family in FAMILIES:
        report = family.report()
        if hasattr(report, "methods") and all(tables.get(k) is not None for k in family.required):
            out += report.methods(config, tables)
    changes = [*RULE_CHANGES, *(change for family in FAMILIES for change in family.changes_after_data())]
    disclosed = ("Rules changed after data were seen (each listed with what it moved; every other margin and rule "
                 "was fixed before its claim's first run): " + " ".join(f"({i}) {c}" for i, c in
                                                                       enumerate(changes, 1))) if changes else None
    regimes = ("Regimes: each claim is tested only in the regime in which its paper made it (the criterion is "
               "in the claims table and in each claim's evidence, measured on this run: nets that train, shallow "
               "nets on their plateau, a baseline that leaves room for the published relative gain, a grid fine "
               "enough to show the structure the paper shows). A claim outside its regime is inconclusive, with "
               "its estimate and what would reach the regime; it is never counted as reproduced or refuted. "
               "A net trains when its error ends below 20% (He et al. 2016b's line for a failed run).")
    return out + [method_paragraph(claims), regimes] + ([disclosed] if disclosed else [])


def read_optional(path: Path) -> pd.DataFrame | dict | None:
    """A family's aggregated table (CSV) or record (JSON), or None where the profile did not make it
    (an empty table counts as not made)."""
    value = read_if_present(path)
    return None if isinstance(value, pd.DataFrame) and not len(value) else value


class Tables(Mapping):
    """Every family's declared tables under a results folder, each read (and verified) when first asked
    for: redrawing one family's figures reads only the tables it draws from. None where absent."""

    def __init__(self, results: Path):
        self.results, self.paths, self.read = results, table_paths(), {}

    def __getitem__(self, key: str):
        if key not in self.read:
            self.read[key] = read_optional(self.results / self.paths[key])
        return self.read[key]

    def __iter__(self):
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def read_tables(results: Path) -> Tables:
    """Every family's declared tables under `results` (read as they are used); those a family declares
    required (the depth grid's runs) must be there."""
    tables = Tables(results)
    missing = [tables.paths[key] for key in required_tables() if tables[key] is None]
    if missing:
        raise FileNotFoundError(f"{results} lacks {', '.join(missing)}: run the workflow first "
                                "(snakemake --cores all)")
    return tables


def trained_runs(tables: dict) -> tuple[pd.DataFrame, dict]:
    """Every run the families trained (their `trained` declarations) and each one's provenance."""
    pairs = [(tables.get(r), tables.get(p)) for family in FAMILIES for r, p in family.trained]
    pairs = [(r, p or {}) for r, p in pairs if r is not None and len(r)]
    return pd.concat([r for r, _ in pairs], ignore_index=True), {k: v for _, p in pairs for k, v in p.items()}


def required_tables() -> list[str]:
    return [key for family in FAMILIES for key in family.required]


def render_html(context: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES), str(FAMILY_TEMPLATES)]),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda x, digits=1: "—" if x is None or x != x else f"{100 * x:.{digits}f}"
    env.filters["arch_label"] = lambda arch: ARCH_LABELS.get(arch, arch)
    env.filters["regime_label"] = regime_label
    context["css"] = (TEMPLATES / "report.css").read_text()
    return env.get_template("report.html.j2").render(**context)


DEFAULT_TITLE = "Plain and residual networks of growing depth"
STANDARD_PROFILE = "config/standard.yaml"


def decided_in(config: dict) -> str | None:
    """The profile that decides what this one does not run or runs only as an estimate (None in the
    standard profile itself)."""
    return None if config["profile"] == "standard" else STANDARD_PROFILE


def not_run(family, claim_id: str, kind: str, text: str, config: dict) -> dict:
    """A declared claim this profile's data cannot decide because it did not run its experiment;
    `run_in` names the profile that decides it (`decided_in`)."""
    run_in = decided_in(config)
    where = (f" It is decided by the standard profile (snakemake --cores all --configfile {run_in}); its run time "
             "and power are in docs/profiles.md." if run_in else "")
    criterion = family.regime_criteria().get(claim_id, "not stated")
    return {"id": claim_id, "section": family.name, "kind": kind, "claim": text, "verdict": "not_run",
            "run_in": run_in, "key_number": "—", "evidence": {},
            "regime": not_measured(criterion, f"not run by the {config['profile']} profile"),
            "sentence": f"Not run by the {config['profile']} profile, so not decided here.{where}"}


def all_claims(tables: dict, config: dict) -> list[dict]:
    """Every claim the families declare, in family order, in one shape for claims.json: decided from
    the tables where the profile ran its experiment, else listed as not run (claims not yet
    calibrated say so with None)."""
    claims = []
    for family in FAMILIES:
        made = {c["id"]: c for c in family.report().claims(tables, config)}
        undeclared = set(made) - {claim_id for claim_id, _, _ in family.claims}
        if undeclared:
            raise ValueError(f"family {family.name} decides claims it does not declare: {sorted(undeclared)}")
        unplaced = sorted(k for k, c in made.items() if "regime" not in c)
        if unplaced:
            raise ValueError(f"family {family.name} decides claims without a regime: {unplaced}")
        made = {k: withheld(c, decided_in(config)) if k in config["report"]["estimate_only"] else c
                for k, c in made.items()}
        claims += [made.get(claim_id) or not_run(family, claim_id, kind, text, config)
                   for claim_id, kind, text in family.claims]
    for c in claims:
        c.setdefault("kind", "claim")
        c.setdefault("margin", None)
        for key in CALIBRATION_FIELDS:
            c.setdefault(key, None)
        if c.get("sequential"):  # the verdict as it finally reads (a regime or an estimate may have withheld it)
            c["sequential"]["stop"] = stop_reason(c, c["sequential"]["rounds"], c["sequential"]["cap_rounds"])
            c["sentence"] += cap_words(c)
    return claims


def decide_claims(config: dict, results: Path, out: Path, tables: dict | None = None) -> list[dict]:
    """Every claim decided and calibrated from the tables under `results` (or `tables`, read from it
    already), written to `out` (claims.json)."""
    claims = all_claims(read_tables(results) if tables is None else tables, config)
    write_json_atomic({"profile": config["profile"], "claims": claims}, out)
    return claims


def stored_claims(path: Path) -> list[dict]:
    """The claims a `decide_claims` run wrote (a damaged file is set aside and named)."""
    record = read_if_present(path)
    if not isinstance(record, dict) or "claims" not in record:
        raise FileNotFoundError(f"{path} is missing or damaged: run `resbench claims` (or the workflow) to decide the "
                                "claims first")
    if any(key not in c for c in record["claims"] for key in CALIBRATION_FIELDS):
        raise ValueError(f"{path} was written by an older resbench (its claims lack fields this one reads): run "
                         "`resbench claims` (or the workflow) again")
    return record["claims"]


def draw_figures(config: dict, results: Path, out: Path, family: str | None = None,
                 claims: Path | None = None, workers: int = 1) -> list[str]:
    """Redraw the figures (every family's, or `family`'s) from the tables and the stored claims, each
    family's under out/figures/<family>/ (an empty folder where the family drew none), in up to
    `workers` processes."""
    tables, decided = read_tables(results), stored_claims(claims or out / "claims.json")
    claim = {c["id"]: c for c in decided}
    jobs = FigureJobs(workers)
    for f in FAMILIES:
        if family in (None, f.name):
            fig_dir = out / "figures" / f.name
            fig_dir.mkdir(parents=True, exist_ok=True)
            f.report().section(tables, claim, config, jobs.saver(fig_dir)[0])
    return jobs.run()


def build_report(config: dict, results: Path, out: Path, pdf: bool = True, claims: Path | None = None,
                 drawn: bool = False, workers: int = 1) -> dict:
    """Read every family's tables under results/<profile>/ and the claims (`claims`, a claims.json
    `decide_claims` wrote, or decided here into out/claims.json); write report.html and report.pdf, with
    the figures drawn into out/figures/<family>/ (or, with `drawn`, read from there: `draw_figures`
    made them for these tables). Each family contributes its claims and, where it ran, its section."""
    tables = read_tables(results)
    claims = stored_claims(claims) if claims else decide_claims(config, results, out / "claims.json", tables)
    claim = {c["id"]: c for c in claims}
    context = {"config": config, "claims": claims, "claim": claim, "figures": {}, "sections": []}
    for family in FAMILIES:  # the front matter a family gives (the grid's: title, runs, provenance, throughput)
        report = family.report()
        if hasattr(report, "overview"):
            context.update(report.overview(tables, config, claim))
    context["provenance"] = summarize_provenance(*trained_runs(tables))
    context["title"] = config["report"]["title"] or context.get("title") or DEFAULT_TITLE
    jobs, figs = FigureJobs(workers), []
    for family in FAMILIES:
        save, drawn_figs = jobs.saver(out / "figures" / family.name, drawn)
        figs.append(drawn_figs)
        section = family.report().section(tables, claim, config, save)
        context[family.name] = section
        if section is not None:
            context["sections"].append({"name": family.name, "title": family.title, "template": family.template})
    jobs.run()
    for drawn_figs in figs:
        context["figures"].update(drawn_figs)
    cited, references = [key for f in FAMILIES if context[f.name] is not None for key in f.citations], bibliography()
    context.update({
        "citations": [references[k] for k in dict.fromkeys(cited)],
        "methods": methods(config, tables, claims), "limitations": limitations(config, claims),
        "rule_times": rule_wall_times(results / "benchmarks").to_dict(orient="records"),
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    })
    html = render_html(context)
    write_text_atomic(html, out / "report.html")
    if pdf:
        from weasyprint import HTML

        write_bytes_atomic(HTML(string=html, base_url=str(out)).write_pdf(), out / "report.pdf")
    log.info("report: %s (%s)", out / "report.html", ", ".join(f"{c['id']}={c['verdict']}" for c in claims))
    return context
