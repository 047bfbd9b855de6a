import pandas as pd

from resbench.report.lesion_claims import ensemble_lesion_claim, smoothness, stochastic_depth_claim


def lesion_rows(arch, depth, seed, baseline, single, curve):
    """A lesion.csv-like frame: baseline error, single deletions (in-stage), delete-k curve {k: error}."""
    rid = f"{arch}{depth}_s{seed}"
    common = {"arch": arch, "depth": depth, "seed": seed, "run_id": rid}
    rows = [{**common, "kind": "none", "k": 0, "test_error": baseline, "downsampling": False}]
    rows += [{**common, "kind": "delete_one", "k": 1, "test_error": e, "downsampling": False, "blocks": str(i)}
             for i, e in enumerate(single)]
    rows += [{**common, "kind": "delete_k", "k": k, "test_error": e, "downsampling": False} for k, e in curve.items()]
    return rows


def frame(*groups):
    return pd.DataFrame([r for g in groups for r in g])


def test_ensemble_reproduced_when_resnet_shrugs_and_plain_breaks():
    lesion = frame(*[lesion_rows("resnet", 20, s, 0.02, [0.03, 0.025, 0.04], {1: 0.05, 2: 0.12, 4: 0.22, 7: 0.35})
                     for s in (0, 1)],
                   *[lesion_rows("plain", 20, s, 0.02, [0.9, 0.88, 0.91], {1: 0.9, 2: 0.9, 4: 0.9, 7: 0.9})
                     for s in (0, 1)])
    claim = ensemble_lesion_claim(lesion)
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert claim["evidence"]["depth"] == 20


def test_ensemble_not_reproduced_when_resnet_also_breaks():
    lesion = frame(lesion_rows("resnet", 20, 0, 0.02, [0.8, 0.85], {1: 0.8, 2: 0.9}),
                   lesion_rows("plain", 20, 0, 0.02, [0.9, 0.9], {1: 0.9, 2: 0.9}))
    assert ensemble_lesion_claim(lesion)["verdict"] == "not_reproduced"


def test_ensemble_inconclusive_without_a_trained_plain_net():
    lesion = frame(lesion_rows("resnet", 56, 0, 0.02, [0.03], {1: 0.03}),
                   lesion_rows("plain", 56, 0, 0.55, [0.9], {1: 0.9}))
    assert ensemble_lesion_claim(lesion)["verdict"] == "inconclusive"


def test_smoothness_is_the_largest_step_share():
    assert smoothness(pd.Series([0.0, 0.9, 0.9])) == 1.0
    assert abs(smoothness(pd.Series([0.0, 0.3, 0.6, 0.9])) - 1 / 3) < 1e-9


def test_stochastic_depth_claim_compares_degradation_under_deletion():
    runs = pd.DataFrame({"arch": ["resnet", "resnet_sd"], "depth": [56, 56], "final_test_error": [0.03, 0.025]})
    graceful = frame(*[lesion_rows("resnet", 56, s, 0.03, [0.04], {1: 0.1 + d, 5: 0.6 + d}) for s, d in ((0, 0), (1, 0.02))],
                     *[lesion_rows("resnet_sd", 56, s, 0.03, [0.03], {1: 0.04 + d, 5: 0.2 + d}) for s, d in ((0, 0), (1, 0.02))])
    assert stochastic_depth_claim(graceful, runs)["verdict"] == "reproduced"
    same = frame(*[lesion_rows(a, 56, s, 0.03, [0.04], {1: 0.1, 5: 0.6 + 0.01 * s}) for a in ("resnet", "resnet_sd") for s in (0, 1)])
    assert stochastic_depth_claim(same, runs)["verdict"] == "not_reproduced"
    only_resnet = frame(lesion_rows("resnet", 56, 0, 0.03, [0.04], {1: 0.1}))
    assert stochastic_depth_claim(only_resnet, runs)["verdict"] == "inconclusive"
