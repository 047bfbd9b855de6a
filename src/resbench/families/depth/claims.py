"""The depth family's claim (degradation, He et al. 2016 Fig. 1/6) and the per-(arch, depth) table it reads."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ... import stats
from ...report.archs import arch_sort_key
from ...report.verdicts import CHANCE_ERROR, MIN_SPREAD, fmt_points


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


def degradation_decisions(plain: tuple, resnet: tuple) -> tuple[stats.Decision, stats.Decision]:
    """Plain training error rises with depth (trend over every depth of the grid, one-sided test +
    margin); the ResNet's is flat within ±margin (equivalence). Each argument: (depths, errors)."""
    return (stats.rises_with(*plain, DEGRADATION_MARGIN), stats.flat_in(*resnet, DEGRADATION_MARGIN))


def degradation_calibration(runs: pd.DataFrame, trials: int = 1000) -> dict:
    """False-positive rate (the largest of: plain nets flat; the ResNet rising by exactly the margin
    while plain nets rise by twice it) and power (plain rising by twice the margin, linearly in depth;
    ResNet flat) of this claim at this run's seeds, depths and per-(arch, depth) spread."""
    data = {arch: _train_errors(runs, arch) for arch in ("plain", "resnet")}
    levels = {arch: np.unique(depths) for arch, (depths, _) in data.items()}
    if any(len(lv) < 2 for lv in levels.values()):
        return {"false_positive_rate": None, "power": None, "trials": 0}
    key = lambda arch, depth: f"{arch}@{depth:g}"  # noqa: E731
    groups = {key(arch, d): errors[depths == d] for arch, (depths, errors) in data.items() for d in levels[arch]}

    def means(plain_rise: float, resnet_rise: float = 0.0) -> dict:  # errors linear in depth
        out = {}
        for arch, rise in (("plain", plain_rise), ("resnet", resnet_rise)):
            lv = levels[arch]
            out.update({key(arch, d): 0.05 + rise * (d - lv.min()) / (lv.max() - lv.min()) for d in lv})
        return out

    def decide(g: dict) -> str:
        pairs = [(np.concatenate([np.full(len(g[key(a, d)]), d) for d in levels[a]]),
                  np.concatenate([g[key(a, d)] for d in levels[a]])) for a in ("plain", "resnet")]
        return stats.verdict(*degradation_decisions(*pairs))

    m = DEGRADATION_MARGIN
    return {**stats.calibrate(groups, decide, [means(0.0), means(2 * m, m)], means(2 * m), MIN_SPREAD, trials),
            "effect_for_power": 2 * m}


def degradation_claim(runs: pd.DataFrame) -> dict:
    """Claim 1: plain training error rises with depth over the whole grid; the residual twins' does not."""
    table = depth_table(runs)
    plain, resnet = degradation_decisions(_train_errors(runs, "plain"), _train_errors(runs, "resnet"))
    verdict = stats.verdict(plain, resnet)
    n_diverged = int(table["n_diverged"].sum())
    calibration = degradation_calibration(runs)
    evidence = {
        "metric": "final training error (fraction) per seed; diverged runs counted as chance (0.9)",
        "plain_rise": plain.evidence(), "resnet_flat": resnet.evidence(), "calibration": calibration,
        "per_depth": table[["arch", "depth", "n_runs", "n_diverged", "train_error_mean", "train_error_std",
                            "test_error_mean", "test_error_std"]].to_dict(orient="records"),
        "n_diverged": n_diverged,
    }
    margin = fmt_points(DEGRADATION_MARGIN).lstrip("+")
    if plain.holds is None or resnet.holds is None:
        sentence = ("Inconclusive: the test needs two or more depths of plain and residual nets with at least two "
                    "seeds each.")
    else:
        plain_part = (f"plain training error rises by {fmt_points(plain.effect)} from depth {min(table['depth'])} to "
                      f"{max(table['depth'])} (trend over every depth; 90% interval "
                      f"[{fmt_points(plain.low)}, {fmt_points(plain.high)}], one-sided p = {plain.p_value:.2g})")
        resnet_part = (f"the ResNet's changes by {fmt_points(resnet.effect)} (interval [{fmt_points(resnet.low)}, "
                       f"{fmt_points(resnet.high)}]; largest change of a depth's mean "
                       f"{fmt_points(resnet.extra['largest_level_change']).lstrip('+')})")
        if verdict == "reproduced":
            sentence = (f"Reproduced: {plain_part}, beyond the {margin} margin, while {resnet_part}, inside ±{margin}. "
                        "Depth degrades plain nets, not residual ones.")
        elif not plain.holds:
            sentence = (f"Not reproduced: {plain_part}, which is not a significant rise of at least {margin}; "
                        f"{resnet_part}.")
        else:
            sentence = (f"Not reproduced: {plain_part}, but the ResNet is not shown flat within ±{margin}: "
                        f"{resnet_part}.")
    if n_diverged:
        sentence += f" {n_diverged} run(s) diverged and count as chance error (90%)."
    if calibration["power"] is not None:
        sentence += (f" At this run's seeds and spread the test calls a flat plain trend 'reproduced' in "
                     f"{calibration['false_positive_rate']:.1%} of simulated runs and detects a "
                     f"{fmt_points(2 * DEGRADATION_MARGIN).lstrip('+')} rise in {calibration['power']:.0%}.")
    key = (f"train-error rise with depth: plain {fmt_points(plain.effect)}, ResNet {fmt_points(resnet.effect)}"
           if plain.holds is not None and resnet.holds is not None else "—")
    return {"id": "degradation", "section": "depth", "verdict": verdict, "sentence": sentence, "key_number": key,
            "claim": f"Plain nets' training error rises with depth by at least {margin}; residual twins' stays "
                     f"within ±{margin}.", "margin": DEGRADATION_MARGIN,
            "false_positive_rate": calibration["false_positive_rate"], "power": calibration["power"],
            "evidence": evidence}
