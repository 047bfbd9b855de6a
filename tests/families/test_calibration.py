"""Every claim's own calibration function, checked against what a level-alpha rule must do.

A rule whose margin is its tested hypothesis says "reproduced" in alpha = 5% of data sets when a part
sits exactly at the edge of its claim (effect = margin) and the other parts hold clearly, so the
calibration's false-positive rate (the largest over its edge nulls) must be within Monte-Carlo error
of 5% on both sides: a rule that ignores its margin, a liberal rule, or a calibration that returns a
constant 0 or 1 fails. Its power must be near 1 when the seed spread is a tenth of the margin and
well below 1 when it is twice the margin: a rule that always says "inconclusive", or a constant
power, fails. The mutation tests below show that the check does fail for such rules."""
import math

import numpy as np
import pytest

from resbench import stats
from resbench.families.architectures import claims as arch_claims
from resbench.families.depth import claims as depth_claims
from resbench.families.landscape import claims as landscape_claims
from resbench.families.lesion import claims as lesion_claims
from resbench.families.signal import claims as signal_claims
from resbench.families.variants import claims as variant_claims
from resbench.families.variants.catalog import OBSTRUCTED

N = 5
ACTS = ("linear", "relu", "tanh")
WITH, WITHOUT = ["resnet20", "resnext_c8", "densenet_bc"], ["vgg16_bn", "inception"]


def groups(margins: dict, scale: float, n: int = N) -> dict:
    """Per-seed values whose sample standard deviation is `scale` times each group's margin."""
    z = np.random.default_rng(0).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return {k: 0.5 + scale * m * z for k, m in margins.items()}


# claim -> (its calibration function (groups, trials), the margin each group's spread is scaled by)
CASES = {
    "degradation": (depth_claims.degradation_calibration,
                    {f"{a}@{d}": depth_claims.DEGRADATION_MARGIN for a in ("plain", "resnet") for d in (8, 20, 32, 56)}),
    "ensemble_lesion": (lesion_claims.ensemble_calibration,
                        {"resnet": lesion_claims.ONE_BLOCK_BOUND, "plain": lesion_claims.PLAIN_BREAK_MARGIN,
                         "down_gain": lesion_claims.DOWNSAMPLING_MARGIN}),
    "stochastic_depth": (lesion_claims.stochastic_depth_calibration,
                         {"standard": lesion_claims.SD_MARGIN, "sd": lesion_claims.SD_MARGIN}),
    "shortcut_variants": (variant_claims.variants_calibration,
                          {v: math.log(variant_claims.LOSS_RATIO_MARGIN) for v in ("identity", *OBSTRUCTED)}),
    "cardinality": (arch_claims.cardinality_calibration, {"base": arch_claims.MIN_EFFECT, "top": arch_claims.MIN_EFFECT}),
    "lesion_across_families": (
        lambda g, trials: arch_claims.lesion_across_calibration(g, WITH, WITHOUT, trials),
        {n: arch_claims.ONE_BLOCK_BOUND for n in WITH} | {n: arch_claims.BREAK_MARGIN for n in WITHOUT}),
    "landscape_smoothness": (landscape_claims.landscape_calibration,
                             {k: landscape_claims.RAY_MARGIN for k in ("plain", "resnet", "resnet_deep", "resnet_shallow")}),
    "vanishing_gradients": (signal_claims.vanishing_calibration,
                            {"plain_ratio": signal_claims.SLOW_FIRST_LAYER, "residual_ratio": signal_claims.SLOW_FIRST_LAYER,
                             "gain": signal_claims.ACCURACY_MARGIN, "residual_gain": signal_claims.ACCURACY_MARGIN}),
    "rank_collapse": (lambda g, trials: signal_claims.rank_collapse_calibration(g, ACTS, trials),
                      {f"{a}/{k}": signal_claims.RANK_MARGIN for a in ACTS for k in ("plain", "bn")}),
    "rank_shortcuts": (lambda g, trials: signal_claims.rank_shortcuts_calibration(g, ACTS, trials),
                       {f"{a}/{k}": signal_claims.RANK_MARGIN for a in ACTS for k in ("plain", "scaled")}),
    "appended_layers": (signal_claims.appended_calibration,
                        {"plain": signal_claims.APPEND_MARGIN, "residual": signal_claims.KEEP_MARGIN,
                         "shallow": signal_claims.KEEP_MARGIN}),
}


# The variants' rule shares alpha among the variants at the edge (Bonferroni); they share the identity
# group, so its rate at the edge lies between one variant's level and alpha (3.5% measured).
LOWEST_EDGE_RATE = {"shortcut_variants": variant_claims.variant_alpha(len(OBSTRUCTED))}


def problems(claim: str, trials: int) -> list[str]:
    """What is wrong with a claim's calibration: an edge rate outside alpha's Monte-Carlo band, power
    not near 1 at a tight spread, or near 1 at a wide one."""
    calibrate, margins = CASES[claim]
    band = 3 * math.sqrt(stats.ALPHA * (1 - stats.ALPHA) / trials)
    tight = calibrate(groups(margins, 0.1), trials=trials)
    out = []
    lowest = LOWEST_EDGE_RATE.get(claim, stats.ALPHA)
    if not lowest - band <= tight["false_positive_rate"] <= stats.ALPHA + band:
        out.append(f"edge rate {tight['false_positive_rate']:.3f} outside [{lowest:.3f}, {stats.ALPHA}] ± {band:.3f}")
    if not tight["resampled_false_positive_rate"] <= stats.ALPHA + band:
        out.append(f"resampled edge rate {tight['resampled_false_positive_rate']:.3f} above {stats.ALPHA} + {band:.3f}")
    if not tight["power"] >= 0.9:
        out.append(f"power {tight['power']:.2f} at a tenth of the margin's spread")
    wide = calibrate(groups(margins, 2.0), trials=max(trials // 4, 200))
    if not wide["power"] <= 0.7:
        out.append(f"power {wide['power']:.2f} at twice the margin's spread")
    return out


@pytest.mark.parametrize("claim", sorted(CASES))
def test_calibration_is_level_alpha_at_the_edge_and_has_power(claim):
    assert problems(claim, trials=1500) == []


def _always(verdict):
    return lambda *parts: verdict


def _ignore_margin(effect, se, df, margin, alpha, real=stats._greater):
    return real(effect, se, df, 0.0, alpha)


@pytest.mark.parametrize("patch", [("verdict", _always("reproduced")), ("verdict", _always("inconclusive")),
                                   ("_greater", _ignore_margin)], ids=["always-reproduced", "always-inconclusive",
                                                                       "margin-dropped"])
def test_a_broken_rule_fails_the_check_for_every_claim(monkeypatch, patch):
    monkeypatch.setattr(stats, *patch)
    if patch[0] == "verdict":  # variants decide through their own count, over each part's outcome
        monkeypatch.setattr(variant_claims, "variants_verdict", lambda d: stats.verdict(*d.values()))
    assert [c for c in sorted(CASES) if not problems(c, trials=200)] == []


def test_a_constant_calibration_fails_the_check(monkeypatch):
    for fp, power in ((0.0, 1.0), (0.05, 1.0), (0.05, 0.0)):
        monkeypatch.setitem(CASES, "cardinality", (lambda g, trials, fp=fp, power=power: {
            "false_positive_rate": fp, "resampled_false_positive_rate": fp, "power": power}, CASES["cardinality"][1]))
        assert problems("cardinality", trials=400)


def test_too_few_values_give_no_calibration():
    result = signal_claims.appended_calibration({"plain": [0.3], "residual": [0.0], "shallow": [0.0]})
    assert result["power"] is None and "n = 1" in result["reason"]


def test_seeds_for_power_grows_with_the_spread():
    calibrate, margins = CASES["cardinality"]
    tight, wide = calibrate(groups(margins, 0.1), trials=300), calibrate(groups(margins, 1.0), trials=300)
    assert tight["seeds_for_power"] == N
    # Welch at twice the margin's distance, spread = margin: n per group near 2 * (1.64 + 0.84)^2 / 1 ~ 13
    assert 9 <= wide["seeds_for_power"] <= 18


def test_resampling_sees_skewed_seeds_that_normals_do_not():
    """Two of five seeds failing (bimodal errors): resampled draws keep that shape."""
    values = {"standard": np.array([0.02, 0.021, 0.019, 0.6, 0.58]), "sd": np.array([0.02, 0.022, 0.018, 0.021, 0.019])}
    result = lesion_claims.stochastic_depth_calibration(values, trials=1000)
    assert result["resampled_false_positive_rate"] <= 0.1 and result["false_positive_rate"] <= 0.08
    assert result["resampled_false_positive_rates"] != result["false_positive_rates"]
