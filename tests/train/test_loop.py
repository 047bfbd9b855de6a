import copy
import json
import math
import subprocess
import sys

import pytest
import torch

from resbench.families.signal.layer_stats import probe as layer_probe
from resbench.train import checkpoint
from resbench.train.loop import RESUME_FILE
from resbench.train.loop import train_run as _train_run


def train_run(spec, out, **kwargs):
    """As the CLI calls it: with the probe factories the spec asks for."""
    return _train_run(spec, out, probes={"layers": layer_probe}, **kwargs)

VOLATILE = ("seconds", "images_per_second")


class Interrupt(Exception):
    pass


def stable(history):
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in history]


def test_runs_are_deterministic_and_learn(tiny_spec, tmp_path):
    a = train_run(tiny_spec, tmp_path / "a")
    b = train_run(tiny_spec, tmp_path / "b")
    assert stable(a["history"]) == stable(b["history"])
    assert a["status"] == "completed" and len(a["history"]) == 3
    assert a["history"][-1]["train_loss"] < a["history"][0]["train_loss"]
    assert a["history"][-1]["test_error"] < 0.5


def _spec(config, kind):
    """A run spec of every kind a training job trains: the grid's nets and a variant."""
    from resbench.families.variants.plan import variant_specs
    from resbench.hub.profile import grid_spec

    if kind.startswith("variant:"):
        config = {**config, "variants": {**config["variants"], "depth": 8, "names": [kind.split(":")[1]]}}
        return variant_specs(config)[0]
    return grid_spec(config, kind, 8, 0)


# resnet_sd (drop-path) and the dropout shortcut draw random numbers in every training step: their
# resume must restore the generator's state, not only weights and optimizer.
@pytest.mark.parametrize("kind", ["plain", "resnet", "resnet_sd", "variant:dropout", "variant:gate_exclusive"])
def test_resume_after_a_kill_equals_an_uninterrupted_run(tiny_config, kind, tmp_path):
    spec = _spec(tiny_config, kind)
    full = train_run(spec, tmp_path / "full")

    def kill_after_first_epoch(row):
        if row["epoch"] == 1:
            raise Interrupt

    with pytest.raises(Interrupt):
        train_run(spec, tmp_path / "killed", on_epoch_end=kill_after_first_epoch)
    assert checkpoint.load(tmp_path / "killed" / RESUME_FILE)["epoch"] == 1
    resumed = train_run(spec, tmp_path / "killed")
    assert stable(resumed["history"]) == stable(full["history"])
    assert resumed["probes"] == full["probes"]  # the statistics taken before the kill survive
    for key, value in full["state_dict"].items():
        assert torch.equal(value, resumed["state_dict"][key]), key


def test_resume_of_a_finished_run_trains_nothing_and_returns_it(tiny_spec, tmp_path):
    full = train_run(tiny_spec, tmp_path)  # its resume.pt stays until the CLI has written every output
    again = train_run(tiny_spec, tmp_path, on_epoch_end=lambda row: (_ for _ in ()).throw(Interrupt))
    assert stable(again["history"]) == stable(full["history"])


def test_checkpoint_of_another_config_is_ignored(tiny_spec, tmp_path):
    other = copy.deepcopy(tiny_spec)
    other["config_hash"] = "different"
    with pytest.raises(Interrupt):
        train_run(other, tmp_path, on_epoch_end=lambda row: (_ for _ in ()).throw(Interrupt))
    result = train_run(tiny_spec, tmp_path)
    assert [r["epoch"] for r in result["history"]] == [1, 2, 3]


def test_divergence_is_recorded_not_raised(tiny_spec, tmp_path):
    spec = copy.deepcopy(tiny_spec)
    spec["train"]["lr"] = 1e30
    result = train_run(spec, tmp_path)
    assert result["status"] == "diverged"
    assert not math.isfinite(result["history"][-1]["train_loss"])


def test_cli_writes_a_diverged_run_as_nan(tiny_spec, tmp_path):
    spec = copy.deepcopy(tiny_spec)
    spec["train"]["lr"] = 1e30
    proc = subprocess.run([sys.executable, "-m", "resbench", "train", "--spec", json.dumps(spec),
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "diverged" and summary["final_test_error"] is None
    assert (tmp_path / "metrics.csv").exists() and (tmp_path / "model.pt").exists()
    assert not (tmp_path / RESUME_FILE).exists()
    assert summary["config_hash"] == spec["config_hash"] and "git_commit" in summary


def test_layer_statistics_leave_training_bit_identical(tiny_spec, tmp_path):
    probed = copy.deepcopy(tiny_spec)
    probed["probes"] = {"layers": 1}
    quiet = copy.deepcopy(tiny_spec)
    quiet.pop("probes", None)
    a, b = train_run(probed, tmp_path / "a"), train_run(quiet, tmp_path / "b")
    assert stable(a["history"]) == stable(b["history"])
    for key, value in a["state_dict"].items():
        assert torch.equal(value, b["state_dict"][key]), key
    assert sorted({r["epoch"] for r in a["probes"]["layers"]}) == [0, 1, 2, 3] and b["probes"] == {}


def test_a_probe_the_spec_asks_for_must_be_passed(tiny_spec, tmp_path):
    spec = {**copy.deepcopy(tiny_spec), "probes": {"layers": 1}}
    with pytest.raises(ValueError, match="layers"):
        _train_run(spec, tmp_path)
