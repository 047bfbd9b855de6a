"""A killed landscape chunk resumes row by row and ends with exactly the uninterrupted numbers;
a damaged finished row is computed again."""
import json

import pandas as pd
import pytest

from resbench import cli
from resbench.families.landscape import measure as landscape
from resbench.train import checkpoint
from resbench.train.loop import train_run


class Interrupt(Exception):
    pass


@pytest.fixture
def model_path(tiny_spec, tmp_path):
    result = train_run(tiny_spec, tmp_path / "run")
    path = tmp_path / "run" / "model.pt"
    checkpoint.save_atomic({"spec_json": json.dumps(tiny_spec), "model": result["state_dict"], "status": "completed"},
                           path)
    return path


def run_chunk(model, out, config_hash):
    return cli.main(["landscape", str(model), "--rows", "0:5", "--out", str(out), "--resolution", "5",
                     "--subset", "32", "--config-hash", config_hash])


def test_killed_chunk_resumes_to_the_uninterrupted_surface(model_path, tiny_spec, tmp_path, monkeypatch):
    assert run_chunk(model_path, tmp_path / "full.csv", tiny_spec["config_hash"]) == 0
    original = landscape.surface_rows

    def dies_after_two_rows(*args, on_row, **kwargs):
        done = []

        def row(i, records):
            if len(done) == 2:
                raise Interrupt
            on_row(i, records)
            done.append(i)
        return original(*args, on_row=row, **kwargs)

    monkeypatch.setattr(landscape, "surface_rows", dies_after_two_rows)
    with pytest.raises(Interrupt):
        run_chunk(model_path, tmp_path / "resumed.csv", tiny_spec["config_hash"])
    rows_dir = tmp_path / "resumed.csv.rows"
    assert sorted(p.name for p in rows_dir.glob("*.csv")) == ["0.csv", "1.csv"]
    (rows_dir / "1.csv").write_text("i,j,alpha\n1,0")  # cut off mid-row: computed again
    monkeypatch.setattr(landscape, "surface_rows", original)
    assert run_chunk(model_path, tmp_path / "resumed.csv", tiny_spec["config_hash"]) == 0
    full, resumed = pd.read_csv(tmp_path / "full.csv"), pd.read_csv(tmp_path / "resumed.csv")
    pd.testing.assert_frame_equal(full, resumed)
    assert not rows_dir.exists()
