"""The architectures family: its plan, its measurements on real modules, and its verdict rules on
synthetic tables (where the right answer is known)."""
import numpy as np
import pandas as pd
import pytest
import timm
import torch

from resbench.config import ConfigError

from resbench.hub.profile import validate_config
from resbench.families.architectures.catalog import NETS
from resbench.families.architectures.claims import (bottleneck_check, cardinality_claim, deletion_damage,
                                                    lesion_across_families_claim)
from resbench.families.architectures.figures import pareto_front
from resbench.families.architectures.measure import (bottleneck_example, cost_table, deletion_table,
                                                     saved_activation_bytes)
from resbench.families.architectures.plan import net_specs
from resbench.models.surgery import bypass, deletable_blocks, forward_lesioned


def test_plan_one_run_per_net_and_seed_with_the_papers_learning_rates():
    config = validate_config({"seeds": [0, 1, 2], "architectures": {"nets": ["alexnet", "resnext_c2"], "seeds": [0, 2]}})
    specs = {s["run_id"]: s for s in net_specs(config)}
    assert sorted(specs) == ["net_alexnet_s0", "net_alexnet_s2", "net_resnext_c2_s0", "net_resnext_c2_s2"]
    assert specs["net_alexnet_s0"]["train"]["lr"] == 0.01 and specs["net_resnext_c2_s0"]["train"]["lr"] == 0.1
    assert specs["net_alexnet_s0"]["config_hash"] == specs["net_alexnet_s2"]["config_hash"]  # seeds share the recipe
    assert specs["net_alexnet_s0"]["config_hash"] != specs["net_resnext_c2_s0"]["config_hash"]
    assert not validate_config({"architectures": {"enabled": False}})["architectures"]["enabled"]
    assert net_specs(validate_config({"architectures": {"enabled": False}})) == []


def test_canonical_size_uses_each_papers_schedule_and_refuses_the_budget_only_sweep():
    config = validate_config({"architectures": {"size": "canonical", "nets": ["resnext_c8", "densenet_bc", "vgg16"]}})
    specs = {s["arch"]: s for s in net_specs(config)}
    assert specs["resnext_c8"]["model"] == "resnext29_8x64d_cifar" and specs["resnext_c8"]["train"]["weight_decay"] == 5e-4
    assert specs["densenet_bc"]["train"]["batch_size"] == 64 and specs["densenet_bc"]["train"]["epochs"] == 300
    assert specs["vgg16"]["train"]["epochs"] == config["train"]["epochs"]
    short = validate_config({"architectures": {"size": "canonical", "nets": ["densenet_bc"], "epochs": 1}})
    train = net_specs(short)[0]["train"]  # an explicit length shortens the paper's schedule (a smoke run)
    assert train["epochs"] == 1 and train["batch_size"] == 64 and train["milestones"] == [150, 225]
    with pytest.raises(ConfigError, match="architectures.nets.*resnext_c1"):
        validate_config({"architectures": {"size": "canonical", "nets": ["resnext_c1"]}})
    with pytest.raises(ConfigError, match="architectures.nets"):
        validate_config({"architectures": {"nets": ["resnet1202"]}})
    with pytest.raises(ConfigError, match="architectures.seeds"):
        validate_config({"seeds": [0], "architectures": {"seeds": [3]}})


def test_every_catalog_net_builds_and_names_its_shape_keeping_blocks():
    for name, info in NETS.items():
        model = timm.create_model(info["budget"], in_chans=1, num_classes=10, **info.get("args", {})).eval()
        x = torch.randn(2, 1, 8, 8)
        intact = model(x)
        for i in deletable_blocks(model):  # a deleted shape-keeping block leaves a working net
            assert forward_lesioned(model, x, bypassed={i}).shape == intact.shape, (name, i)
        assert torch.allclose(forward_lesioned(model, x), intact, atol=1e-5), name


def test_deleting_blocks_by_kind():
    dense = timm.create_model("densenet_bc_budget_cifar", in_chans=1).eval()
    layer = dense.blocks[0]
    h = dense.stem(torch.randn(2, 1, 8, 8))
    out = bypass(layer, h)  # input passed on, the layer's own k features zero
    assert torch.equal(out[:, :h.shape[1]], h) and not out[:, h.shape[1]:].any()
    vgg = timm.create_model("vgg16_bn_budget_cifar", in_chans=1)
    keeps = deletable_blocks(vgg)
    assert keeps and all(not any(isinstance(m, torch.nn.MaxPool2d) for m in vgg.blocks[i].modules()) for i in keeps)
    lenet = timm.create_model("lenet5_budget_cifar", in_chans=1)
    assert deletable_blocks(lenet) == []  # every LeNet-5 layer changes the shape


def test_deletion_table_has_the_intact_model_and_each_deletable_block():
    torch.manual_seed(0)
    model = timm.create_model("resnext29_c2_budget_cifar", in_chans=1).eval()
    x, y = torch.randn(40, 1, 8, 8), torch.randint(0, 10, (40,))
    table = deletion_table(model, x, y, batch_size=16)
    assert list(table["block"]) == [-1, *deletable_blocks(model)]
    assert ((table["test_error"] >= 0) & (table["test_error"] <= 1)).all() and (table["n_blocks"] == 9).all()


def test_cost_table_counts_and_times_each_net():
    nets = {n: timm.create_model(NETS[n]["budget"], in_chans=1, **NETS[n].get("args", {})) for n in ("lenet5", "resnet20")}
    table = cost_table(nets, (1, 8, 8), 10, batch=8, rounds=2, iters=1).set_index("net")
    for name, model in nets.items():
        assert table.loc[name, "params"] == sum(p.numel() for p in model.parameters())
    assert (table["multiply_adds"] > 0).all() and (table["train_images_per_second"] > 0).all()
    assert (table["train_memory_mb"] > table["activation_mb"]).all()
    small, large = (saved_activation_bytes(nets["resnet20"].train(), torch.randn(b, 1, 8, 8)) for b in (4, 8))
    assert 1.8 < large / small < 2.2  # saved activations grow with the batch


def test_the_inception_bottleneck_example_as_the_sources_count_it():
    counts = bottleneck_example()
    assert counts["without_reduction"] == 28 * 28 * 32 * 5 * 5 * 192
    assert counts["with_reduction"] == 28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16
    check = bottleneck_check(counts)
    assert check["kind"] == "check" and check["verdict"] == "reproduced"
    assert bottleneck_check({**counts, "with_reduction": counts["without_reduction"]})["verdict"] == "not_reproduced"


def _runs(errors: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame([{"arch": net, "seed": s, "final_test_error": e, "final_train_error": e / 2, "status": "ok",
                          "params": 1000, "epochs_planned": 10} for net, errs in errors.items() for s, e in enumerate(errs)])


SWEEP_COST = pd.DataFrame({"net": ["resnext_c1", "resnext_c2", "resnext_c8"], "params": [270_000, 268_000, 271_000],
                           "multiply_adds": [40e6, 41e6, 39e6]})


def test_cardinality_verdicts():
    rng = np.random.default_rng(0)
    noisy = lambda m: list(m + rng.normal(0, 0.002, 5))  # noqa: E731
    gain = _runs({"resnext_c1": noisy(0.06), "resnext_c2": noisy(0.05), "resnext_c8": noisy(0.03)})
    claim = cardinality_claim(gain, SWEEP_COST)
    assert claim["verdict"] == "reproduced" and claim["power"] > 0.8 and claim["false_positive_rate"] <= 0.06
    flat = _runs({"resnext_c1": noisy(0.04), "resnext_c8": noisy(0.04)})
    assert cardinality_claim(flat, SWEEP_COST)["verdict"] == "not_reproduced"
    unequal = SWEEP_COST.assign(params=[270_000, 268_000, 400_000])
    claim = cardinality_claim(gain, unequal)
    assert claim["verdict"] == "inconclusive" and "one budget" in claim["sentence"]
    assert cardinality_claim(_runs({"resnext_c8": noisy(0.03)}), SWEEP_COST)["verdict"] == "inconclusive"


def _deletion(rises: dict[str, tuple[float, list[float]]]) -> pd.DataFrame:
    """Per net: (intact error, rise per seed); three deletable blocks of 9, all with that rise."""
    rows = []
    for net, (intact, per_seed) in rises.items():
        for seed, rise in enumerate(per_seed):
            rows.append({"net": net, "seed": seed, "block": -1, "test_error": intact, "n_blocks": 9})
            rows += [{"net": net, "seed": seed, "block": b, "test_error": intact + rise, "n_blocks": 9} for b in (1, 2, 4)]
    return pd.DataFrame(rows)


SMALL = [0.001, 0.004, 0.002, 0.003, 0.0015]  # five seeds: three would make the bootstrap degenerate (liberal)
BROKEN = [0.5, 0.6, 0.55, 0.52, 0.58]


def test_lesion_across_families_verdicts():
    small = [0.001, 0.004, 0.002]
    claim = lesion_across_families_claim(_deletion({"resnet20": (0.03, SMALL), "densenet_bc": (0.03, SMALL),
                                                    "vgg16_bn": (0.04, BROKEN),
                                                    "alexnet": (0.85, [0.0, 0.0, 0.0])}))
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert claim["evidence"]["skipped"] == {"alexnet": "did not train"}  # an untrained net says nothing
    mild = lesion_across_families_claim(_deletion({"resnet20": (0.03, small), "vgg16_bn": (0.04, [0.05, 0.06, 0.04])}))
    assert mild["verdict"] == "not_reproduced" and "VGG-16 + BN breaks" in mild["sentence"]
    fragile = lesion_across_families_claim(_deletion({"resnet20": (0.03, [0.08, 0.1, 0.09]),
                                                      "vgg16_bn": (0.04, [0.5, 0.6, 0.55])}))
    assert fragile["verdict"] == "not_reproduced"
    only_one_side = lesion_across_families_claim(_deletion({"resnet20": (0.03, small)}))
    assert only_one_side["verdict"] == "inconclusive"
    damage = deletion_damage(_deletion({"resnet20": (0.03, small)}))
    assert list(damage["deleted"]) == [3, 3, 3] and np.allclose(damage["median_rise"], small)


def test_pareto_front_keeps_only_undominated_points():
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0, 3.0, 4.0, 1.0])
    assert list(pareto_front(x, y)) == [0, 1, 3]


def test_architecture_claims_are_inconclusive_when_the_interval_holds_the_claimed_effect():
    """A 1.5-point cardinality gain scattered over seeds, and a ResNet-20 deletion cost of 2 points
    give intervals that hold both the claim and its opposite: neither shown nor refuted."""
    spread = _runs({"resnext_c1": [0.045, 0.06, 0.075], "resnext_c8": [0.04, 0.045, 0.05]})
    claim = cardinality_claim(spread, SWEEP_COST)
    gain = claim["evidence"]["parts"]["gain"]
    assert gain["low"] < 0.01 < gain["high"] and claim["verdict"] == "inconclusive", claim["sentence"]
    assert "Not shown, not contradicted: gain" in claim["sentence"]
    unsure = lesion_across_families_claim(_deletion({"resnet20": (0.03, [0.0, 0.02, 0.04]),
                                                     "vgg16_bn": (0.04, [0.5, 0.6, 0.55])}))
    assert unsure["evidence"]["parts"]["ResNet-20 loses little"]["outcome"] == "not_shown"
    assert unsure["verdict"] == "inconclusive", unsure["sentence"]


def test_lesion_across_families_tests_each_family_once_and_never_pools_seeds():
    """The sweep's C = 1 net stands for no family (ResNeXt is its C = 8 net); a net without identity
    paths is tested against the bound plus the margin on its own seeds."""
    claim = lesion_across_families_claim(_deletion({"resnet20": (0.03, SMALL), "resnext_c1": (0.03, [0.1, 0.2, 0.15]),
                                                    "resnext_c8": (0.03, SMALL), "vgg16_bn": (0.04, BROKEN)}))
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert "cardinality sweep" in claim["evidence"]["skipped"]["resnext_c1"]
    breaks = claim["evidence"]["parts"]["VGG-16 + BN breaks"]
    assert breaks["n"] == [5] and breaks["margin"] == pytest.approx(0.22)
