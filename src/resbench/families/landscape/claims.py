"""Verdict of the loss-landscape family (Li et al. 2018): roughness measured on the 2-D slices
themselves, in ways a plateau or a blow-up at the grid's edge cannot fool and that a monotone
transform of the loss leaves unchanged, inside the region the paper plots (loss <= 10)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ... import calibration, stats
from ...report.regime import TRAINS
from ...report.verdicts import HEADS, inconclusive, parts_evidence, parts_sentence, with_calibration

REGION = 10.0  # Li et al. plot loss up to 10: beyond it a surface says nothing about chaos
TRAINED = TRAINS  # a model whose final training error is above this never trained: its centre is no minimum
# Claim 6's margin, fixed before the data: a rough surface has at least 2 of its 8 rays from θ* more
# along which the loss falls somewhere while moving outward than the smooth one (Li et al.'s chaotic
# plain-56 has loss falling outward in most directions; a convex basin in none).
RAY_MARGIN = 0.25
RISE_TOLERANCE = 1e-6  # relative: float noise on a plateau is not a descent
RAYS = ((0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1))


def strict_local_minima(loss: np.ndarray, region: float = REGION) -> int:
    """Grid points inside the region (loss <= region) strictly below all their (up to 8) neighbours.
    A plateau has none; a monotone transform of the loss changes none."""
    n, m = loss.shape
    count = 0
    for i in range(n):
        for j in range(m):
            v = loss[i, j]
            if not (np.isfinite(v) and v <= region):
                continue
            neighbours = [loss[a, b] for a in range(max(0, i - 1), min(n, i + 2)) for b in range(max(0, j - 1), min(m, j + 2))
                          if (a, b) != (i, j)]
            count += all(v < w for w in neighbours)
    return count


def falling_ray_share(loss: np.ndarray, region: float = REGION) -> float:
    """Share of the 8 grid rays from the centre (θ*) along which the loss falls somewhere while
    moving outward, followed while the loss stays inside the region."""
    c = (loss.shape[0] // 2, loss.shape[1] // 2)
    falling = 0
    for di, dj in RAYS:
        values, (i, j) = [loss[c]], c
        while 0 <= i + di < loss.shape[0] and 0 <= j + dj < loss.shape[1]:
            i, j = i + di, j + dj
            if not (np.isfinite(loss[i, j]) and loss[i, j] <= region):
                break
            values.append(loss[i, j])
        falling += any(b < a * (1 - RISE_TOLERANCE) for a, b in zip(values, values[1:]))
    return falling / len(RAYS)


def surface_roughness(surface: pd.DataFrame) -> pd.DataFrame:
    """Per mapped model (arch, depth, seed): strict local minima, falling-ray share, the share of the
    grid inside the region, and the centre loss."""
    rows = []
    for (arch, depth, seed), s in surface.groupby(["arch", "depth", "seed"]):
        loss = s.pivot(index="i", columns="j", values="loss").to_numpy(float)
        rows.append({"arch": arch, "depth": int(depth), "seed": int(seed), "run_id": s["run_id"].iloc[0],
                     "local_minima": strict_local_minima(loss), "falling_ray_share": falling_ray_share(loss),
                     "inside_region": float(np.mean(loss <= REGION)), "center_loss": float(loss[loss.shape[0] // 2,
                                                                                               loss.shape[1] // 2])})
    return pd.DataFrame(rows)


def landscape_decisions(groups: dict) -> dict:
    """Per-seed falling-ray shares in: plain rougher than the ResNet at one depth (one-sided Welch of
    H0: difference <= margin), the ResNet's share at its deepest mapped depth (`resnet_deep`, or
    `resnet` when that is the same depth) unchanged from its shallowest (equivalence within the margin)."""
    return {"plain_rougher": stats.exceeds(groups["plain"], groups["resnet"], RAY_MARGIN),
            "resnet_unchanged": stats.equivalent(groups.get("resnet_deep", groups["resnet"]), groups["resnet_shallow"],
                                                 RAY_MARGIN)}


def landscape_rule(groups: dict) -> calibration.Rule:
    """Nulls at each part's edge, the other holding clearly: plain slices rougher than the ResNet's by
    exactly the margin; the ResNet's share changed by exactly the margin with depth (plain rougher by
    three margins). Alternative: plain rougher by twice the margin, ResNets unchanged. Spread floor:
    half a ray (1/16)."""
    base = 0.125
    alternative = {k: base for k in groups} | {"plain": base + 2 * RAY_MARGIN}
    deep = "resnet_deep" if "resnet_deep" in groups else "resnet"
    nulls = [{**alternative, "plain": base + RAY_MARGIN},
             {**alternative, deep: base + RAY_MARGIN, "plain": base + RAY_MARGIN + 3 * RAY_MARGIN}]
    return calibration.Rule(landscape_decisions, nulls, alternative, 1 / (2 * len(RAYS)))


def landscape_claim(curvature: pd.DataFrame, surface: pd.DataFrame | None = None,
                    runs: pd.DataFrame | None = None, design: calibration.Design = calibration.Design()) -> dict:
    """Claim 6: at the deepest depth where the plain nets trained, their slices are rougher than the
    ResNets' at the same depth (falling-ray share higher by more than RAY_MARGIN, one-sided Welch over
    seeds), and the ResNets' roughness does not change from the shallowest to the deepest mapped depth
    (equivalence within the margin). Sharpness (λmax) is reported apart: it is a different property.
    Decided at `design`'s look (seeds in rounds; one round: alpha = 5%)."""
    claim = {"id": "landscape_smoothness", "section": "landscape", "margin": RAY_MARGIN,
             "claim": "Without shortcuts, deep nets' loss slices turn rough (loss falling outward from θ* along "
                      f"{RAY_MARGIN:.0%} more rays than a ResNet's); with shortcuts they stay as smooth as shallow ones."}
    if surface is None or not len(surface):
        return inconclusive(claim, "no loss surfaces.")
    rough = surface_roughness(surface)
    if runs is not None and len(runs):
        trained = runs.set_index("run_id")["final_train_error"]
        rough["trained"] = rough["run_id"].map(trained).lt(TRAINED)
    else:
        rough["trained"] = True
    usable = rough[rough["trained"]]
    plain_depths = set(usable[usable["arch"] == "plain"]["depth"])
    resnet_depths = sorted(set(usable[usable["arch"] == "resnet"]["depth"]))
    common = sorted(plain_depths & set(resnet_depths))
    untrained = sorted(rough[~rough["trained"]]["run_id"])
    if not common or len(resnet_depths) < 2:
        return inconclusive(claim, "needs surfaces of trained plain and residual nets at a common depth and of "
                                   "ResNets at two depths" + (f" (not trained, left out: {', '.join(untrained)})"
                                                              if untrained else "") + ".",
                            {"roughness": rough.to_dict(orient="records")})
    depth, shallow, deepest = common[-1], resnet_depths[0], resnet_depths[-1]
    share = lambda a, d: usable[(usable["arch"] == a) & (usable["depth"] == d)]["falling_ray_share"].to_numpy(float)  # noqa: E731
    groups = {"plain": share("plain", depth), "resnet": share("resnet", depth), "resnet_shallow": share("resnet", shallow)}
    if deepest != depth:
        groups["resnet_deep"] = share("resnet", deepest)
    rule = landscape_rule(groups)
    parts = rule.parts(groups)
    verdict = rule.verdict(parts, design.alpha)
    per = usable.groupby(["arch", "depth"])[["falling_ray_share", "local_minima"]].mean()
    sharp = curvature.groupby(["arch", "depth"])["lambda_max"].mean() if len(curvature) else pd.Series(dtype=float)
    describe = lambda a, d: (f"{per.loc[(a, d), 'falling_ray_share']:.0%} of rays falling outward, "  # noqa: E731
                             f"{per.loc[(a, d), 'local_minima']:.1f} strict local minima")
    unchanged = parts["resnet_unchanged"]
    sentence = (f"{HEADS[verdict]}: inside the region of loss ≤ {REGION:g}, plain-{depth} (the deepest plain net that "
                f"trained) has {describe('plain', depth)} per slice, ResNet-{depth} {describe('resnet', depth)} "
                f"(mean over {len(groups['plain'])}/{len(groups['resnet'])} seeds; difference "
                f"{parts['plain_rougher'].words(lambda v: f'{v:.2f}')}); ResNet-{shallow}: {describe('resnet', shallow)}"
                + (f", ResNet-{deepest}: {describe('resnet', deepest)}" if deepest not in (depth, shallow) else "")
                + f" (change from ResNet-{shallow} to ResNet-{deepest}: {unchanged.words(lambda v: f'{v:.2f}')}).")
    sentence += parts_sentence(parts, lambda v: f"{v:.2f}")
    if untrained:
        sentence += f" Left out as not trained (final training error ≥ {TRAINED:.0%}): {', '.join(untrained)}."
    if len(sharp):
        sentence += (" Sharpness, a different property: λmax at θ* "
                     + ", ".join(f"{a}-{d} {v:.3g}" for (a, d), v in sharp.items()) + ".")
    evidence = {"depth": depth, "shallow_resnet_depth": shallow, "deepest_resnet_depth": deepest,
                "parts": parts_evidence(parts), "roughness": rough.to_dict(orient="records"), "region": REGION,
                "per_model_curvature": curvature.to_dict(orient="records")}
    key = (f"rays falling outward at depth {depth}: plain {per.loc[('plain', depth), 'falling_ray_share']:.0%}, "
           f"ResNet {per.loc[('resnet', depth), 'falling_ray_share']:.0%}")
    return with_calibration({**claim, "verdict": verdict, "sentence": sentence, "evidence": evidence, "key_number": key},
                            groups, rule, f"plain slices rougher by {2 * RAY_MARGIN:.0%} of the rays", design)
