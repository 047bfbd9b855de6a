"""Verdicts of the lesion study (Veit et al. 2016; Huang et al. 2016), computed from lesion.csv."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ... import calibration, stats
from ...report.archs import arch_sort_key
from ...report.regime import TRAINS
from ...report.verdicts import (CHANCE_ERROR, HEADS, MIN_SPREAD, fmt_pct, fmt_points, inconclusive, parts_evidence,
                               parts_sentence, with_calibration)

TRAINED = TRAINS  # a baseline test error above this means the net never trained: lesions say nothing


def single_deletion_increase(lesion: pd.DataFrame) -> pd.DataFrame:
    """Error increase of every single-block deletion over its model's unlesioned error."""
    base = lesion[lesion["kind"] == "none"].set_index("run_id")["test_error"]
    one = lesion[lesion["kind"] == "delete_one"].copy()
    one["increase"] = one["test_error"] - one["run_id"].map(base)
    one["baseline"] = one["run_id"].map(base)
    return one


def delete_k_curve(lesion: pd.DataFrame, arch: str, depth: int) -> pd.Series:
    """Mean test error (over seeds and draws) against k, starting at k = 0 (no deletion)."""
    rows = lesion[(lesion["arch"] == arch) & (lesion["depth"] == depth) & lesion["kind"].isin(["none", "delete_k"])]
    return rows.groupby("k")["test_error"].mean().sort_index()


def smoothness(curve: pd.Series) -> float:
    """Largest single step of the curve as a fraction of its total rise (1.0 = one cliff)."""
    steps = np.diff(curve.to_numpy())
    rise = curve.iloc[-1] - curve.iloc[0]
    return float(steps.max() / rise) if len(steps) and rise > 0 else math.nan


def cliff_per_block(curve: pd.Series) -> float:
    """Largest error increase per deleted block (between neighbouring k of the grid, which need not be
    evenly spaced) over the average increase per block: 1 for a straight line, large for a cliff."""
    k, err = curve.index.to_numpy(float), curve.to_numpy(float)
    if len(k) < 2 or err[-1] <= err[0]:
        return math.nan
    per_block = np.diff(err) / np.diff(k)
    return float(per_block.max() / ((err[-1] - err[0]) / (k[-1] - k[0])))


# Claim 5's margins and limits, fixed from Veit et al. (2016) before looking at our data.
ONE_BLOCK_BOUND = 0.02  # one in-stage ResNet block deleted costs under 2 points (Veit Fig. 3: well under 1 on CIFAR)
PLAIN_BREAK_MARGIN = 0.20  # a plain net loses at least 20 points more (Veit: a VGG layer deleted -> chance, ~90%)
DOWNSAMPLING_MARGIN = 0.01  # the exception: deleting a downsampling block costs a ResNet at least 1 point more
CLIFF_LIMIT = 3.0  # error grows smoothly with k: no block costs more than 3x the average per deleted block
SHORT_PATHS = 0.4  # gradient-weighted mean path length under 0.4 n (Veit: effective paths 5-17 of 54 blocks)


def _per_seed(one: pd.DataFrame, arch: str, depth: int, downsampling: bool) -> np.ndarray:
    """Per model (sorted by run id), the median error increase over its in-stage or downsampling deletions."""
    rows = one[(one["arch"] == arch) & (one["depth"] == depth) & (one["downsampling"].astype(bool) == downsampling)]
    return rows.groupby("run_id")["increase"].median().to_numpy(float)


def in_stage_spread(one: pd.DataFrame, arch: str, depth: int) -> dict:
    """What the per-model median hides: the mean over in-stage blocks (mean over models) and the worst
    block (largest mean increase over models), with its cost."""
    rows = one[(one["arch"] == arch) & (one["depth"] == depth) & ~one["downsampling"].astype(bool)]
    if not len(rows):
        return {"mean_over_blocks": math.nan, "worst_block": None, "worst_block_cost": math.nan}
    per_block = rows.groupby("blocks")["increase"].mean()
    return {"mean_over_blocks": float(rows.groupby("run_id")["increase"].mean().mean()),
            "worst_block": str(per_block.idxmax()), "worst_block_cost": float(per_block.max())}


def trained_depth(lesion: pd.DataFrame, arch: str) -> int | None:
    """The deepest depth at which every lesioned model of `arch` trained (unlesioned test error below
    TRAINED), with at least two seeds: a lesion of a failed net says nothing, and keeping only the
    seeds that trained would pick the plain nets that happened to work. Each net is tested at its own
    such depth, as Veit et al. lesion ResNet-110 beside a 15-layer VGG: the ensemble claim is about the
    deepest ResNet, the plain part about the deepest plain net that trained at all."""
    base = lesion[(lesion["kind"] == "none") & (lesion["arch"] == arch)]
    ok = base.groupby("depth")["test_error"].agg(lambda e: bool((e < TRAINED).all()) and len(e) >= stats.MIN_N)
    good = [int(d) for d, trained in ok.items() if trained]
    return max(good) if good else None


def gradient_path_length(paths: pd.DataFrame | None, depth: int) -> tuple[float, int]:
    """Gradient-weighted mean path length as a fraction of the blocks n, for the ResNets at `depth`."""
    if paths is None or not len(paths):
        return math.nan, 0
    rows = paths[(paths["depth"] == depth) & (paths["arch"] == "resnet")]
    if not len(rows):
        return math.nan, 0
    per_k = rows.groupby("k")["total_gradient"].mean()
    n = int(per_k.index.max())
    return float((per_k.index.to_numpy() * per_k.to_numpy()).sum() / per_k.sum() / n), rows["run_id"].nunique()


def tested_parts(groups: dict) -> dict[str, stats.Decision]:
    """The three tested parts of claim 5. `groups`: per ResNet seed its in-stage deletion cost
    (`resnet`) and the extra cost of a downsampling deletion in the same model (`down_gain`, paired);
    per plain seed its in-stage deletion cost (`plain`)."""
    return {"resnet_one_block": stats.below(groups["resnet"], ONE_BLOCK_BOUND),
            "plain_breaks": stats.exceeds(groups["plain"], groups["resnet"], PLAIN_BREAK_MARGIN),
            "downsampling_exception": stats.above(groups["down_gain"], DOWNSAMPLING_MARGIN)}


def lesion_parts(groups: dict, cliff: float, path_share: float, n_paths: int) -> dict[str, stats.Decision]:
    """The five parts of claim 5, each a decision."""
    return {**tested_parts(groups),
            "smooth_in_k": stats.threshold(cliff, CLIFF_LIMIT, (len(groups["resnet"]),),
                                           "the largest per-block error increase"),
            "short_paths": stats.threshold(path_share, SHORT_PATHS, (n_paths,), "the gradient-weighted path length")}


def ensemble_rule(cliff: float = 1.0, path_share: float = 0.0, n_paths: int = 1) -> calibration.Rule:
    """The verdict's five parts (the two thresholds at their measured values), with nulls at each one's edge, the others holding clearly: a ResNet block
    deletion costing exactly the bound; plain nets losing exactly the margin more than the ResNet; a
    downsampling deletion costing exactly the 1-point margin more. Alternative: in-stage deletions cost
    the ResNet nothing, plain nets twice the margin, downsampling blocks twice their margin. The two
    deterministic thresholds (smoothness in k, path length) keep their measured values in every draw."""
    bound, m, dm = ONE_BLOCK_BOUND, PLAIN_BREAK_MARGIN, DOWNSAMPLING_MARGIN
    alternative = {"resnet": 0.0, "plain": 2 * m, "down_gain": 2 * dm}
    clear = {"resnet": 0.0, "plain": 0.9, "down_gain": 0.5}
    nulls = [{**clear, "resnet": bound}, {**clear, "plain": m}, {**clear, "down_gain": dm}]
    return calibration.Rule(lambda g: lesion_parts(g, cliff, path_share, n_paths), nulls, alternative, MIN_SPREAD)


def ensemble_lesion_claim(lesion: pd.DataFrame, paths: pd.DataFrame | None = None) -> dict:
    """Claim 5 (Veit et al. 2016): deleting one in-stage block of a trained ResNet costs under 2 points
    while the same deletion breaks a trained plain net; downsampling blocks are the exception; error
    grows smoothly with the number of deleted blocks; short paths carry most of the gradient."""
    one = single_deletion_increase(lesion)
    depth, plain_depth = trained_depth(lesion, "resnet"), trained_depth(lesion, "plain")
    claim = {"id": "ensemble_lesion", "section": "lesion", "margin": ONE_BLOCK_BOUND,
             "claim": f"Deleting one in-stage block costs a ResNet under {100 * ONE_BLOCK_BOUND:.0f} points but breaks "
                      "a plain net; downsampling blocks are the exception; errors grow smoothly with the number of "
                      "deleted blocks; short paths carry the gradient."}
    if depth is None or plain_depth is None:
        return inconclusive(claim, f"no depth has {'ResNets' if depth is None else 'plain nets'} whose every lesioned "
                                   f"seed trained (test error below {TRAINED:.0%}).")
    resnet, plain = _per_seed(one, "resnet", depth, False), _per_seed(one, "plain", plain_depth, False)
    down = _per_seed(one, "resnet", depth, True)
    groups = {"resnet": resnet, "plain": plain, "down_gain": down - resnet if len(down) == len(resnet) else np.empty(0)}
    curves = {a: delete_k_curve(lesion, a, d) for a, d in (("plain", plain_depth), ("resnet", depth))}
    cliff = cliff_per_block(curves["resnet"])
    path_share, n_paths = gradient_path_length(paths, depth)
    rule = ensemble_rule(cliff, path_share, n_paths)
    parts = rule.parts(groups)
    verdict = rule.verdict(parts)
    spread = in_stage_spread(one, "resnet", depth)
    evidence = {"depth": depth, "plain_depth": plain_depth, "parts": parts_evidence(parts), "resnet_in_stage": spread,
                "median_single_deletion_increase": {"plain": float(np.median(plain)), "resnet": float(np.median(resnet))},
                "resnet_downsampling_deletion_increase": float(down.mean()) if len(down) else None,
                "largest_step_fraction": {a: smoothness(c) for a, c in curves.items()},
                "delete_k_curves": {a: {int(k): float(v) for k, v in c.items()} for a, c in curves.items()}}
    pts = lambda v: f"{100 * v:.1f}"  # noqa: E731
    sentence = (f"{HEADS[verdict]}: the median in-stage block deletion costs ResNet-{depth} {pts(np.mean(resnet))} "
                f"points of test error (median over its blocks, mean over {len(resnet)} seeds; upper 95% bound "
                f"{pts(parts['resnet_one_block'].high)}, bound {pts(ONE_BLOCK_BOUND)}; the mean over blocks is "
                f"{pts(spread['mean_over_blocks'])} and the worst block, {spread['worst_block']}, costs "
                f"{pts(spread['worst_block_cost'])}) and plain-{plain_depth} {pts(np.mean(plain))} over {len(plain)} "
                f"(each the deepest at which every seed of the net trained); "
                f"a downsampling block costs the ResNet "
                f"{pts(down.mean()) if len(down) else 'n/a'} (paired with the same model's in-stage deletions: "
                f"{pts(parts['downsampling_exception'].effect)} more, lower 95% bound "
                f"{pts(parts['downsampling_exception'].low)}, margin {pts(DOWNSAMPLING_MARGIN)}). The largest error "
                f"increase per deleted block is {cliff:.2g}× the average (limit {CLIFF_LIMIT:g})"
                + (f", and the gradient-weighted mean path length is {path_share:.2f} n (limit {SHORT_PATHS})"
                   if not math.isnan(path_share) else "") + ".")
    sentence += parts_sentence(parts, dict.fromkeys(tested_parts(groups), fmt_points))
    out = {**claim, "verdict": verdict, "sentence": sentence, "evidence": evidence,
           "key_number": f"median deleted in-stage block: ResNet +{pts(np.mean(resnet))} pts (mean "
                         f"+{pts(spread['mean_over_blocks'])}), plain +{pts(np.mean(plain))} pts"}
    return with_calibration(out, groups, rule, "no in-stage cost, plain nets breaking by twice the "
                                                              "margin and downsampling blocks costing twice theirs")


def degradation_area(lesion: pd.DataFrame, arch: str, depth: int, chance: float = CHANCE_ERROR) -> pd.Series:
    """Per seed: mean over k of the error added by deleting k blocks, as a share of the headroom
    between the unlesioned error and chance (a worse baseline has less room to fall)."""
    rows = lesion[(lesion["arch"] == arch) & (lesion["depth"] == depth)]
    base = rows[rows["kind"] == "none"].set_index("seed")["test_error"]
    dk = rows[rows["kind"] == "delete_k"].groupby(["seed", "k"])["test_error"].mean().reset_index()
    return (dk.groupby("seed")["test_error"].mean() - base) / (chance - base).clip(lower=1e-6)


# Claim 8's margin, fixed from the paper: Huang et al. 2016 improved ResNet-110's CIFAR-10 test error
# by 1.16 points (6.41% -> 5.25%); an improvement of at least 1 point is what the claim says.
SD_MARGIN = 0.01
HUANG_RELATIVE_GAIN = (6.41 - 5.25) / 6.41  # Huang et al. 2016, ResNet-110 on CIFAR-10: 18.1%


def _sd_errors(runs: pd.DataFrame, arch: str, depth: int) -> np.ndarray:
    rows = runs[(runs["arch"] == arch) & (runs["depth"] == depth)]
    return stats.count_diverged(rows["final_test_error"], CHANCE_ERROR)


def stochastic_depth_rule(groups: dict) -> calibration.Rule:
    """Improvement by more than the margin. Null: an improvement of exactly the margin; alternative:
    twice the margin; the paper's effect: Huang's relative gain on this run's baseline error.
    `groups`: per-seed test errors of the `standard` and the `sd` net."""
    base = float(np.mean(groups["standard"])) if len(groups["standard"]) else 0.05
    return calibration.Rule(lambda g: {"improvement": stats.exceeds(g["standard"], g["sd"], SD_MARGIN)},
                            [{"standard": 0.05, "sd": 0.05 - SD_MARGIN}], {"standard": 0.05, "sd": 0.05 - 2 * SD_MARGIN},
                            MIN_SPREAD, paper_alternative={"standard": base, "sd": base * (1 - HUANG_RELATIVE_GAIN)})


def stochastic_depth_claim(runs: pd.DataFrame, lesion: pd.DataFrame | None = None,
                           design: calibration.Design = calibration.Design()) -> dict:
    """Claim 8 as published: a ResNet trained with stochastic depth reaches lower test error than the
    same ResNet trained normally by more than SD_MARGIN (H0: improvement <= margin). Robustness to
    deleted blocks, which stochastic depth trains for, is a secondary number, normalized by the
    headroom to chance."""
    claim = {"id": "stochastic_depth", "section": "lesion" if lesion is not None and len(lesion) else "depth",
             "margin": SD_MARGIN,
             "claim": f"Training a ResNet with stochastic depth lowers its test error by more than "
                      f"{100 * SD_MARGIN:.0f} point (Huang et al. 2016: ResNet-110 6.41% → 5.25%)."}
    depths = sorted(set(runs[runs["arch"] == "resnet_sd"]["depth"]) & set(runs[runs["arch"] == "resnet"]["depth"]))
    if not depths:
        return inconclusive(claim, "the profile trained no resnet_sd model beside a ResNet of the same depth.")
    depth = depths[-1]
    groups = {"standard": _sd_errors(runs, "resnet", depth), "sd": _sd_errors(runs, "resnet_sd", depth)}
    standard, sd = groups["standard"], groups["sd"]
    rule = stochastic_depth_rule(groups)
    parts = rule.parts(groups)
    decision = parts["improvement"]
    verdict = rule.verdict(parts, design.alpha)
    evidence = {"depth": depth, "parts": parts_evidence(parts),
                "test_error_mean": {"resnet": float(standard.mean()), "resnet_sd": float(sd.mean())}}
    head = HEADS[verdict]
    sentence = (f"{head}: at depth {depth}, test error is {fmt_pct(sd.mean())} with stochastic depth and "
                f"{fmt_pct(standard.mean())} without; the improvement is {100 * decision.effect:+.1f} points "
                f"(90% interval [{100 * decision.low:+.1f}, {100 * decision.high:+.1f}], one-sided Welch p = "
                f"{decision.p_value:.2g} against the {100 * SD_MARGIN:.0f}-point margin, n = {len(sd)}/{len(standard)})."
                if decision.holds is not None else f"{head}: {decision.reason}.")
    sentence += parts_sentence(parts, fmt_points)
    if verdict == "not_reproduced" and decision.effect < 0:
        sentence += (" Stochastic depth made the net worse here: with this profile's short training it acts as a "
                     "handicap, not a regularizer (Huang et al. trained 500 epochs).")
    if lesion is not None and len(lesion) and {"resnet", "resnet_sd"} <= set(lesion[lesion["depth"] == depth]["arch"]):
        area = {a: degradation_area(lesion, a, depth) for a in ("resnet", "resnet_sd")}
        evidence["deletion_damage_share_of_headroom"] = {a: float(v.mean()) for a, v in area.items()}
        sentence += (f" Secondary: deleting blocks costs the stochastic-depth net {area['resnet_sd'].mean():.0%} of its "
                     f"headroom to chance on average over k, the standard net {area['resnet'].mean():.0%}.")
    out = {**claim, "verdict": verdict, "sentence": sentence, "evidence": evidence,
           "key_number": f"test error with / without stochastic depth: {fmt_pct(sd.mean())} / {fmt_pct(standard.mean())}"}
    return with_calibration(out, groups, rule, f"an improvement of {100 * 2 * SD_MARGIN:.0f} points", design)


def lesion_summary(lesion: pd.DataFrame) -> pd.DataFrame:
    """Per (arch, depth): unlesioned error, single-deletion increases (in-stage median, downsampling
    mean), and the error with every in-stage block deleted; means over seeds."""
    one = single_deletion_increase(lesion)
    rows = []
    for (arch, depth), group in lesion.groupby(["arch", "depth"]):
        o = one[(one["arch"] == arch) & (one["depth"] == depth)]
        down = o["downsampling"].astype(bool)
        dk = group[group["kind"] == "delete_k"]
        rows.append({
            "arch": arch, "depth": int(depth), "seeds": group["seed"].nunique(),
            "baseline": group[group["kind"] == "none"]["test_error"].mean(),
            "median_increase_inner": o[~down]["increase"].median(),
            "mean_increase_downsampling": o[down]["increase"].mean() if down.any() else math.nan,
            "error_all_deleted": dk[dk["k"] == dk["k"].max()]["test_error"].mean() if len(dk) else math.nan,
        })
    return pd.DataFrame(rows).sort_values(["arch", "depth"], key=arch_sort_key)
