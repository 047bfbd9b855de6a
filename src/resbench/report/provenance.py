"""Provenance and cost for the report: commits, versions, hardware, wall time per rule."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..results.tables import benchmark_seconds


def rule_wall_times(benchmark_dir: Path) -> pd.DataFrame:
    """Wall seconds summed per rule: jobs, total and max seconds."""
    frame = benchmark_seconds(benchmark_dir)
    if frame.empty:
        return pd.DataFrame(columns=["rule", "jobs", "total_s", "max_s"])
    return frame.groupby("rule")["seconds"].agg(jobs="count", total_s="sum", max_s="max").reset_index()


def summarize_provenance(runs: pd.DataFrame, per_run: dict) -> dict:
    """One view of where the runs came from; lists every distinct value where runs disagree."""
    first = next(iter(per_run.values()), {})
    distinct = lambda key: sorted({str(p.get(key)) for p in per_run.values()})  # noqa: E731
    return {
        "git_commits": sorted(runs["git_commit"].astype(str).unique()),
        "git_dirty": bool(runs["git_dirty"].fillna(False).astype(bool).any()),
        "config_hashes": sorted(runs["config_hash"].astype(str).unique()),
        "versions": first.get("versions", {}),
        # results made before a field existed still render (cached results are regenerated, not retrained)
        "hardware": {"cpu": "unknown", "cpu_count": None, "cpu_features": [], "gpu": None, "platform": "unknown",
                     **first.get("hardware", {})},
        "devices": distinct("device"),
        "precision": distinct("amp"),  # autocast dtype of training ("off" = fp32)
        "eval_batch_sizes": [v for v in distinct("eval_batch_size") if v != "None"],
        "train_wall_seconds": float(runs["wall_seconds"].sum()),
    }
