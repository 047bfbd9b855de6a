import math

import pandas as pd
import pytest

from resbench.report.claims import degradation_claim


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
        ("plain", 8): [0.0, 0.0, 0.01], ("plain", 56): [0.5, 0.6, 0.55],
        ("resnet", 8): [0.0, 0.0, 0.0], ("resnet", 56): [0.0, 0.01, 0.0]}))
    assert claim["verdict"] == "reproduced"
    assert claim["sentence"].startswith("Reproduced") and "plain-56" in claim["sentence"]
    assert claim["evidence"]["plain"]["rise"] == pytest.approx(0.55 - 0.01 / 3)


def test_not_reproduced_when_plain_does_not_degrade():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.0], ("plain", 56): [0.005, 0.0],
        ("resnet", 8): [0.0, 0.0], ("resnet", 56): [0.0, 0.0]}))
    assert claim["verdict"] == "not_reproduced" and "within the seed spread" in claim["sentence"]


def test_not_reproduced_when_residual_degrades_too():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.0], ("plain", 56): [0.5, 0.5],
        ("resnet", 8): [0.0, 0.0], ("resnet", 56): [0.3, 0.3]}))
    assert claim["verdict"] == "not_reproduced" and "so do the residual nets" in claim["sentence"]


def test_seed_spread_can_swallow_a_rise():
    claim = degradation_claim(runs_table({
        ("plain", 8): [0.0, 0.0], ("plain", 56): [0.0, 0.4],  # mean 0.2, std 0.28
        ("resnet", 8): [0.0, 0.0], ("resnet", 56): [0.0, 0.0]}))
    assert claim["verdict"] == "not_reproduced"


def test_inconclusive_with_one_seed_or_one_depth_or_diverged_runs():
    one_seed = runs_table({("plain", 8): [0.0], ("plain", 56): [0.5], ("resnet", 8): [0.0], ("resnet", 56): [0.0]})
    assert degradation_claim(one_seed)["verdict"] == "inconclusive"
    one_depth = runs_table({("plain", 8): [0.0, 0.0], ("resnet", 8): [0.0, 0.0]})
    assert degradation_claim(one_depth)["verdict"] == "inconclusive"
    diverged = runs_table({("plain", 8): [0.0, 0.0], ("plain", 56): [0.5, 0.5],
                           ("resnet", 8): [0.0, 0.0], ("resnet", 56): [0.0, 0.0]},
                          status={("plain", 56, 0): "diverged"})
    claim = degradation_claim(diverged)
    assert claim["verdict"] == "inconclusive" and "1 run(s) diverged" in claim["sentence"]
    assert claim["evidence"]["n_diverged"] == 1
