"""`resbench verify`: damage that keeps an old mtime (no job would reread the file) is found, set aside,
and said; an undamaged tree passes untouched."""
import os
import subprocess
import sys

import pandas as pd
import pytest

from resbench.results.io import write_json_atomic, write_table_atomic
from resbench.train import checkpoint


@pytest.fixture
def tree(tmp_path):
    run = tmp_path / "results" / "q" / "runs" / "plain8_s0"
    write_table_atomic(pd.DataFrame({"epoch": [1, 2], "train_error": [0.5, 0.1]}), run / "metrics.csv")
    write_table_atomic(pd.DataFrame(), tmp_path / "results" / "q" / "signal" / "appended.csv")  # an empty table
    write_json_atomic({"run_id": "plain8_s0"}, run / "summary.json")
    checkpoint.save_atomic({"model": {"w": [1.0, 2.0]}}, run / "model.pt")
    (run / "notes.txt").write_text("not the suite's")
    return tmp_path / "results" / "q"


def verify(path):
    return subprocess.run([sys.executable, "-m", "resbench", "verify", str(path)], capture_output=True, text=True)


def test_an_undamaged_tree_passes_untouched(tree):
    before = sorted(p.name for p in tree.rglob("*"))
    proc = verify(tree)
    assert proc.returncode == 0 and "4 files checked" in proc.stdout and "0 damaged" in proc.stdout
    assert sorted(p.name for p in tree.rglob("*")) == before


@pytest.mark.parametrize("name, damage", [
    ("metrics.csv", lambda b: b[:-4]),
    ("summary.json", lambda b: b""),
    ("model.pt", lambda b: b[:100] + bytes(255 - x for x in b[100:120]) + b[120:]),
])
def test_damage_with_an_old_mtime_is_found_and_set_aside(tree, name, damage):
    path = tree / "runs" / "plain8_s0" / name
    stat = path.stat()
    path.write_bytes(damage(path.read_bytes()))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # bit rot: the old mtime, nothing reruns it
    proc = verify(tree)
    assert proc.returncode == 1 and "1 damaged and set aside" in proc.stdout and "Traceback" not in proc.stderr
    assert not path.exists() and path.with_name(name + ".corrupt").exists()
    assert verify(tree).returncode == 0  # what is left is sound


def test_a_missing_folder_is_one_line(tmp_path):
    proc = verify(tmp_path / "absent")
    assert proc.returncode == 2 and "not a folder of results" in proc.stderr and "Traceback" not in proc.stderr


# Issue 34: verified by content (each folder's ledger of digests), missing files reported, bigger outputs
# set aside with their file so the job that made them runs again.

def test_damage_that_keeps_the_format_and_the_mtime_is_found_by_its_digest(tree):
    table = tree / "runs" / "plain8_s0" / "metrics.csv"
    report = tree / "report.html"
    from resbench.results.io import write_text_atomic

    write_text_atomic("<html>a report</html>\n", report)
    for path, change in ((table, lambda b: b.replace(b"0.5", b"0.6")), (report, lambda b: b.replace(b"a", b"A"))):
        stat = path.stat()
        path.write_bytes(change(path.read_bytes()))  # same size, still a valid table / still HTML
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    proc = verify(tree)
    assert proc.returncode == 1 and "2 damaged and set aside" in proc.stdout and "differs from what was written" in proc.stdout
    assert not table.exists() and table.with_name("metrics.csv.corrupt").exists()


def test_a_removed_file_is_reported_missing_and_one_the_suite_removed_is_not(tree):
    from resbench.results.io import remove_recorded, rename_recorded

    run = tree / "runs" / "plain8_s0"
    checkpoint.save_atomic({"step": 1}, run / "resume.pt")
    checkpoint.save_atomic({"step": 2}, run / "resume.pt", keep_previous=True)  # the first moves to .prev
    rename_recorded(run / "resume.pt.prev", run / "resume.pt.old")
    remove_recorded(run / "resume.pt.old")
    checkpoint.remove(run / "resume.pt")  # a finished run's resume state: removed by the suite, said so
    assert verify(tree).returncode == 0
    (run / "summary.json").unlink()  # removed from outside
    proc = verify(tree)
    assert proc.returncode == 1 and f"missing: {run / 'summary.json'}" in proc.stdout and "1 missing" in proc.stdout


def test_a_damaged_figure_sets_its_whole_folder_aside_and_an_archive_its_manifest(tmp_path):
    from resbench.results.io import write_bytes_atomic, write_json_atomic
    from resbench.results.verify import mark_for_rebuild

    figures = tmp_path / "reports/q/figures/depth"  # a directory() output: Snakemake leaves its marker
    write_bytes_atomic(b"\x89PNG fake", figures / "a.png")
    write_bytes_atomic(b"<svg/>", figures / "a.svg")
    (figures / ".snakemake_timestamp").touch()
    (figures / "a.png").write_bytes(b"\x89PNG fakf")
    proc = verify(tmp_path / "reports/q")
    assert proc.returncode == 1 and "set aside with it" in proc.stdout
    assert not figures.exists() and (figures.parent / "depth.corrupt/a.svg").exists()

    entry = tmp_path / "archive/abc-123"
    write_table_atomic(pd.DataFrame({"x": [1]}), entry / "depth/runs.csv")
    write_json_atomic({"key": "abc-123"}, entry / "manifest.json")
    assert mark_for_rebuild(entry) == []  # complete: nothing moves
    (entry / "depth/runs.csv").unlink()
    assert mark_for_rebuild(entry) == [entry / "depth/runs.csv"]
    assert not (entry / "manifest.json").exists() and (entry / "manifest.json.stale").exists()
    assert mark_for_rebuild(entry) == [entry / "depth/runs.csv"] and not (entry.parent / "abc-123.corrupt").exists()
