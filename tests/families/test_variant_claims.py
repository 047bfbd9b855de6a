import math

import pandas as pd
import pytest

from resbench.families.variants.claims import shortcut_variants_claim, variant_stats, variant_tables


def runs(spec: dict) -> pd.DataFrame:
    """spec: {variant: [(test_error, train_loss, status), ...]} -> a variants runs.csv-like frame."""
    rows = []
    for variant, results in spec.items():
        for seed, (test, loss, status) in enumerate(results):
            rows.append({"variant": variant, "seed": seed, "final_test_error": test, "final_train_loss": 2 * loss,
                         "final_train_loss_eval": loss, "status": status, "params": 1000})
    return pd.DataFrame(rows)


GOOD = [(0.02, 0.01, "completed"), (0.025, 0.012, "completed"), (0.022, 0.011, "completed")]


def test_reproduced_when_obstructed_shortcuts_train_worse_or_fail():
    frame = runs({"identity": GOOD, "full_preact": GOOD,
                  "scale": [(0.3, 0.9, "completed")] * 3, "gate_exclusive": [(0.04, 0.05, "completed"),
                                                                          (0.04, 0.06, "completed"),
                                                                          (0.045, 0.055, "completed")],
                  "dropout": [(float("nan"), float("nan"), "diverged")] * 3})
    claim = shortcut_variants_claim(frame, fail_error=0.1)
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert set(claim["evidence"]["failed"]) == {"scale", "dropout"}
    assert claim["evidence"]["decisions"]["gate_exclusive"]["why"] == "loss ratio"
    assert claim["false_positive_rate"] <= 0.05


def test_a_slightly_higher_loss_is_not_worse():
    """The old rule (median strictly higher) called noise 'worse': 3 of 3 variants a hair above identity."""
    above = [(0.02, 0.0101, "completed"), (0.025, 0.0122, "completed"), (0.022, 0.0111, "completed")]
    frame = runs({"identity": GOOD, "scale": above, "gate_exclusive": above, "conv1x1": above})
    assert shortcut_variants_claim(frame, fail_error=0.1)["verdict"] == "not_reproduced"


def test_not_reproduced_when_obstructed_shortcuts_train_as_well():
    frame = runs({"identity": [(0.05, 0.2, "completed")] * 3, "scale": GOOD, "gate_exclusive": GOOD})
    assert shortcut_variants_claim(frame, fail_error=0.1)["verdict"] == "not_reproduced"


def test_inconclusive_without_identity():
    assert shortcut_variants_claim(runs({"scale": GOOD}), 0.1)["verdict"] == "inconclusive"


@pytest.mark.parametrize("spread, min_power", [(0.15, 0.8), (0.3, 0.0)])
def test_variant_rule_calibration_at_the_quick_profiles_shape(spread, min_power):
    """Six obstructed variants and identity, 3 seeds. False positives stay under 5% at any spread;
    power reaches 80% for seed spreads of the log loss up to about 0.15 (±16%). At 0.3 (±35%) three
    seeds give about a third: the claim then reports that power rather than widening the margin."""
    from resbench import stats
    from resbench.families.variants.catalog import OBSTRUCTED
    from resbench.families.variants.claims import LOSS_RATIO_MARGIN, _reproduced, obstructed_decisions

    def draw(shift):
        return lambda rng: {v: rng.normal(-3 + (shift if v != "identity" else 0), spread, 3) for v in ("identity", *OBSTRUCTED)}

    decide = lambda f: "reproduced" if _reproduced(obstructed_decisions(f, {v: False for v in OBSTRUCTED})) else ""  # noqa: E731
    assert stats.rate(draw(0.0), decide) <= 0.05
    assert stats.rate(draw(2 * math.log(LOSS_RATIO_MARGIN)), decide) >= min_power


def test_tables_follow_the_paper_layout():
    stats = variant_stats(runs({"identity": GOOD, "full_preact": GOOD, "scale": GOOD}), 0.1)
    tables = variant_tables(stats)
    assert [r["variant"] for r in tables["shortcut"]] == ["identity", "scale"]
    assert [r["label"] for r in tables["placement"]] == ["original (post-activation)", "full pre-activation"]
    assert tables["shortcut"][1]["published"] == "fail"
