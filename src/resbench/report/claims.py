"""Verdicts computed from the tables: each claim says from the data whether our run reproduced it."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import stats
from .archs import arch_sort_key

MIN_EFFECT = 0.01  # an error difference under one percentage point is never called a change


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


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _points(x: float) -> str:
    """An error difference in percentage points."""
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:+.1f} pts"


# Claim 1's margins, fixed from the paper before looking at our data: He et al. 2016 (Fig. 6) show
# plain-56 several points of training error above plain-20 on CIFAR-10; a rise of 2 points from the
# shallowest to the deepest net is the smallest a reader would call degradation, and a ResNet whose
# error stays within ±2 points over the grid is "not degrading".
DEGRADATION_MARGIN = 0.02
CHANCE_ERROR = 0.9  # what a diverged 10-class run is counted as (its error is NaN)
MIN_SPREAD = 0.002  # seed spread floor in calibration draws (an error of 0 on every seed is still noisy)


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


def with_calibration(claim: dict, calibration: dict, effect: str) -> dict:
    """Attach a claim's calibration: in its evidence, its sentence and claims.json's two fields."""
    claim["evidence"]["calibration"] = calibration
    if calibration["power"] is not None:
        claim["sentence"] += (f" At this profile's seeds and spread the rule says \"reproduced\" in "
                              f"{calibration['false_positive_rate']:.1%} of simulated runs without the effect and in "
                              f"{calibration['power']:.0%} with {effect}.")
    return {**claim, "false_positive_rate": calibration["false_positive_rate"], "power": calibration["power"]}


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
    margin = _points(DEGRADATION_MARGIN).lstrip("+")
    if plain.holds is None or resnet.holds is None:
        sentence = ("Inconclusive: the test needs two or more depths of plain and residual nets with at least two "
                    "seeds each.")
    else:
        plain_part = (f"plain training error rises by {_points(plain.effect)} from depth {min(table['depth'])} to "
                      f"{max(table['depth'])} (trend over every depth; 90% interval "
                      f"[{_points(plain.low)}, {_points(plain.high)}], one-sided p = {plain.p_value:.2g})")
        resnet_part = (f"the ResNet's changes by {_points(resnet.effect)} (interval [{_points(resnet.low)}, "
                       f"{_points(resnet.high)}]; largest change of a depth's mean "
                       f"{_points(resnet.extra['largest_level_change']).lstrip('+')})")
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
                     f"{_points(2 * DEGRADATION_MARGIN).lstrip('+')} rise in {calibration['power']:.0%}.")
    key = (f"train-error rise with depth: plain {_points(plain.effect)}, ResNet {_points(resnet.effect)}"
           if plain.holds is not None and resnet.holds is not None else "—")
    return {"id": "degradation", "section": "depth", "verdict": verdict, "sentence": sentence, "key_number": key,
            "claim": f"Plain nets' training error rises with depth by at least {margin}; residual twins' stays "
                     f"within ±{margin}.", "margin": DEGRADATION_MARGIN,
            "false_positive_rate": calibration["false_positive_rate"], "power": calibration["power"],
            "evidence": evidence}


def all_claims(runs: pd.DataFrame, lesion: pd.DataFrame | None = None, variant_runs: pd.DataFrame | None = None,
               fail_error: float = 0.2, curvature: pd.DataFrame | None = None, signal: dict | None = None,
               lesion_paths: pd.DataFrame | None = None, surface: pd.DataFrame | None = None) -> list[dict]:
    """Every claim the profile's families can test, each with a verdict from the data."""
    claims = [degradation_claim(runs)]
    from .lesion_claims import ensemble_lesion_claim, stochastic_depth_claim

    if lesion is not None and len(lesion):
        claims.append(ensemble_lesion_claim(lesion, lesion_paths))
    if "resnet_sd" in set(runs["arch"]):
        claims.append(stochastic_depth_claim(runs, lesion))
    if variant_runs is not None and len(variant_runs):
        from .variant_claims import shortcut_variants_claim

        claims.append(shortcut_variants_claim(variant_runs, fail_error))
    if curvature is not None and len(curvature):
        from .landscape_claims import landscape_claim

        claims.append(landscape_claim(curvature, surface, runs))
    if signal:
        from . import signal_claims as sc

        if signal.get("speeds") is not None:
            claims.append(sc.vanishing_gradients_claim(signal["speeds"], signal["mlp"], signal.get("layers")))
        if signal.get("rank") is not None:
            claims += [sc.rank_collapse_claim(signal["rank"]), sc.rank_shortcuts_claim(signal["rank"])]
        if signal.get("identity") is not None:
            claims.append(sc.identity_construction_claim(signal["identity"]))
        if signal.get("appended") is not None:
            claims.append(sc.appended_layers_claim(signal["appended"]))
    for c in claims:  # one shape for claims.json: claims not yet calibrated say so with None
        c.setdefault("kind", "claim")
        c.setdefault("margin", None)
        c.setdefault("false_positive_rate", None)
        c.setdefault("power", None)
    return claims
