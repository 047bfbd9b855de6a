"""Compare two result sets (archived runs of two commits, result directories or exported bundles):
per metric the two means and spreads over seeds, the delta and Welch's t-test; changed verdicts and
significant regressions first. Which tables and metrics there are is the families' to say: the hub
(resbench.hub.results) passes them in."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import stats
from .io import read_if_present, read_json
from .tables import benchmark_seconds


@dataclass
class ResultSet:
    """The small tables of one completed run of the suite."""
    label: str
    manifest: dict = field(default_factory=dict)
    config: dict | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    claims: list[dict] = field(default_factory=list)


def load_result_set(folder: Path, label: str, table_paths: dict[str, str]) -> ResultSet:
    """An archive folder (manifest.json + tables) or a results/<profile>/ folder; `table_paths` (key ->
    path under it) names the tables to read (the hub passes every family's); a folder with none of
    them is neither."""
    folder = Path(folder)
    manifest = read_json(folder / "manifest.json", set_aside_bad=False) if (folder / "manifest.json").exists() else {}
    config = read_json(folder / "config.json", set_aside_bad=False) if (folder / "config.json").exists() else None
    names = {**table_paths, "rule_times": "rule_times.csv"}
    found = {k: read_if_present(folder / v, set_aside_bad=False) for k, v in names.items()}
    tables = {k: t for k, t in found.items() if t is not None}
    if "rule_times" not in tables and (folder / "benchmarks").is_dir():
        tables["rule_times"] = benchmark_seconds(folder / "benchmarks")
    claims_path = folder / "claims.json"
    if not claims_path.exists() and folder.parent.name == "results":  # results/<p> -> reports/<p>/claims.json
        claims_path = folder.parents[1] / "reports" / folder.name / "claims.json"
    claims = read_json(claims_path, set_aside_bad=False)["claims"] if claims_path.exists() else []
    if not set(tables) & set(table_paths):
        raise FileNotFoundError(f"{folder} holds none of the suite's tables ({', '.join(sorted(table_paths.values())[:3])}, "
                                "...): not an archive or a results folder")
    return ResultSet(label, manifest, config, tables, claims)


def compare_samples(a: pd.DataFrame, b: pd.DataFrame, known: dict, threshold: float, alpha: float) -> pd.DataFrame:
    """One row per (metric, key) present in both long tables of samples (metric, key, value): n, mean,
    std, delta, p, and the status 'regression' / 'improvement' (significant and beyond the threshold),
    'changed' (beyond the threshold, untestable with one sample) or 'same'. `known`: metric name ->
    its declaration (direction, gating, scale)."""
    rows = []
    for (metric, key), ga in a.groupby(["metric", "key"], sort=False):
        gb = b[(b["metric"] == metric) & (b["key"] == key)]
        if gb.empty:
            continue
        va, vb = ga["value"].to_numpy(float), gb["value"].to_numpy(float)
        delta = float(np.nanmean(vb) - np.nanmean(va)) if np.isfinite(vb).any() and np.isfinite(va).any() else math.nan
        p = stats.welch_p(va, vb)
        sign = known[metric].sign
        scale = abs(np.nanmean(va)) * 0.1 if known[metric].relative else threshold
        nan_change = np.isfinite(va).all() != np.isfinite(vb).all()  # a run diverged on one side only
        if nan_change:
            status = "regression" if not np.isfinite(vb).all() else "improvement"
        elif not math.isnan(delta) and abs(delta) > scale and (p < alpha if not math.isnan(p) else False):
            status = "regression" if sign * delta > 0 else "improvement"
        elif not math.isnan(delta) and abs(delta) > scale and math.isnan(p):
            status = "changed"
        else:
            status = "same"
        rows.append({"metric": metric, "key": key, "gates": known[metric].gates,
                     "n_base": int(np.isfinite(va).sum()), "base_mean": float(np.nanmean(va)) if np.isfinite(va).any() else math.nan,
                     "base_std": float(np.nanstd(va, ddof=1)) if np.isfinite(va).sum() > 1 else math.nan,
                     "n_head": int(np.isfinite(vb).sum()), "head_mean": float(np.nanmean(vb)) if np.isfinite(vb).any() else math.nan,
                     "head_std": float(np.nanstd(vb, ddof=1)) if np.isfinite(vb).sum() > 1 else math.nan,
                     "delta": delta, "p_value": p, "status": status})
    table = pd.DataFrame(rows)
    order = {"regression": 0, "improvement": 1, "changed": 2, "same": 3}
    return table.sort_values(["status", "gates", "metric", "key"], key=lambda c: c.map(order) if c.name == "status"
                             else (~c if c.name == "gates" else c)).reset_index(drop=True)


def verdict_changes(base: ResultSet, head: ResultSet) -> list[dict]:
    """One row per claim: both verdicts, key numbers and sentences; `lost` marks a claim reproduced
    in base and not in head, the regression a code change most needs to catch."""
    a = {c["id"]: c for c in base.claims}
    b = {c["id"]: c for c in head.claims}
    rows = []
    for k in sorted(set(a) | set(b)):
        va, vb = a.get(k, {}).get("verdict", "absent"), b.get(k, {}).get("verdict", "absent")
        rows.append({"id": k, "base": va, "head": vb, "unchanged": va == vb,
                     "lost": va == "reproduced" and vb != "reproduced",
                     "base_key": a.get(k, {}).get("key_number", ""), "head_key": b.get(k, {}).get("key_number", ""),
                     "base_sentence": a.get(k, {}).get("sentence", ""), "head_sentence": b.get(k, {}).get("sentence", "")})
    return rows


def _flat(d: dict, prefix: str = "") -> dict:
    """A nested mapping as dotted keys."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _differences(base: dict, head: dict, keys=None) -> list[dict]:
    fa, fb = _flat(base), _flat(head)
    wanted = sorted(set(fa) | set(fb)) if keys is None else [k for k in keys if k in fa or k in fb]
    return [{"key": k, "base": fa.get(k, "(absent)"), "head": fb.get(k, "(absent)")}
            for k in wanted if fa.get(k, "(absent)") != fb.get(k, "(absent)")]


def config_differences(base: dict | None, head: dict | None) -> list[dict]:
    """Dotted keys whose values differ between two configs (empty when either is unknown)."""
    if base is None or head is None:
        return []
    return _differences(base, head)


# What a run's numbers depend on besides the code and the config: floating-point kernels differ between
# CPU vector units (AVX2 / AVX-512), GPUs and numeric libraries, so the same seeds train different nets.
ENVIRONMENT_KEYS = ("hardware.cpu", "hardware.cpu_features", "hardware.gpu", "hardware.cuda",
                    "versions.python", "versions.torch", "versions.torchvision", "versions.timm",
                    "versions.numpy", "versions.scikit-learn")


def environment_differences(base_manifest: dict, head_manifest: dict) -> list[dict]:
    """The machine and numeric packages two runs were made on, where they differ (empty when either run
    has no manifest): a metric or a verdict near its margin can move between them with no code change."""
    if not base_manifest or not head_manifest:
        return []
    return _differences(base_manifest, head_manifest, ENVIRONMENT_KEYS)
