"""Assemble the report: tables -> claims.json, figures (PNG + SVG), report.html, report.pdf."""
from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from importlib.resources import files
from pathlib import Path

import jinja2
import pandas as pd

from ..families import FAMILIES, table_paths
from ..report import TEMPLATES
from ..report.archs import arch_sort_key
from ..report.provenance import rule_wall_times, summarize_provenance
from ..report.references import CITATIONS, HE2016_RECIPE
from ..report.style import ARCH_LABELS, apply_style, close
from ..report.verdicts import CALIBRATION_FIELDS
from ..results.io import (
    read_if_present,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)

log = logging.getLogger("resbench.report")
FAMILY_TEMPLATES = files("resbench") / "families"  # each family's <name>/section.html.j2


def save_figure(fig, name: str, fig_dir: Path) -> str:
    """Write NAME.png and NAME.svg; return the PNG as a data URI for the self-contained HTML."""
    buffers = {}
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, bbox_inches="tight")
        buffers[fmt] = buf.getvalue()
        write_bytes_atomic(buffers[fmt], fig_dir / f"{name}.{fmt}")
    close(fig)
    return "data:image/png;base64," + base64.b64encode(buffers["png"]).decode()


def methods(config: dict, runs: pd.DataFrame, claims: list[dict] | None = None) -> list[str]:
    """Methods paragraphs generated from the config that produced the results."""
    d, m, t = config["dataset"], config["model"], config["train"]
    sizes = runs[["n_train", "n_val", "n_test"]].iloc[0].astype(int).to_dict() if len(runs) else {}
    size = f"{d['image_size']}×{d['image_size']}" if d["image_size"] else "native-size"
    data = (f"Dataset: {d['name']} ({sizes.get('n_train', '?')} training, {sizes.get('n_val', '?')} validation, "
            f"{sizes.get('n_test', '?')} test images; {size} inputs, per-channel mean/std from the training split). "
            + ("Augmentation: 4-pixel zero padding, random crop, random horizontal flip." if d["augment"]
               else "No augmentation."))
    model = (f"Models: CIFAR ResNets of He et al. (2016) with depth 6n+2 ({', '.join(map(str, m['depths']))}), "
             f"3 stages of basic blocks with 16/32/64 channels, global average pooling and a linear classifier; "
             f"shortcut option {m['shortcut']} ({'zero-padded identity' if m['shortcut'] == 'A' else 'projection'} "
             "where the shape changes). The plain twins have the same layers without shortcuts and the same "
             "parameter count. He initialization, BatchNorm after every convolution.")
    if t["schedule"] == "step":
        sched = f"divided by 10 at {', '.join(map(str, t['milestones']))} {t['milestone_unit']}s"
    elif t["schedule"] == "cosine":
        sched = "cosine decay to zero"
    else:
        sched = "constant"
    warm = ""
    if t["warmup_epochs"] > 0:
        who = f"nets of depth ≥ {t['warmup_min_depth']}" if t["warmup_min_depth"] else "every net"
        warm = (f" Warm-up for {who}: {t['warmup_epochs']:g} epoch(s), {t['warmup']} "
                f"{'from' if t['warmup'] == 'linear' else 'at'} lr {t['warmup_lr']:g}.")
    optim = (f"Training: SGD with momentum {t['momentum']:g}{' (Nesterov)' if t['nesterov'] else ''}, weight decay "
             f"{t['weight_decay']:g}, batch {t['batch_size']}, {t['epochs']} epochs, lr {t['lr']:g} with {sched}."
             f"{warm} Seeds: {', '.join(map(str, config['seeds']))}. Reported errors are at the final epoch; "
             "the validation split is only used to report the test error at the best validation epoch."
             + (f" {config['report']['recipe']}" if config["report"]["recipe"] else ""))
    verdicts = ("Verdicts: each claim states its direction and margin before the data are seen (e.g. plain "
                "training error rising by more than 2 points over the depth grid), and the margin is the tested "
                "hypothesis. \"A exceeds B by the margin\" is shown when a one-sided t-test over seeds (Welch, or "
                "paired where both arms come from the same models) rejects H0: effect ≤ margin at α = 0.05, i.e. "
                "the 90% interval lies above the margin; \"A does not change\" when the 90% interval lies inside "
                "±margin (two one-sided tests), never from a non-significant difference. A part is contradicted "
                "when the opposite one-sided test rejects (the interval excludes the claimed effect), at α shared "
                "over the claim's parts, so a true claim is refuted in at most 5% of runs. A claim is reproduced "
                "when every part is shown, not reproduced when a part is contradicted, and inconclusive otherwise "
                "— too wide an interval, too few seeds or untrained models — with the part named and the seeds "
                "that would give 80% power. Trends over depth use every depth of the grid, each with its own seed "
                "variance. Diverged runs count as chance error, not as missing. Each claim's rule is calibrated at "
                "this run's seeds and per-group spread (1,000 draws per scenario): the rate of 'reproduced' with "
                "each part in turn at the edge of its claim (effect = margin) and the others holding clearly — "
                "the largest rate is given, drawn from normals and by resampling this run's own per-seed values "
                "(centred, rescaled to their variance, with a small normal kernel), so skewed, floored and "
                "bimodal seeds are covered — and the power with twice the margin. Where a group's spread is the "
                "effect itself (a plain net that failed to train), the scenarios take the spread of a net that "
                "trains in its place (the ResNet at that depth; the residual sigmoid MLPs' change over the same "
                "depths), since a net at the edge of the claim is one that trains. Checks that hold by "
                "construction are reported apart from the tally.")
    calibrated = [c for c in claims or [] if c.get("power") is not None]
    if calibrated:
        verdicts += (" At this run, rate at the edge (simulated / resampled) and power: "
                     + "; ".join(f"{c['id'].replace('_', ' ')} {c['false_positive_rate']:.1%} / "
                                 f"{c['resampled_false_positive_rate']:.1%} / {c['power']:.0%}" for c in calibrated)
                     + ".")
        weak = [c for c in calibrated if c["power"] < 0.8]
        if weak:
            verdicts += (" Below 80% power at these seeds: " + ", ".join(
                f"{c['id'].replace('_', ' ')} (about {c['seeds_for_power']} seeds per group would reach it)"
                if c.get("seeds_for_power") else f"{c['id'].replace('_', ' ')} (not within 64 seeds)" for c in weak)
                + " — an 'inconclusive' there reports the design, not the paper, and the margin was not widened "
                  "to hide it.")
    return [data, model, optim, verdicts]


def limitations(config: dict) -> list[str]:
    """What this profile trades away relative to He et al. 2016's CIFAR-10 recipe."""
    d, t, out = config["dataset"], config["train"], []
    if d["name"] != HE2016_RECIPE["dataset"]:
        out.append(f"Dataset is {d['name']}, not CIFAR-10: absolute errors are not comparable to the published "
                   "numbers; the comparison is the trend with depth.")
    if t["epochs"] < HE2016_RECIPE["epochs"]:
        out.append(f"{t['epochs']} epochs instead of ≈{HE2016_RECIPE['epochs']} (64k iterations).")
    if d["augment"] != HE2016_RECIPE["augment"]:
        out.append("No data augmentation (the paper pads, crops and flips).")
    if t["schedule"] != HE2016_RECIPE["schedule"]:
        out.append(f"{t['schedule']} learning-rate schedule instead of the paper's step schedule.")
    if len(config["seeds"]) < HE2016_RECIPE["seeds"]:
        out.append(f"{len(config['seeds'])} seeds instead of 5: spreads are rough.")
    if d["limit_train"]:
        out.append(f"Training set limited to {d['limit_train']} images.")
    if d["name"] != "digits" and not d.get("verify", True):
        out.append(f"The {d['name']} files were not checked against torchvision's md5 sums (dataset.verify: false): "
                   "they may be a re-packed or partial copy, not the official set.")
    for family in FAMILIES:
        out += family.report().limitations(config)
    if not out:
        out.append("The profile follows the published recipe; remaining differences are hardware and software "
                   "versions (see Provenance).")
    return out


def read_optional(path: Path) -> pd.DataFrame | dict | None:
    """A family's aggregated table (CSV) or record (JSON), or None where the profile did not make it
    (an empty table counts as not made)."""
    value = read_if_present(path)
    return None if isinstance(value, pd.DataFrame) and not len(value) else value


def read_tables(results: Path) -> dict:
    """Every family's declared tables under `results` (None where absent); the depth grid's runs,
    epochs and provenance are required."""
    paths = table_paths()
    tables = {key: read_optional(results / rel) for key, rel in paths.items()}
    missing = [rel for key, rel in paths.items()
               if key in ("runs", "epochs", "provenance") and tables[key] is None]
    if missing:
        raise FileNotFoundError(f"{results} lacks {', '.join(missing)}: run the depth grid first "
                                "(snakemake --cores all)")
    return tables


def throughput_table(runs: pd.DataFrame, epochs: pd.DataFrame) -> list[dict]:
    """Training images/s (mean over epochs and seeds) and peak GPU memory per arch x depth."""
    speed = epochs.groupby(["arch", "depth"])["images_per_second"].mean().rename("images_per_second")
    peak = runs.groupby(["arch", "depth"])["peak_memory_mb"].max().rename("peak_memory_mb")
    device = runs.groupby(["arch", "depth"])["device"].first()
    table = pd.concat([speed, peak, device], axis=1).reset_index().sort_values(["arch", "depth"], key=arch_sort_key)
    return table.to_dict(orient="records")


def render_html(context: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES), str(FAMILY_TEMPLATES)]),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda x, digits=1: "—" if x is None or x != x else f"{100 * x:.{digits}f}"
    env.filters["arch_label"] = lambda arch: ARCH_LABELS.get(arch, arch)
    context["css"] = (TEMPLATES / "report.css").read_text()
    return env.get_template("report.html.j2").render(**context)


STANDARD_PROFILE = "config/standard.yaml"


def not_run(family, claim_id: str, kind: str, text: str, config: dict) -> dict:
    """A declared claim this profile's data cannot decide because it did not run its experiment;
    `run_in` names the profile that runs it (None in the standard profile itself)."""
    run_in = None if config["profile"] == "standard" else STANDARD_PROFILE
    where = (f" The standard profile runs it (snakemake --cores all --configfile {run_in}); its run time and power "
             "are in the README." if run_in else "")
    return {"id": claim_id, "section": family.name, "kind": kind, "claim": text, "verdict": "not_run",
            "run_in": run_in, "key_number": "—", "evidence": {},
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
        claims += [made.get(claim_id) or not_run(family, claim_id, kind, text, config)
                   for claim_id, kind, text in family.claims]
    for c in claims:
        c.setdefault("kind", "claim")
        c.setdefault("margin", None)
        for key in CALIBRATION_FIELDS:
            c.setdefault(key, None)
    return claims


TITLES = {"reproduced": "Deep plain networks degrade; residual networks do not",
          "not_reproduced": "Deep plain networks degrade, residual networks do not: not reproduced here",
          "inconclusive": "Do deep plain networks degrade while residual networks do not? Undecided at this run's seeds"}


def report_title(config: dict, claim: dict) -> str:
    """The configured title, or one that says no more than the degradation claim's verdict."""
    if config["report"]["title"]:
        return config["report"]["title"]
    if "degradation" not in claim:
        return "Plain and residual networks of growing depth"
    return TITLES[claim["degradation"]["verdict"]]


def build_report(config: dict, results: Path, out: Path, pdf: bool = True) -> dict:
    """Read every family's tables under results/<profile>/, write claims.json, figures, report.html
    and report.pdf. Each family contributes its claims and, where it ran, its section."""
    tables = read_tables(results)
    runs, epochs = tables["runs"], tables["epochs"]
    claims = all_claims(tables, config)
    claim = {c["id"]: c for c in claims}
    write_json_atomic({"profile": config["profile"], "claims": claims}, out / "claims.json")

    apply_style()
    fig_dir = out / "figures"
    figs: dict[str, str] = {}

    def save(fig, name: str) -> None:
        figs[name] = save_figure(fig, name, fig_dir)

    context = {"config": config, "claims": claims, "claim": claim, "figures": figs, "sections": [],
               "title": report_title(config, claim)}
    for family in FAMILIES:
        section = family.report().section(tables, claim, config, save)
        context[family.name] = section
        if section is not None:
            context["sections"].append({"name": family.name, "title": family.title, "template": family.template})
    cited = [key for family in FAMILIES if context[family.name] is not None for key in family.citations]
    context.update({
        "citations": [CITATIONS[k] for k in dict.fromkeys(cited)],
        "methods": methods(config, runs, claims), "limitations": limitations(config),
        "provenance": summarize_provenance(runs, tables["provenance"]),
        "rule_times": rule_wall_times(results / "benchmarks").to_dict(orient="records"),
        "throughput": throughput_table(runs, epochs),
        "n_runs": len(runs), "n_seeds": runs["seed"].nunique(),
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    })
    html = render_html(context)
    write_text_atomic(html, out / "report.html")
    if pdf:
        from weasyprint import HTML

        write_bytes_atomic(HTML(string=html, base_url=str(out)).write_pdf(), out / "report.pdf")
    log.info("report: %s (%s)", out / "report.html", ", ".join(f"{c['id']}={c['verdict']}" for c in claims))
    return context
