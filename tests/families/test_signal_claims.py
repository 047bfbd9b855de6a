import pandas as pd

from resbench.families.signal.claims import (
    appended_layers_claim,
    identity_construction_claim,
    rank_collapse_claim,
    rank_shortcuts_claim,
    vanishing_gradients_claim,
)


def speeds_table(sigmoid_first_over_last: float, residual_ratio: float = 0.9,
                 deep_gain: float = -0.02, spread: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, acc = [], []
    for seed in range(3):
        jitter = 1 + spread * seed
        for residual, ratio in ((False, sigmoid_first_over_last), (True, residual_ratio)):
            for layers in (1, 2, 4):
                for layer in range(1, layers + 1):
                    # geometric from ratio (first/last) at the deepest net, milder for shallower nets
                    scale = (ratio * jitter) ** ((layers - layer) / 3) if layers > 1 else 1.0
                    rows.append({"activation": "sigmoid", "residual": residual, "layers": layers, "seed": seed,
                                 "epoch": 0, "layer": layer, "speed": 0.05 * scale})
                accuracy = 0.95 + (deep_gain if layers == 4 else 0.0) + 0.002 * seed
                acc.append({"activation": "sigmoid", "residual": residual, "layers": layers, "seed": seed,
                            "epoch": 30, "train_loss": 0.1, "test_accuracy": accuracy})
    return pd.DataFrame(rows), pd.DataFrame(acc)


def test_vanishing_gradients_verdicts():
    speeds, mlp = speeds_table(0.01)
    claim = vanishing_gradients_claim(speeds, mlp, None)
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert "slower than the last" in claim["sentence"] and claim["evidence"]["parts"]["first_layer_slow"]["n"] == [3]
    speeds, mlp = speeds_table(0.9)
    assert vanishing_gradients_claim(speeds, mlp, None)["verdict"] == "not_reproduced"
    speeds, mlp = speeds_table(0.01, deep_gain=0.05)  # deeper sigmoid nets still improving: half the claim fails
    claim = vanishing_gradients_claim(speeds, mlp, None)
    assert claim["verdict"] == "not_reproduced" and "accuracy stops improving" in claim["sentence"]


def rank_table(plain_kept: float, unscaled_kept: float = 0.04, scaled_kept: float = 0.6,
               spread: float = 0.02) -> pd.DataFrame:
    rows = []
    stacks = ((False, "none", plain_kept), (True, "none", unscaled_kept), (True, "inv_sqrt_depth", scaled_kept))
    for activation in ("linear", "relu", "tanh"):
        for residual, scaling, kept_no_bn in stacks:
            for batchnorm in (False, True):
                for init in range(3):
                    kept = 0.6 * (1 + 0.02 * init) if batchnorm else kept_no_bn * (1 + spread * init)
                    key = {"net": "fc", "activation": activation, "residual": residual, "branch_scaling": scaling,
                           "batchnorm": batchnorm, "init": init}
                    rows += [{**key, "layer": 0, "effective_rank": 50.0}, {**key, "layer": 32, "effective_rank": 50.0 * kept}]
    return pd.DataFrame(rows)


def test_rank_collapse_verdicts():
    assert rank_collapse_claim(rank_table(0.04))["verdict"] == "reproduced"
    assert rank_collapse_claim(rank_table(0.5))["verdict"] == "not_reproduced"


def test_rank_shortcuts_are_a_separate_claim_with_and_without_scaling():
    claim = rank_shortcuts_claim(rank_table(0.04))
    assert claim["verdict"] == "reproduced" and "Unscaled shortcuts do not slow the collapse" in claim["sentence"]
    assert rank_shortcuts_claim(rank_table(0.04, scaled_kept=0.05))["verdict"] == "not_reproduced"
    old = rank_table(0.04)
    old = old[old["branch_scaling"] == "none"].drop(columns="branch_scaling")  # tables from before the split
    assert rank_shortcuts_claim(old)["verdict"] == "inconclusive"
    assert rank_collapse_claim(old)["verdict"] == "reproduced"


def identity(diff: float, trained_error: float) -> dict:
    return {"shallow": "plain8_s0", "shallow_depth": 8, "shallow_train_loss": 0.01, "shallow_train_error": 0.0,
            "constructed": [{"depth": 56, "max_abs_diff": diff, "constructed_train_loss": 0.01,
                             "constructed_train_error": 0.0, "trained_run": "plain56_s0", "trained_train_loss": 1.0,
                             "trained_train_error": trained_error}]}


def test_identity_construction_verdicts():
    assert identity_construction_claim(identity(0.0, 0.5))["verdict"] == "reproduced"
    assert identity_construction_claim(identity(0.0, 0.0))["verdict"] == "inconclusive"
    assert identity_construction_claim(identity(1e-2, 0.5))["verdict"] == "not_reproduced"


def appended(plain_final: float, residual_final: float, seeds: int = 3, spread: float = 0.002) -> pd.DataFrame:
    rows = []
    for seed in range(seeds):
        for kind, final in (("plain", plain_final), ("residual", residual_final)):
            for epoch, error in ((0, 0.9), (1, 0.5), (2, final + (spread if kind == "plain" else 0.002) * seed)):
                rows.append({"appended": kind, "blocks": 4, "shallow": f"plain8_s{seed}", "seed": seed,
                             "shallow_train_error": 0.001 * seed, "epoch": epoch, "train_loss": error,
                             "train_error": error})
    return pd.DataFrame(rows)


def test_appended_layers_verdicts():
    assert appended_layers_claim(appended(0.4, 0.0))["verdict"] == "reproduced"
    assert appended_layers_claim(appended(0.0, 0.0))["verdict"] == "not_reproduced"
    assert appended_layers_claim(appended(0.4, 0.3))["verdict"] == "not_reproduced"
    assert appended_layers_claim(appended(0.4, 0.0, seeds=1))["verdict"] == "inconclusive"  # one seed: no spread


def _undecided(claim: dict, part: str) -> None:
    """The part's interval holds its bound: the claim is neither shown nor refuted."""
    assert claim["evidence"]["parts"][part]["outcome"] == "not_shown", claim["sentence"]
    assert claim["verdict"] == "inconclusive" and "Not shown, not contradicted" in claim["sentence"]


def test_inconclusive_when_an_interval_holds_the_claimed_effect():
    speeds, mlp = speeds_table(0.2, spread=0.5)  # first/last speed 0.2, 0.3, 0.4 over seeds against 1/4
    _undecided(vanishing_gradients_claim(speeds, mlp, None), "first_layer_slow")
    _undecided(rank_collapse_claim(rank_table(0.2, spread=0.5)), "linear: plain collapses")
    _undecided(rank_shortcuts_claim(rank_table(0.04, scaled_kept=0.35, spread=0.5)), "relu: scaled shortcuts keep rank")
    _undecided(appended_layers_claim(appended(0.05, 0.0, spread=0.06)), "plain_worse")


def test_appended_layers_are_tested_paired_by_shallow_net():
    claim = appended_layers_claim(appended(0.4, 0.0))
    assert "paired" in claim["evidence"]["parts"]["plain_worse"]["test"]
    assert "paired" in claim["evidence"]["parts"]["residual_keeps"]["test"]
