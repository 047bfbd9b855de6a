"""Calibration of the verdict rules that `stats.calibrate` drives, at the quick profile's shape: its
number of seeds (read from config/quick.yaml) and seed spreads like those its run measured.

A rule is a level-alpha test: at the least favourable null (a part exactly at its bound) it says
"reproduced" in alpha = 5% of data sets, so a Monte-Carlo estimate from N draws scatters around 5%
with standard error sqrt(0.05 * 0.95 / N). The false-positive assertions allow three such errors
at N = 4,000 (5% + 1.0 point); a rule that were really at 7% fails them. Power must reach 80% at
twice the margin, except where the profile's spread cannot give it: those claims report the power
they have (asserted here, so a change to the profile or the rule that moves it is seen)."""
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from resbench import stats
from resbench.families.landscape import claims as landscape_claims
from resbench.families.signal import claims as signal_claims

ROOT = Path(__file__).resolve().parents[2]
QUICK = yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())
SEEDS = len(QUICK["seeds"])
MLP_SEEDS = QUICK["signal"]["mlp_seeds"]
LANDSCAPE_SEEDS = len(QUICK["landscape"]["seeds"])
RANK_INITS = 5  # signal.rank_inits's schema default
TRIALS = 4000
FP_LIMIT = stats.ALPHA + 3 * math.sqrt(stats.ALPHA * (1 - stats.ALPHA) / TRIALS)
ACTS = ("linear", "relu", "tanh")


def groups(spreads: dict, n: int) -> dict:
    """Per-seed values with exactly these sample standard deviations (only n and spread matter)."""
    z = np.random.default_rng(0).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return {k: 0.5 + sd * z for k, sd in spreads.items()}


# (calibration function, groups at the quick profile's shape, power it must reach). Spreads are the
# quick run's at 0a7df99 (falling-ray shares, rank kept, error fractions, speed ratios).
CASES = {
    "landscape_smoothness": (landscape_claims.landscape_calibration,
                             groups({"plain": 0.125, "resnet": 0.0625, "resnet_shallow": 0.0625}, LANDSCAPE_SEEDS), 0.8),
    "rank_collapse": (lambda g, trials: signal_claims.rank_collapse_calibration(g, ACTS, trials),
                      groups({f"{a}/{k}": 0.03 for a in ACTS for k in ("plain", "bn")}, RANK_INITS), 0.8),
    "rank_shortcuts": (lambda g, trials: signal_claims.rank_shortcuts_calibration(g, ACTS, trials),
                       groups({f"{a}/{k}": 0.03 for a in ACTS for k in ("plain", "scaled")}, RANK_INITS), 0.8),
    # The 1-point accuracy margin against a 3-point seed spread of the deep sigmoid nets' accuracy:
    # the "stops improving" part cannot reach 80% power at the profile's MLP seeds.
    "vanishing_gradients": (signal_claims.vanishing_calibration,
                            groups({"plain_ratio": 0.01, "residual_ratio": 0.2, "gain": 0.033}, MLP_SEEDS), 0.05),
    # Appended plain blocks scatter by about 5 points across shallow nets against a 2-point margin.
    "appended_layers": (signal_claims.appended_calibration,
                        groups({"plain": 0.049, "residual": 0.002, "shallow": 0.002}, SEEDS), 0.2),
}


@pytest.mark.parametrize("claim", sorted(CASES))
def test_false_positive_rate_is_at_most_alpha(claim):
    calibrate, data, _ = CASES[claim]
    result = calibrate(data, trials=TRIALS)
    assert result["false_positive_rate"] <= FP_LIMIT, result["false_positive_rates"]


@pytest.mark.parametrize("claim", sorted(CASES))
def test_power_at_twice_the_margin(claim):
    calibrate, data, min_power = CASES[claim]
    assert calibrate(data, trials=1000)["power"] >= min_power


def test_a_liberal_rule_fails_the_false_positive_check():
    """The check can fail: a rule that ignores the margin and the test ("plain above resnet")."""
    data = groups({"plain": 0.125, "resnet": 0.0625, "resnet_shallow": 0.0625}, SEEDS)
    naive = lambda g: "reproduced" if g["plain"].mean() > g["resnet"].mean() else "no"  # noqa: E731
    result = stats.calibrate(data, naive, [{"plain": 0.25, "resnet": 0.25, "resnet_shallow": 0.25}],
                             {"plain": 0.75, "resnet": 0.25, "resnet_shallow": 0.25}, 0.0625, 1000)
    assert result["false_positive_rate"] > FP_LIMIT


def test_too_few_values_give_no_calibration():
    result = signal_claims.appended_calibration({"plain": [0.3], "residual": [0.0], "shallow": [0.0]})
    assert result["power"] is None and "n = 1" in result["reason"]


def test_claims_publish_their_calibration():
    """The claim dicts carry both numbers (claims.json) and say them in the sentence."""
    import pandas as pd
    rows = []
    for seed in range(SEEDS):
        for appended, err in (("plain", 0.3 + 0.01 * seed), ("residual", 0.0)):
            rows.append({"shallow": f"plain8_s{seed}", "appended": appended, "epoch": 10, "blocks": 4,
                         "train_error": err, "shallow_train_error": 0.0})
    claim = signal_claims.appended_layers_claim(pd.DataFrame(rows))
    assert 0 <= claim["false_positive_rate"] <= 1 and 0 <= claim["power"] <= 1
    assert f"{claim['power']:.0%}" in claim["sentence"]
