import math

import pandas as pd
import pytest

from resbench.families.lesion.claims import cliff_per_block, ensemble_lesion_claim, smoothness, stochastic_depth_claim


def lesion_rows(arch, depth, seed, baseline, single, curve, down=None):
    """A lesion.csv-like frame: baseline error, single deletions (in-stage), optional downsampling
    deletions, delete-k curve {k: error}."""
    rid = f"{arch}{depth}_s{seed}"
    common = {"arch": arch, "depth": depth, "seed": seed, "run_id": rid}
    rows = [{**common, "kind": "none", "k": 0, "test_error": baseline, "downsampling": False}]
    rows += [{**common, "kind": "delete_one", "k": 1, "test_error": e, "downsampling": False, "blocks": str(i)}
             for i, e in enumerate(single)]
    rows += [{**common, "kind": "delete_one", "k": 1, "test_error": e, "downsampling": True, "blocks": f"d{i}"}
             for i, e in enumerate(down or [])]
    rows += [{**common, "kind": "delete_k", "k": k, "test_error": e, "downsampling": False} for k, e in curve.items()]
    return rows


def frame(*groups):
    return pd.DataFrame([r for g in groups for r in g])


def veit_like(resnet_single=(0.03, 0.025, 0.035), curve=None, seeds=(0, 1, 2)):
    curve = curve or {1: 0.05, 2: 0.08, 4: 0.14, 7: 0.23}
    return frame(*[lesion_rows("resnet", 20, s, 0.02, [e + 0.002 * s for e in resnet_single], curve,
                               down=[0.2 + 0.01 * s, 0.25]) for s in seeds],
                 *[lesion_rows("plain", 20, s, 0.02, [0.9 - 0.01 * s, 0.88, 0.91], {1: 0.9, 2: 0.9, 4: 0.9, 7: 0.9})
                   for s in seeds])


def short_paths(decay=0.5):
    return pd.DataFrame([{"arch": "resnet", "depth": 20, "run_id": "resnet20_s0", "k": k,
                          "total_gradient": math.comb(9, k) * decay ** k} for k in range(10)])


def test_ensemble_reproduced_when_resnet_shrugs_and_plain_breaks():
    claim = ensemble_lesion_claim(veit_like(), short_paths())
    assert claim["verdict"] == "reproduced", claim["sentence"]
    parts = claim["evidence"]["parts"]
    assert parts["resnet_one_block"]["effect"] == pytest.approx(0.012, abs=2e-3) and parts["resnet_one_block"]["holds"]
    assert claim["evidence"]["depth"] == 20 and claim["false_positive_rate"] <= 0.05 + 3 * 0.0069  # MC error, 1,000 draws
    assert parts["downsampling_exception"]["outcome"] == "shown" and "paired" in parts["downsampling_exception"]["test"] \
        or parts["downsampling_exception"]["test"].startswith("one-sided one-sample")
    untested = ensemble_lesion_claim(veit_like())  # no path table: that part is untested, so not "reproduced"
    assert untested["verdict"] == "inconclusive" and "Untested: short paths" in untested["sentence"]


def test_the_bound_is_absolute_not_relative_to_the_plain_net():
    """A ResNet losing 8 points per deleted block does not 'barely change' because a plain net loses 90."""
    claim = ensemble_lesion_claim(veit_like(resnet_single=(0.10, 0.09, 0.11)), short_paths())
    assert claim["verdict"] == "not_reproduced" and "resnet one block" in claim["sentence"]


def test_a_cliff_in_k_is_not_smooth():
    claim = ensemble_lesion_claim(veit_like(curve={1: 0.03, 2: 0.03, 4: 0.03, 5: 0.9, 7: 0.9}), short_paths())
    assert claim["evidence"]["parts"]["smooth_in_k"]["holds"] is False and claim["verdict"] == "not_reproduced"


def test_short_paths_carry_the_gradient():
    claim = ensemble_lesion_claim(veit_like(), short_paths())
    assert claim["evidence"]["parts"]["short_paths"]["effect"] == pytest.approx(1 / 3, abs=0.01)  # Binomial(9, 1/3)
    assert claim["verdict"] == "reproduced"
    flat = ensemble_lesion_claim(veit_like(), short_paths(decay=1.0))  # every path carries the same gradient
    assert flat["verdict"] == "not_reproduced" and flat["evidence"]["parts"]["short_paths"]["effect"] == pytest.approx(0.5)


def test_ensemble_not_reproduced_when_resnet_also_breaks():
    lesion = frame(*[lesion_rows("resnet", 20, s, 0.02, [0.8, 0.85], {1: 0.8, 2: 0.9}) for s in (0, 1)],
                   *[lesion_rows("plain", 20, s, 0.02, [0.9, 0.9], {1: 0.9, 2: 0.9}) for s in (0, 1)])
    assert ensemble_lesion_claim(lesion)["verdict"] == "not_reproduced"


def test_ensemble_inconclusive_without_a_trained_plain_net():
    lesion = frame(lesion_rows("resnet", 56, 0, 0.02, [0.03], {1: 0.03}),
                   lesion_rows("plain", 56, 0, 0.55, [0.9], {1: 0.9}))
    assert ensemble_lesion_claim(lesion)["verdict"] == "inconclusive"


def test_smoothness_is_the_largest_step_share_and_the_cliff_is_per_block():
    assert smoothness(pd.Series([0.0, 0.9, 0.9])) == 1.0
    assert abs(smoothness(pd.Series([0.0, 0.3, 0.6, 0.9])) - 1 / 3) < 1e-9
    uneven = pd.Series([0.0, 0.1, 0.2, 0.5], index=[0, 1, 2, 5])  # a straight line on an uneven k grid
    assert cliff_per_block(uneven) == pytest.approx(1.0)


def test_ensemble_inconclusive_when_the_one_block_cost_is_not_shown_under_the_bound():
    """ResNet deletions cost 1.5 points with a wide seed spread: the interval holds 0 and the 2-point
    bound, so the data neither show nor refute the claim."""
    lesion = veit_like()
    inner = (lesion["arch"] == "resnet") & (lesion["kind"] == "delete_one") & ~lesion["downsampling"].astype(bool)
    lesion.loc[inner, "test_error"] = 0.02 + 0.015 * lesion.loc[inner, "seed"]  # +0, +1.5, +3 points
    claim = ensemble_lesion_claim(lesion, short_paths())
    part = claim["evidence"]["parts"]["resnet_one_block"]
    assert part["low"] < 0.02 < part["high"] and part["outcome"] == "not_shown"
    assert claim["verdict"] == "inconclusive", claim["sentence"]
    assert "Not shown, not contradicted: resnet one block" in claim["sentence"]


def test_each_net_is_tested_at_the_deepest_depth_where_every_seed_trained():
    """At depth 56 one plain seed did not train: the plain part moves to depth 20, where all did, instead
    of keeping the plain seeds that happened to work; the ResNet part stays at 56, where every ResNet
    seed trained (Veit et al. lesion their deepest ResNet beside a shallower plain net)."""
    deep = frame(*[lesion_rows("resnet", 56, s, 0.02, [0.021, 0.02], {1: 0.03}, down=[0.2, 0.25]) for s in (0, 1, 2)],
                 *[lesion_rows("plain", 56, s, 0.02 if s else 0.6, [0.9, 0.9], {1: 0.9}) for s in (0, 1, 2)])
    claim = ensemble_lesion_claim(pd.concat([veit_like(), deep]), short_paths())
    assert claim["evidence"]["depth"] == 56 and claim["evidence"]["plain_depth"] == 20
    assert "ResNet-56" in claim["sentence"] and "plain-20" in claim["sentence"]
    assert claim["evidence"]["parts"]["resnet_one_block"]["effect"] == pytest.approx(0.0005, abs=1e-6)
    failed = deep.assign(test_error=lambda f: f["test_error"].where(f["arch"] != "resnet", 0.6))
    assert ensemble_lesion_claim(failed)["verdict"] == "inconclusive"


def test_downsampling_blocks_must_cost_more_than_in_stage_ones():
    """Downsampling deletions costing what in-stage ones cost (paired, same models): contradicted."""
    lesion = veit_like()
    lesion.loc[lesion["downsampling"].astype(bool), "test_error"] = 0.03
    claim = ensemble_lesion_claim(lesion, short_paths())
    assert claim["evidence"]["parts"]["downsampling_exception"]["outcome"] == "contradicted"
    assert claim["verdict"] == "not_reproduced"


def sd_runs(standard, sd, depth=56):
    return pd.DataFrame([{"arch": a, "depth": depth, "seed": i, "final_test_error": e}
                         for a, errors in (("resnet", standard), ("resnet_sd", sd)) for i, e in enumerate(errors)])


def test_stochastic_depth_claim_is_the_published_test_error_gain():
    better = sd_runs([0.070, 0.072, 0.068], [0.052, 0.055, 0.050])
    claim = stochastic_depth_claim(better)
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert claim["evidence"]["parts"]["improvement"]["effect"] > 0.015 and claim["power"] is not None
    worse = sd_runs([0.028, 0.03, 0.027], [0.17, 0.16, 0.18])  # the quick profile's case: SD made it worse
    claim = stochastic_depth_claim(worse)
    assert claim["verdict"] == "not_reproduced" and "made the net worse" in claim["sentence"]
    small = sd_runs([0.070, 0.072, 0.068], [0.066, 0.067, 0.065])  # shown under the 1-point margin: refuted
    assert stochastic_depth_claim(small)["verdict"] == "not_reproduced"
    unsure = sd_runs([0.070, 0.09, 0.05], [0.066, 0.045, 0.05])  # +1.6 points, interval holding 0 and 1
    claim = stochastic_depth_claim(unsure)
    assert claim["evidence"]["parts"]["improvement"]["low"] < 0.01 < claim["evidence"]["parts"]["improvement"]["high"]
    assert claim["verdict"] == "inconclusive" and "Not shown, not contradicted: improvement" in claim["sentence"]
    assert stochastic_depth_claim(sd_runs([0.07], [0.05]))["verdict"] == "inconclusive"


def test_deletion_robustness_is_secondary_and_normalized_by_headroom():
    runs = sd_runs([0.03, 0.03], [0.03, 0.03])
    lesion = frame(*[lesion_rows("resnet", 56, s, 0.03, [0.04], {1: 0.1, 5: 0.6}) for s in (0, 1)],
                   *[lesion_rows("resnet_sd", 56, s, 0.03, [0.03], {1: 0.04, 5: 0.2}) for s in (0, 1)])
    claim = stochastic_depth_claim(runs, lesion)
    assert claim["verdict"] == "not_reproduced"  # robust under deletion, but no better: not the claim
    damage = claim["evidence"]["deletion_damage_share_of_headroom"]
    assert damage["resnet_sd"] < damage["resnet"]


def test_ensemble_not_reproduced_when_plain_nets_do_not_break():
    """Plain nets losing about what the ResNet loses: the plain-breaks part alone refutes the claim."""
    lesion = veit_like()
    inner = (lesion["arch"] == "plain") & (lesion["kind"] == "delete_one")
    lesion.loc[inner, "test_error"] = 0.035 + 0.001 * lesion.loc[inner, "seed"]
    claim = ensemble_lesion_claim(lesion, short_paths())
    seen = {k: p["outcome"] for k, p in claim["evidence"]["parts"].items()}
    assert seen["plain_breaks"] == "contradicted" and seen["resnet_one_block"] == "shown"
    assert claim["verdict"] == "not_reproduced"


def test_the_in_stage_cost_is_said_as_median_with_mean_and_worst_block():
    claim = ensemble_lesion_claim(veit_like(resnet_single=(0.02, 0.021, 0.08)))
    spread = claim["evidence"]["resnet_in_stage"]
    assert spread["worst_block"] == "2" and spread["worst_block_cost"] == pytest.approx(0.062, abs=0.003)
    assert spread["mean_over_blocks"] > claim["evidence"]["median_single_deletion_increase"]["resnet"]
    assert "median in-stage block deletion" in claim["sentence"] and "the worst block, 2, costs" in claim["sentence"]
