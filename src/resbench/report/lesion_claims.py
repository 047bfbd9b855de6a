"""Verdicts of the lesion study (Veit et al. 2016; Huang et al. 2016), computed from lesion.csv."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .archs import arch_sort_key
from .claims import MIN_EFFECT, _pct

TRAINED = 0.2  # a baseline test error above this means the net never trained: lesions say nothing


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


def ensemble_lesion_claim(lesion: pd.DataFrame) -> dict:
    """Claim 5: deleting one in-stage block barely hurts a ResNet but breaks a plain net, and the
    ResNet's error grows smoothly with the number of deleted blocks."""
    one = single_deletion_increase(lesion)
    one = one[one["baseline"] < TRAINED]  # only models that trained; a lesion of a failed net says nothing
    inner = one[~one["downsampling"].astype(bool)]
    common = sorted(set(inner[inner["arch"] == "plain"]["depth"]) & set(inner[inner["arch"] == "resnet"]["depth"]))
    claim = {"id": "ensemble_lesion", "section": "lesion",
             "claim": "Deleting a block barely changes a ResNet's error but breaks a plain net; errors grow "
                      "smoothly with the number of deleted blocks."}
    if not common:
        return {**claim, "verdict": "inconclusive", "key_number": "—", "evidence": {},
                "sentence": "Inconclusive: no depth has both a trained plain net and a trained ResNet "
                            "(test error below 20%) to lesion."}
    depth = common[-1]
    med = {a: float(inner[(inner["arch"] == a) & (inner["depth"] == depth)]["increase"].median())
           for a in ("plain", "resnet")}
    curves = {a: delete_k_curve(lesion, a, depth) for a in ("plain", "resnet")}
    smooth = {a: smoothness(c) for a, c in curves.items()}
    downsampling = one[one["downsampling"].astype(bool) & (one["arch"] == "resnet") & (one["depth"] == depth)]
    evidence = {"depth": depth, "median_single_deletion_increase": med, "largest_step_fraction": smooth,
                "resnet_downsampling_deletion_increase": float(downsampling["increase"].mean())
                if len(downsampling) else None,
                "delete_k_curves": {a: {int(k): float(v) for k, v in c.items()} for a, c in curves.items()}}
    resnet_robust = med["resnet"] < max(0.25 * med["plain"], MIN_EFFECT)
    plain_breaks = med["plain"] > TRAINED
    resnet_smooth = smooth["resnet"] <= 0.5
    verdict = "reproduced" if resnet_robust and plain_breaks and resnet_smooth else "not_reproduced"
    n_models = {a: inner[(inner["arch"] == a) & (inner["depth"] == depth)]["run_id"].nunique() for a in med}
    evidence["models"] = n_models
    sentence = (f"{'Reproduced' if verdict == 'reproduced' else 'Not reproduced'}: at depth {depth} (the deepest "
                f"with trained plain nets; {n_models['plain']} plain, {n_models['resnet']} residual), deleting one "
                f"in-stage block raises the ResNet's test error by {_pct(med['resnet'])} (median) but the plain "
                f"net's by {_pct(med['plain'])}; the ResNet's largest step in error against the number of deleted "
                f"blocks is {smooth['resnet']:.0%} of its total rise (plain: {smooth['plain']:.0%}).")
    if not plain_breaks:
        sentence += " Deleting a plain block did not push it toward chance."
    return {**claim, "verdict": verdict, "sentence": sentence, "evidence": evidence,
            "key_number": f"median error increase per deleted block: ResNet {_pct(med['resnet'])}, "
                          f"plain {_pct(med['plain'])}"}


def degradation_area(lesion: pd.DataFrame, arch: str, depth: int) -> pd.Series:
    """Per seed: mean over k of (error after deleting k blocks - unlesioned error)."""
    rows = lesion[(lesion["arch"] == arch) & (lesion["depth"] == depth)]
    base = rows[rows["kind"] == "none"].set_index("seed")["test_error"]
    dk = rows[rows["kind"] == "delete_k"].groupby(["seed", "k"])["test_error"].mean().reset_index()
    return dk.groupby("seed")["test_error"].mean() - base


def stochastic_depth_claim(lesion: pd.DataFrame, runs: pd.DataFrame) -> dict:
    """Claim 8: ResNets trained with stochastic depth degrade more gracefully under deletion."""
    claim = {"id": "stochastic_depth", "section": "lesion",
             "claim": "ResNets trained with stochastic depth degrade more gracefully when blocks are deleted."}
    depths = sorted(set(lesion[lesion["arch"] == "resnet_sd"]["depth"]) & set(lesion[lesion["arch"] == "resnet"]["depth"]))
    if not depths:
        return {**claim, "verdict": "inconclusive", "key_number": "—", "evidence": {},
                "sentence": "Inconclusive: the profile trained no resnet_sd model beside a ResNet of the same depth."}
    depth = depths[-1]
    area = {a: degradation_area(lesion, a, depth) for a in ("resnet", "resnet_sd")}
    mean = {a: float(v.mean()) for a, v in area.items()}
    spread = sum(float(v.std()) if len(v) > 1 else math.nan for v in area.values())
    test = runs[runs["depth"] == depth].groupby("arch")["final_test_error"].mean()
    evidence = {"depth": depth, "mean_error_increase_over_k": mean, "seed_spread": spread,
                "final_test_error": {a: float(test.get(a, math.nan)) for a in ("resnet", "resnet_sd")}}
    if math.isnan(spread):
        verdict, head = "inconclusive", "Inconclusive (fewer than two seeds)"
    elif mean["resnet"] - mean["resnet_sd"] > max(spread, MIN_EFFECT):
        verdict, head = "reproduced", "Reproduced"
    else:
        verdict, head = "not_reproduced", "Not reproduced"
    sentence = (f"{head}: at depth {depth}, deleting blocks raises test error by {_pct(mean['resnet_sd'])} on "
                f"average (over k) for the stochastic-depth ResNet vs {_pct(mean['resnet'])} for the standard one "
                f"(seed spread {_pct(spread)}). Unlesioned test error: {_pct(evidence['final_test_error']['resnet_sd'])} "
                f"with stochastic depth, {_pct(evidence['final_test_error']['resnet'])} without.")
    return {**claim, "verdict": verdict, "sentence": sentence, "evidence": evidence,
            "key_number": f"mean error increase under deletion: {_pct(mean['resnet_sd'])} vs {_pct(mean['resnet'])}"}


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
