"""The depth family's claim (degradation, He et al. 2016 Fig. 1/6) and the per-(arch, depth) table it reads."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ... import calibration, stats
from ...report.archs import arch_sort_key
from ...report.verdicts import (CHANCE_ERROR, HEADS, MIN_SPREAD, fmt_points, inconclusive, parts_evidence,
                               parts_sentence, with_calibration)


def depth_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, std and counts of final errors per (arch, depth) over seeds; diverged runs are counted,
    not averaged (their errors are NaN)."""
    grouped = runs.groupby(["arch", "depth"])
    table = grouped.agg(
        n_runs=("run_id", "count"),
        n_diverged=("status", lambda s: int((s == "diverged").sum())),
        params=("params", "first"),
        train_error_mean=("final_train_error", "mean"),
        train_error_std=("final_train_error", "std"),
        test_error_mean=("final_test_error", "mean"),
        test_error_std=("final_test_error", "std"),
        test_error_at_best_val_mean=("test_error_at_best_val", "mean"),
    ).reset_index()
    table = table.sort_values(["arch", "depth"], key=arch_sort_key)
    table["n_finite"] = table["n_runs"] - table["n_diverged"]
    return table.fillna({"train_error_std": 0.0, "test_error_std": 0.0})


# Claim 1's margins, fixed from the paper before looking at our data: He et al. 2016 (Fig. 6) show
# plain-56 several points of training error above plain-20 on CIFAR-10; a rise of 2 points from the
# shallowest to the deepest net is the smallest a reader would call degradation, and a ResNet whose
# error stays within ±2 points over the grid is "not degrading".
DEGRADATION_MARGIN = 0.02


def _train_errors(runs: pd.DataFrame, arch: str) -> tuple[np.ndarray, np.ndarray]:
    rows = runs[runs["arch"] == arch]
    return rows["depth"].to_numpy(float), stats.count_diverged(rows["final_train_error"], CHANCE_ERROR)


def degradation_groups(runs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-seed training errors by 'arch@depth' (plain and resnet)."""
    out = {}
    for arch in ("plain", "resnet"):
        depths, errors = _train_errors(runs, arch)
        out.update({f"{arch}@{d:g}": errors[depths == d] for d in np.unique(depths)})
    return out


def _trend(groups: dict, arch: str) -> tuple[np.ndarray, np.ndarray]:
    """(depths, errors) of one arch from `degradation_groups`' layout."""
    keys = [k for k in groups if k.split("@")[0] == arch]
    return (np.concatenate([np.full(len(groups[k]), float(k.split("@")[1])) for k in keys] or [np.empty(0)]),
            np.concatenate([groups[k] for k in keys] or [np.empty(0)]))


def degradation_decisions(groups: dict) -> dict[str, stats.Decision]:
    """Plain training error rises with depth by more than the margin (trend over every depth of the
    grid, one-sided test of H0: rise <= margin); the ResNet's is flat within ±margin (equivalence)."""
    return {"plain_rise": stats.rises_with(*_trend(groups, "plain"), DEGRADATION_MARGIN),
            "resnet_flat": stats.flat_in(*_trend(groups, "resnet"), DEGRADATION_MARGIN)}


def degradation_rule(groups: dict) -> calibration.Rule:
    """The verdict's parts, with nulls at the claim's edges, each with the other part holding clearly:
    plain error rising by exactly the margin (ResNet flat); the ResNet rising by exactly the margin
    (plain rising by ten margins). Alternative: plain rising by twice the margin, ResNet flat; errors
    linear in depth. A plain net's spread is the ResNet's at its depth (a trained net's seed spread: a
    failing plain net's spread is the degradation itself, not what a net near the margin would show)."""
    levels = {a: sorted(float(k.split("@")[1]) for k in groups if k.split("@")[0] == a) for a in ("plain", "resnet")}

    def means(plain_rise: float, resnet_rise: float = 0.0) -> dict:
        out = {}
        for arch, rise in (("plain", plain_rise), ("resnet", resnet_rise)):
            lv = levels[arch]
            out.update({f"{arch}@{d:g}": 0.05 + rise * (d - lv[0]) / ((lv[-1] - lv[0]) or 1) for d in lv})
        return out

    m = DEGRADATION_MARGIN
    same_depth = {f"plain@{d:g}": f"resnet@{d:g}" for d in levels["plain"] if d in levels["resnet"]}
    return calibration.Rule(degradation_decisions, [means(m), means(10 * m, m)], means(2 * m), MIN_SPREAD,
                            spread_from=same_depth)


def degradation_claim(runs: pd.DataFrame, design: calibration.Design = calibration.Design()) -> dict:
    """Claim 1: plain training error rises with depth over the whole grid; the residual twins' does not.
    Decided at `design`'s look (seeds in rounds; one round: alpha = 5%)."""
    table = depth_table(runs)
    groups = degradation_groups(runs)
    rule = degradation_rule(groups)
    parts = rule.parts(groups)
    plain, resnet = parts["plain_rise"], parts["resnet_flat"]
    verdict = rule.verdict(parts, design.alpha)
    n_diverged = int(table["n_diverged"].sum())
    margin = fmt_points(DEGRADATION_MARGIN).lstrip("+")
    claim = {"id": "degradation", "section": "depth", "margin": DEGRADATION_MARGIN,
             "claim": f"Plain nets' training error rises with depth by more than {margin}; residual twins' stays "
                      f"within ±{margin}."}
    if plain.holds is None or resnet.holds is None:
        return inconclusive(claim, "the test needs two or more depths of plain and residual nets with at least two "
                                   "seeds each.")
    evidence = {
        "metric": "final training error (fraction) per seed; diverged runs counted as chance (0.9)",
        "parts": parts_evidence(parts),
        "per_depth": table[["arch", "depth", "n_runs", "n_diverged", "train_error_mean", "train_error_std",
                            "test_error_mean", "test_error_std"]].to_dict(orient="records"),
        "n_diverged": n_diverged,
    }
    sentence = (f"{HEADS[verdict]}: plain training error rises by {fmt_points(plain.effect)} from depth "
                f"{min(table['depth'])} to {max(table['depth'])} (trend over every depth; 90% interval "
                f"[{fmt_points(plain.low)}, {fmt_points(plain.high)}], one-sided p = {plain.p_value:.2g} against a "
                f"rise of {margin}), while the ResNet's changes by {fmt_points(resnet.effect)} (interval "
                f"[{fmt_points(resnet.low)}, {fmt_points(resnet.high)}] against ±{margin}; largest change of a "
                f"depth's mean {fmt_points(resnet.extra['largest_level_change']).lstrip('+')}).")
    if verdict == "reproduced":
        sentence += " Depth degrades plain nets, not residual ones."
    sentence += parts_sentence(parts, fmt_points)
    if n_diverged:
        sentence += f" {n_diverged} run(s) diverged and count as chance error (90%)."
    key = f"train-error rise with depth: plain {fmt_points(plain.effect)}, ResNet {fmt_points(resnet.effect)}"
    return with_calibration({**claim, "verdict": verdict, "sentence": sentence, "key_number": key, "evidence": evidence},
                            groups, rule, f"a {fmt_points(2 * DEGRADATION_MARGIN).lstrip('+')} plain rise and a flat "
                                          "ResNet", design)
