"""Archiving and comparing result sets with what every family declares: the tables to archive and
read back, and the metrics `resbench compare` tests."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd

from ..errors import ResbenchError
from ..families import FAMILIES, Metric, table_paths
from ..report.compare_render import display_rows
from ..results import archive, compare

log = logging.getLogger("resbench")


def archived_paths() -> tuple[str, ...]:
    """The small summary tables every family declares archived (never checkpoints), under results/<profile>/."""
    return tuple(f.tables[key] for f in FAMILIES for key in f.archived)


def write_archive(results: Path, claims: Path, config: dict, key: str, root: Path = archive.DEFAULT_ROOT) -> Path:
    return archive.write_archive(results, claims, config, key, archived_paths(), root)


def metrics() -> dict[str, Metric]:
    """metric name -> Metric (what it measures, which direction is worse, whether it gates the exit
    status): every family's declared metrics and the shared wall time per job of each rule."""
    out = {m.name: m for f in FAMILIES for m in f.metrics}
    out["rule_seconds"] = Metric("rule_seconds", "wall time per job of the rule (s)", +1, percent=False,
                                 relative=True)
    return out


def load_result_set(folder: Path, label: str) -> compare.ResultSet:
    return compare.load_result_set(folder, label, table_paths())


def metric_samples(rs: compare.ResultSet) -> pd.DataFrame:
    """Long table: metric, key (what it is measured on), value; one row per seed (or job), from every
    family's metric_samples and the shared rule times."""
    frames = []
    for family in FAMILIES:
        try:
            frames += family.report().metric_samples(rs.tables)
        except KeyError as exc:  # a partial result set: one FileNotFoundError naming the table (compare: exit 2)
            raise FileNotFoundError(f"{rs.label} lacks {table_paths().get(exc.args[0], exc.args[0])}, which "
                                    f"comparing the {family.name} family needs: a damaged or partial result set "
                                    "(resbench verify, then snakemake, makes it again)") from None
    if "rule_times" in rs.tables:
        t = rs.tables["rule_times"]
        frames.append(pd.DataFrame({"metric": "rule_seconds", "key": t["rule"], "value": t["seconds"]}))
    return pd.concat(frames, ignore_index=True)


def compare_metrics(base: compare.ResultSet, head: compare.ResultSet, threshold: float, alpha: float) -> pd.DataFrame:
    return compare.compare_samples(metric_samples(base), metric_samples(head), metrics(), threshold, alpha)


def load_pair(base: str, head: str, root: Path) -> tuple[compare.ResultSet, compare.ResultSet]:
    """The two result sets `resbench compare` names (archive keys, revisions, folders or bundles); for a
    revision run with several configs, the base archive made with the head's config."""
    head_set = load_result_set(archive.resolve(head, root), head)
    prefer = archive.results_hash(head_set.config) if head_set.config else None
    return load_result_set(archive.resolve(base, root, prefer_hash=prefer), base), head_set


def compare_summary(base: compare.ResultSet, head: compare.ResultSet, threshold: float, alpha: float,
                    refuse_mismatch: bool = False) -> dict:
    """What compare.md and compare.html show: the headline, changed verdicts, every metric's row, and
    `gates` (a significant error regression, or a claim lost under the same config)."""
    diff = compare.config_differences(base.config, head.config)
    if diff:
        keys = ", ".join(d["key"] for d in diff)
        if refuse_mismatch:
            raise ResbenchError(f"the two result sets were made with different configs ({keys}); pass "
                                f"--config-mismatch warn to compare them anyway")
        log.warning("the configs differ in: %s", keys)
    environment = compare.environment_differences(base.manifest, head.manifest)
    if environment:
        log.warning("the runs were made on different machines or packages (%s): numbers can move with no "
                    "code change", ", ".join(d["key"] for d in environment))
    table = compare_metrics(base, head, threshold, alpha)
    gating = table[table["gates"] & (table["status"] == "regression")]
    verdicts = compare.verdict_changes(base, head)
    n_changed = sum(not v["unchanged"] for v in verdicts)
    lost = [v["id"] for v in verdicts if v["lost"]]
    # A claim lost under the same config is a regression of the code; under another config it may
    # be the config's doing, so it is reported, not gated.
    lost_gates = bool(lost) and not diff
    headline = (f"{len(gating)} significant error regression(s), {len(lost)} claim(s) no longer reproduced, "
                f"{n_changed} changed verdict(s)" if len(gating) or n_changed
                else "No significant error regression and no changed verdict")
    if lost and diff:
        headline += " (the configs differ, so lost claims do not set the exit status)"
    if environment and (len(gating) or n_changed):
        headline += "; the two runs were made on different machines or packages (listed below)"
    return {"base": base.label, "head": head.label, "threshold": threshold, "alpha": alpha,
            "headline": headline, "config_diff": diff,
            "environment_diff": environment, "verdicts": verdicts, "rows": display_rows(table, metrics()),
            "n_regressions": len(gating) + (len(lost) if lost_gates else 0), "gates": bool(len(gating) or lost_gates),
            "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
