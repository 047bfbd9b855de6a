"""Tables and JSON files are verified when read back: a damaged one is named, set aside (so the
job that wrote it runs again) and never parsed into wrong numbers."""
import os

import pandas as pd
import pytest

from resbench.errors import CorruptFileError
from resbench.results.io import (
    read_json,
    read_table,
    write_json_atomic,
    write_table_atomic,
)

TABLE = pd.DataFrame({"run_id": ["a", "b", "c"], "test_error": [0.1, 0.2, float("nan")]})


def test_round_trip(tmp_path):
    write_table_atomic(TABLE, tmp_path / "t.csv")
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.csv"), TABLE)
    write_json_atomic({"x": float("nan"), "y": [1]}, tmp_path / "t.json")
    assert read_json(tmp_path / "t.json") == {"x": None, "y": [1]}


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) - 6],          # cut off mid-row (a cut exactly at a row end passes: see read_table)
    lambda b: b"",                      # zero bytes
    lambda b: os.urandom(len(b)),       # random bytes
    lambda b: b"run_id,test_error\na,0.1,9\n",  # a row wider than its header
])
def test_damaged_table_is_named_and_set_aside(tmp_path, damage):
    path = tmp_path / "t.csv"
    write_table_atomic(TABLE, path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CorruptFileError, match="t.csv is damaged"):
        read_table(path)
    assert not path.exists() and (tmp_path / "t.csv.corrupt").exists()


def test_damaged_json_is_named_and_an_archive_is_left_alone(tmp_path):
    path = tmp_path / "s.json"
    write_json_atomic({"status": "completed"}, path)
    path.write_bytes(path.read_bytes()[:7])
    with pytest.raises(CorruptFileError, match="invalid JSON"):
        read_json(path, set_aside_bad=False)
    assert path.exists()  # archives and bundles are never moved
    with pytest.raises(CorruptFileError):
        read_json(path)
    assert (tmp_path / "s.json.corrupt").exists()


def test_concat_of_a_damaged_chunk_fails_in_one_line(tmp_path):
    import subprocess
    import sys

    write_table_atomic(TABLE, tmp_path / "a.csv")
    (tmp_path / "b.csv").write_text("run_id,test_error\nd,0.")  # cut off
    proc = subprocess.run([sys.executable, "-m", "resbench", "concat", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"),
                           "--out", str(tmp_path / "all.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "b.csv is damaged" in proc.stderr


def test_hardware_names_the_cpu_features_timings_depend_on():
    from resbench.results.provenance import SPEED_FLAGS, hardware

    features = hardware()["cpu_features"]
    assert isinstance(features, list) and set(features) <= set(SPEED_FLAGS)


def test_two_jobs_setting_aside_one_damaged_file_both_go_on_to_their_one_line_error(tmp_path):
    """Two jobs read one damaged model.pt at once: the second to set it aside finds it gone and does not
    die with a FileNotFoundError traceback; both then fail with their CorruptFileError line."""
    from resbench.results.io import set_aside

    path = tmp_path / "model.pt"
    path.write_bytes(b"damaged")
    first, second = set_aside(path), set_aside(path)
    assert first == second == tmp_path / "model.pt.corrupt" and first.read_bytes() == b"damaged"
    assert not path.exists()
