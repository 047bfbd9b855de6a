"""Archiving and comparing result sets with what every family declares: the tables to archive and
read back, and the metrics `resbench compare` tests."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..families import FAMILIES, Metric, table_paths
from ..results import archive, compare


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
    frames = [frame for f in FAMILIES for frame in f.report().metric_samples(rs.tables)]
    if "rule_times" in rs.tables:
        t = rs.tables["rule_times"]
        frames.append(pd.DataFrame({"metric": "rule_seconds", "key": t["rule"], "value": t["seconds"]}))
    return pd.concat(frames, ignore_index=True)


def compare_metrics(base: compare.ResultSet, head: compare.ResultSet, threshold: float, alpha: float) -> pd.DataFrame:
    return compare.compare_samples(metric_samples(base), metric_samples(head), metrics(), threshold, alpha)
