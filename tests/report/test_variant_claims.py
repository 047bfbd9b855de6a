import pandas as pd

from resbench.report.variant_claims import shortcut_variants_claim, variant_stats, variant_tables


def runs(spec: dict) -> pd.DataFrame:
    """spec: {variant: [(test_error, train_loss, status), ...]} -> a variants runs.csv-like frame."""
    rows = []
    for variant, results in spec.items():
        for seed, (test, loss, status) in enumerate(results):
            rows.append({"variant": variant, "seed": seed, "final_test_error": test, "final_train_loss": loss,
                         "status": status, "params": 1000})
    return pd.DataFrame(rows)


GOOD = [(0.02, 0.01, "completed"), (0.025, 0.012, "completed"), (0.022, 0.011, "completed")]


def test_reproduced_when_identity_and_preact_win_and_obstructed_shortcuts_train_worse():
    frame = runs({"identity": GOOD, "full_preact": GOOD,
                  "scale": [(0.3, 0.9, "completed")] * 3, "gate_exclusive": [(0.04, 0.05, "completed")] * 3,
                  "dropout": [(float("nan"), float("nan"), "diverged")] * 3})
    claim = shortcut_variants_claim(frame, fail_error=0.1)
    assert claim["verdict"] == "reproduced", claim["sentence"]
    assert set(claim["evidence"]["failed"]) == {"scale", "dropout"}


def test_not_reproduced_when_obstructed_shortcuts_train_as_well():
    frame = runs({"identity": [(0.05, 0.2, "completed")] * 3, "scale": GOOD, "gate_exclusive": GOOD})
    assert shortcut_variants_claim(frame, fail_error=0.1)["verdict"] == "not_reproduced"


def test_inconclusive_without_identity():
    assert shortcut_variants_claim(runs({"scale": GOOD}), 0.1)["verdict"] == "inconclusive"


def test_tables_follow_the_paper_layout():
    stats = variant_stats(runs({"identity": GOOD, "full_preact": GOOD, "scale": GOOD}), 0.1)
    tables = variant_tables(stats)
    assert [r["variant"] for r in tables["shortcut"]] == ["identity", "scale"]
    assert [r["label"] for r in tables["placement"]] == ["original (post-activation)", "full pre-activation"]
    assert tables["shortcut"][1]["published"] == "fail"
