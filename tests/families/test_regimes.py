"""Each claim is tested only in its paper's regime: outside it a claim is `inconclusive` whatever its test
reads (one case per family, through the family's own `claims`), and inside it the test decides."""
import math

import numpy as np
import pandas as pd
import pytest

from resbench.config import fill_defaults, load_schema, load_yaml
from resbench.families import FAMILIES
from resbench.families.architectures.regime import XIE_RELATIVE_GAIN
from resbench.families.landscape.regime import landscape_smoothness
from resbench.families.signal.regime import PLATEAU, plateau_gain, vanishing_gradients
from resbench.families.variants.regime import shortcut_variants
from resbench.report.regime import TRAINS, regime, within

FAMILY = {f.name: f for f in FAMILIES}
OUTSIDE = "Inconclusive: outside the paper's regime"


@pytest.fixture(scope="module")
def config():
    return fill_defaults(load_yaml("config/standard.yaml"), load_schema())


def claim_of(family: str, tables: dict, config: dict, claim_id: str) -> dict:
    return {c["id"]: c for c in FAMILY[family].report().claims(tables, config)}[claim_id]


def test_within_withholds_a_decided_verdict_only_when_the_regime_is_not_met():
    decided = {"id": "x", "verdict": "reproduced", "sentence": "Reproduced: the effect is 3 points.", "evidence": {}}
    out = within(decided, regime("nets train", {"error": 0.5}, False, "error 50%", "more epochs"))
    assert out["verdict"] == "inconclusive" and out["sentence"].startswith(OUTSIDE)
    assert "nets train" in out["sentence"] and "error 50%" in out["sentence"] and "more epochs" in out["sentence"]
    assert "the effect is 3 points" in out["sentence"] and out["evidence"]["outside_regime_test_read"] == "reproduced"
    assert out["regime"]["met"] is False and decided["verdict"] == "reproduced"  # the input is not changed
    for met in (True, None):
        kept = within(decided, regime("nets train", {}, met, "m"))
        assert kept["verdict"] == "reproduced" and kept["regime"]["met"] is met


def depth_runs(resnet_error: float) -> pd.DataFrame:
    rows = []
    for arch, errors in (("plain", {8: 0.01, 20: 0.02, 56: 0.55}), ("resnet", dict.fromkeys((8, 20, 56), resnet_error))):
        for depth, error in errors.items():
            for seed in range(3):
                e = error + 0.003 * seed
                rows.append({"arch": arch, "depth": depth, "seed": seed, "run_id": f"{arch}{depth}_s{seed}",
                             "status": "completed", "params": 1, "final_train_error": e, "final_test_error": e,
                             "test_error_at_best_val": e})
    return pd.DataFrame(rows)


def test_depth_degradation_needs_resnets_that_train(config):
    inside = claim_of("depth", {"runs": depth_runs(0.01)}, config, "degradation")
    assert inside["verdict"] == "reproduced" and inside["regime"]["met"] is True
    outside = claim_of("depth", {"runs": depth_runs(0.30)}, config, "degradation")  # flat, but at 30%: nothing trains
    assert outside["regime"]["met"] is False and outside["verdict"] == "inconclusive"
    assert outside["sentence"].startswith(OUTSIDE)


def sd_runs(standard: list[float], sd: list[float], epochs: int, n_train: int) -> pd.DataFrame:
    return pd.DataFrame([{"arch": a, "depth": 56, "seed": i, "run_id": f"{a}56_s{i}", "final_test_error": e,
                          "final_train_error": 0.0, "epochs_planned": epochs, "n_train": n_train}
                         for a, errors in (("resnet", standard), ("resnet_sd", sd)) for i, e in enumerate(errors)])


def test_stochastic_depth_needs_a_long_schedule_and_room_for_the_published_gain(config):
    config = {**config, "sequential": {"rounds": 1}}  # one look at 5% (standard.yaml's first of three looks is at 0.07%)
    better = ([0.070, 0.072, 0.068, 0.071, 0.069], [0.052, 0.055, 0.050, 0.053, 0.051])
    batch = config["train"]["batch_size"]
    long = sd_runs(*better, epochs=500, n_train=45_000)
    inside = claim_of("lesion", {"runs": long}, config, "stochastic_depth")
    assert inside["regime"]["met"] is True and inside["verdict"] == "reproduced"
    assert inside["regime"]["values"]["updates"] == 500 * math.ceil(45_000 / batch)
    short = sd_runs(*better, epochs=8, n_train=1294)  # the digits schedule: 8 epochs of 21 batches
    outside = claim_of("lesion", {"runs": short}, config, "stochastic_depth")
    assert outside["regime"]["met"] is False and outside["verdict"] == "inconclusive"
    low = sd_runs([0.016, 0.017, 0.015], [0.004, 0.005, 0.004], epochs=500, n_train=45_000)  # 1.6%: no room
    assert claim_of("lesion", {"runs": low}, config, "stochastic_depth")["sentence"].startswith(OUTSIDE)


def mlp_curves(final: dict[int, float], still_rising: dict[int, float] | None = None, epochs: int = 40) -> pd.DataFrame:
    rows = []
    for layers, accuracy in final.items():
        rise = (still_rising or {}).get(layers, 0.0)
        for seed in range(3):
            for epoch in range(epochs + 1):
                value = accuracy - rise * (1 - epoch / epochs) if epoch else 0.1
                rows += [{"activation": "sigmoid", "residual": residual, "layers": layers, "seed": seed,
                          "epoch": epoch, "train_loss": 0.1, "test_accuracy": value + 0.001 * seed * residual}
                         for residual in (False, True)]
    return pd.DataFrame(rows)


def test_vanishing_gradients_needs_every_mlp_trained_and_on_its_plateau():
    assert plateau_gain([0.1, 0.5, 0.9, 0.95, 0.96]) == pytest.approx(0.01)  # the last quarter of 4 epochs
    assert vanishing_gradients(mlp_curves({1: 0.96, 2: 0.965, 4: 0.958}))["met"] is True
    stuck = vanishing_gradients(mlp_curves({1: 0.96, 2: 0.965, 4: 0.10}))  # flat at chance is no plateau
    assert stuck["met"] is False and "4: 10.0%" in stuck["measured"]
    rising = vanishing_gradients(mlp_curves({1: 0.96, 2: 0.965, 4: 0.93}, {4: 8 * PLATEAU}))
    assert rising["met"] is False and rising["values"]["last_quarter_gain"][4] >= PLATEAU


def test_signal_claims_outside_their_regime_are_inconclusive(config):
    from tests.families.test_signal_claims import appended, speeds_table

    speeds, _ = speeds_table(0.01)
    curves = mlp_curves({1: 0.96, 2: 0.965, 4: 0.10})  # the deepest sigmoid MLP never trained
    claim = claim_of("signal", {"signal_speeds": speeds, "signal_mlp": curves}, config, "vanishing_gradients")
    assert claim["regime"]["met"] is False and claim["sentence"].startswith(OUTSIDE)
    frame = appended(0.3, 0.0)
    assert claim_of("signal", {"signal_appended": frame}, config, "appended_layers")["regime"]["met"] is True
    untrained = frame.assign(shallow_train_error=0.85)  # random labels: the frozen nets never trained
    claim = claim_of("signal", {"signal_appended": untrained}, config, "appended_layers")
    assert claim["regime"]["met"] is False and claim["verdict"] == "inconclusive"
    from tests.families.test_signal_claims import rank_table

    noise = depth_runs(0.9)  # fabricated images: not even the shallowest ResNet learns them
    for claim_id in ("rank_collapse", "rank_shortcuts"):
        learnable = claim_of("signal", {"signal_rank": rank_table(0.05), "runs": depth_runs(0.01)}, config, claim_id)
        assert learnable["regime"]["met"] is True, claim_id
        claim = claim_of("signal", {"signal_rank": rank_table(0.05), "runs": noise}, config, claim_id)
        assert claim["regime"]["met"] is False and claim["verdict"] == "inconclusive", claim_id


def test_landscape_needs_a_fine_grid_and_a_plain_net_that_trains_but_degraded():
    runs = pd.DataFrame([{"run_id": f"{a}32_s{s}", "arch": a, "depth": 32, "seed": s,
                          "final_train_error": tr, "final_test_error": te}
                         for a, tr, te in (("plain", 0.05, 0.09), ("resnet", 0.0, 0.03)) for s in range(2)])
    def grid(resolution: int) -> pd.DataFrame:  # the surfaces' own coordinates say how fine the grid is
        axis = np.linspace(-1, 1, resolution)
        return pd.DataFrame([{"run_id": r, "alpha": a, "beta": b} for r in runs["run_id"] for a in axis for b in axis])

    assert landscape_smoothness(runs, grid(21))["met"] is True
    coarse = landscape_smoothness(runs, grid(11))
    assert coarse["met"] is False and coarse["values"]["spacing"] == pytest.approx(0.2)
    undegraded = runs.assign(final_test_error=0.03)  # the plain net trains and matches its ResNet: not Li's regime
    assert landscape_smoothness(undegraded, grid(21))["met"] is False


def test_variants_need_an_identity_net_that_trains(config):
    frame = pd.DataFrame([{"variant": "identity", "seed": s, "final_test_error": e} for s, e in enumerate((0.5, 0.6))])
    reg = shortcut_variants(frame, config)
    assert reg["met"] is False and reg["values"]["fail_error"] == config["variants"]["fail_error"]


def test_cardinality_needs_room_for_the_published_relative_gain(config):
    from tests.families.test_architectures import SWEEP_COST, _runs

    rng = np.random.default_rng(0)
    noisy = lambda m: list(m + rng.normal(0, 0.002, 5))  # noqa: E731
    low = _runs({"resnext_c1": noisy(0.06), "resnext_c8": noisy(0.03)})  # a 3-point gain at 6%: the test says yes
    tables = {"net_runs": low, "net_cost": SWEEP_COST}
    claim = claim_of("architectures", tables, config, "cardinality")
    assert XIE_RELATIVE_GAIN * 0.06 < 0.01 and claim["regime"]["met"] is False
    assert claim["sentence"].startswith(OUTSIDE) and claim["evidence"]["outside_regime_test_read"] == "reproduced"
    high = _runs({"resnext_c1": noisy(0.18), "resnext_c8": noisy(0.15)})
    claim = claim_of("architectures", {"net_runs": high, "net_cost": SWEEP_COST}, config, "cardinality")
    assert claim["regime"]["met"] is True and claim["verdict"] == "reproduced" and 0.18 < TRAINS


def test_every_declared_claim_states_its_regime_criterion():
    for family in FAMILIES:
        criteria = family.regime_criteria()
        assert {claim_id for claim_id, _, _ in family.claims} <= set(criteria), family.name


def test_a_coarse_landscape_claim_is_outside_its_regime_whatever_its_test_reads(config):
    from tests.families.test_landscape import bumpy_bowl, leveling_basin, surfaces

    smooth, rough = [leveling_basin()] * 3, [bumpy_bowl(), bumpy_bowl() * 1.1, bumpy_bowl() + 0.2]
    chaotic = surfaces({("plain", 20): smooth, ("plain", 56): rough, ("resnet", 20): smooth, ("resnet", 56): smooth})
    ids = chaotic[["run_id", "arch", "depth", "seed"]].drop_duplicates()
    runs = ids.assign(final_train_error=0.01, final_test_error=np.where(ids["arch"] == "plain", 0.09, 0.03))
    curvature = pd.DataFrame({"arch": ["plain", "resnet"], "depth": [56, 56], "seed": [0, 0], "lambda_max": [1000.0, 12.0]})
    tables = {"landscape_curvature": curvature, "landscape": chaotic, "runs": runs}
    claim = claim_of("landscape", tables, config, "landscape_smoothness")  # 11x11: spacing 0.2
    assert claim["regime"]["met"] is False and claim["regime"]["values"]["resolution"] == 11
    assert claim["verdict"] == "inconclusive" and claim["evidence"]["outside_regime_test_read"] == "reproduced"
