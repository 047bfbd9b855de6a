import pandas as pd

from resbench.report.provenance import summarize_provenance


def test_results_made_before_a_provenance_field_existed_still_summarize():
    """Cached results are re-rendered by newer code: fields they lack get neutral values."""
    runs = pd.DataFrame([{"git_commit": "abc", "git_dirty": False, "config_hash": "h", "wall_seconds": 1.0}])
    old = {"r": {"versions": {"torch": "2"}, "hardware": {"cpu": "x", "cpu_count": 2, "platform": "p"},
                 "device": "cpu (1 threads)", "amp": "off"}}
    summary = summarize_provenance(runs, old)
    assert summary["hardware"]["cpu_features"] == [] and summary["hardware"]["cpu"] == "x"
    assert summary["precision"] == ["off"] and summary["eval_batch_sizes"] == []
