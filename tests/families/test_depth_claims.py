import math

import numpy as np
import pandas as pd
import pytest

from resbench import stats
from resbench.families.depth.claims import DEGRADATION_MARGIN, degradation_claim, degradation_decisions


def runs_table(errors: dict, status: dict | None = None) -> pd.DataFrame:
    """errors: {(arch, depth): [final train error per seed]} -> a runs.csv-like frame."""
    rows = []
    for (arch, depth), values in errors.items():
        for seed, value in enumerate(values):
            st = (status or {}).get((arch, depth, seed), "completed")
            rows.append({"arch": arch, "depth": depth, "seed": seed, "run_id": f"{arch}{depth}_s{seed}",
                         "status": st, "params": 1, "final_train_error": math.nan if st == "diverged" else value,
                         "final_test_error": value, "test_error_at_best_val": value})
    return pd.DataFrame(rows)


def test_reproduced_when_only_plain_degrades():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.0, 0.01], ("plain", 20): [0.01, 0.02, 0.0], ("plain", 56): [0.5, 0.6, 0.55],
        ("resnet", 8): [0.0, 0.0, 0.0], ("resnet", 20): [0.0, 0.001, 0.0], ("resnet", 56): [0.0, 0.01, 0.0]}))
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert claim["sentence"].startswith("Reproduced") and "plain training error rises" in claim["sentence"]
    ev = claim["evidence"]["plain_rise"]
    assert ev["effect"] > 0.4 and ev["low"] < ev["effect"] < ev["high"] and ev["margin"] == DEGRADATION_MARGIN
    assert ev["n"] == [3, 3, 3] and ev["p_value"] < 0.05
    assert 0 <= claim["false_positive_rate"] <= 0.1 and claim["power"] is not None


def test_not_reproduced_when_plain_does_not_degrade():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.001], ("plain", 56): [0.005, 0.0],
        ("resnet", 8): [0.0, 0.0], ("resnet", 56): [0.0, 0.0]}))
    assert claim["verdict"] == "not_reproduced" and "not a significant rise" in claim["sentence"]


def test_not_reproduced_when_residual_degrades_too():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.01], ("plain", 56): [0.5, 0.52],
        ("resnet", 8): [0.0, 0.01], ("resnet", 56): [0.3, 0.31]}))
    assert claim["verdict"] == "not_reproduced" and "not shown flat" in claim["sentence"]


def test_a_resnet_inside_the_seed_spread_is_not_shown_flat():
    """Absence of evidence is not evidence: one unstable ResNet-56 seed leaves the ResNet unproven flat."""
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.0, 0.01], ("plain", 56): [0.5, 0.6, 0.55],
        ("resnet", 8): [0.0, 0.0, 0.0], ("resnet", 56): [0.0, 0.0, 0.29]}))
    assert claim["verdict"] == "not_reproduced"


def test_inconclusive_with_one_seed_or_one_depth_and_diverged_runs_count_as_chance():
    one_seed = runs_table({("plain", 8): [0.0], ("plain", 56): [0.5], ("resnet", 8): [0.0], ("resnet", 56): [0.0]})
    assert degradation_claim(one_seed)["verdict"] == "inconclusive"
    one_depth = runs_table({("plain", 8): [0.0, 0.0], ("resnet", 8): [0.0, 0.0]})
    assert degradation_claim(one_depth)["verdict"] == "inconclusive"
    diverged = runs_table({("plain", 8): [0.0, 0.01], ("plain", 56): [0.05, 0.06],
                           ("resnet", 8): [0.0, 0.01], ("resnet", 56): [0.0, 0.01]},
                          status={("plain", 56, 0): "diverged"})
    claim = degradation_claim(diverged)
    assert "1 run(s) diverged and count as chance" in claim["sentence"]
    assert claim["evidence"]["n_diverged"] == 1
    assert claim["evidence"]["plain_rise"]["effect"] == pytest.approx((0.9 + 0.06) / 2 - 0.005)


# Calibration at the quick profile's shape (depths 8-56, 3 seeds) and a trained net's seed spread
# (0.5 points; the quick profile's ResNets at depths 8-32 spread 0.0-0.5 points).
DEPTHS, SEEDS, SPREAD = (8, 20, 32, 56), 3, 0.005


def synthetic(rise: float, rng):
    depths = np.repeat(np.array(DEPTHS, dtype=float), SEEDS)
    plain = rng.normal(0.05 + rise * (depths - 8) / 48, SPREAD)
    return (depths, plain), (depths, rng.normal(0.05, SPREAD, len(depths)))


def decide(data):
    return stats.verdict(*degradation_decisions(*data))


def test_degradation_false_positive_rate_is_at_most_5_percent():
    assert stats.rate(lambda rng: synthetic(0.0, rng), decide, trials=1000) <= 0.05


def test_degradation_power_at_twice_the_margin_is_at_least_80_percent():
    assert stats.rate(lambda rng: synthetic(2 * DEGRADATION_MARGIN, rng), decide, trials=1000) >= 0.8
