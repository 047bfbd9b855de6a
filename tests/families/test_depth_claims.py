import math

import pandas as pd
import pytest

from resbench.families.depth.claims import DEGRADATION_MARGIN, degradation_claim, degradation_decisions, degradation_groups


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
        ("plain", 8): [0.0, 0.003, 0.01, 0.005, 0.002], ("plain", 20): [0.01, 0.02, 0.0, 0.015, 0.005],
        ("plain", 56): [0.5, 0.6, 0.55, 0.52, 0.58], ("resnet", 8): [0.0, 0.002, 0.001, 0.003, 0.0015],
        ("resnet", 20): [0.0, 0.001, 0.002, 0.0005, 0.003], ("resnet", 56): [0.0, 0.01, 0.004, 0.002, 0.006]}))
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert claim["sentence"].startswith("Reproduced") and "plain training error rises" in claim["sentence"]
    ev = claim["evidence"]["parts"]["plain_rise"]
    assert ev["effect"] > 0.4 and ev["low"] < ev["effect"] < ev["high"] and ev["margin"] == DEGRADATION_MARGIN
    assert ev["n"] == [5, 5, 5] and ev["p_value"] < 0.05 and ev["outcome"] == "shown"
    assert 0 <= claim["false_positive_rate"] <= 0.1 and claim["power"] is not None
    assert 0 <= claim["resampled_false_positive_rate"] <= 1 and claim["evidence"]["calibration"]["resampled_power"] is not None


def test_not_reproduced_when_the_data_show_plain_nets_do_not_degrade():
    """Plain error rising by 0.1 point [interval well under the 2-point margin]: the data contradict it."""
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.001, 0.002], ("plain", 56): [0.002, 0.001, 0.003],
        ("resnet", 8): [0.0, 0.001, 0.0], ("resnet", 56): [0.0, 0.001, 0.001]}))
    assert claim["verdict"] == "not_reproduced", claim["sentence"]
    assert "Contradicted by the data: plain rise" in claim["sentence"]
    assert claim["evidence"]["parts"]["plain_rise"]["high"] < DEGRADATION_MARGIN


def test_not_reproduced_when_residual_degrades_too():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.01, 0.005], ("plain", 56): [0.5, 0.52, 0.51],
        ("resnet", 8): [0.0, 0.01, 0.005], ("resnet", 56): [0.3, 0.31, 0.305]}))
    assert claim["verdict"] == "not_reproduced" and "Contradicted by the data: resnet flat" in claim["sentence"]


def test_a_resnet_inside_the_seed_spread_is_inconclusive_not_refuted():
    """Absence of evidence is neither proof nor disproof: one unstable ResNet-56 seed leaves the ResNet's
    change an interval that holds both 0 and the 2-point margin, and the claim says how many seeds
    would decide it."""
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.0, 0.01], ("plain", 56): [0.5, 0.6, 0.55],
        ("resnet", 8): [0.0, 0.0, 0.0], ("resnet", 56): [0.0, 0.0, 0.29]}))
    ev = claim["evidence"]["parts"]["resnet_flat"]
    assert ev["low"] < DEGRADATION_MARGIN < ev["high"] and ev["outcome"] == "not_shown"
    assert claim["verdict"] == "inconclusive", claim["sentence"]
    assert "Not shown, not contradicted: resnet flat" in claim["sentence"]
    assert "seeds per group" in claim["sentence"] and claim["seeds_for_power"] != 3


def test_plain_rise_inside_its_interval_is_inconclusive():
    """A plain rise of 3 points whose interval [~0, ~6] holds the 2-point margin: not shown, not refuted."""
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.01, 0.0], ("plain", 56): [0.0, 0.03, 0.07],
        ("resnet", 8): [0.0, 0.001, 0.0], ("resnet", 56): [0.0, 0.001, 0.001]}))
    ev = claim["evidence"]["parts"]["plain_rise"]
    assert ev["low"] < DEGRADATION_MARGIN < ev["high"]
    assert claim["verdict"] == "inconclusive" and "Not shown, not contradicted: plain rise" in claim["sentence"]


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
    assert claim["evidence"]["parts"]["plain_rise"]["effect"] == pytest.approx((0.9 + 0.06) / 2 - 0.005)


def test_decisions_read_every_depth_of_the_grid():
    groups = degradation_groups(runs_table({("plain", d): [0.001 * d, 0.001 * d + 0.002] for d in (8, 20, 56)}
                                           | {("resnet", d): [0.0, 0.001] for d in (8, 20, 56)}))
    parts = degradation_decisions(groups)
    assert parts["plain_rise"].n == (2, 2, 2) and parts["plain_rise"].effect == pytest.approx(0.048)
