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
