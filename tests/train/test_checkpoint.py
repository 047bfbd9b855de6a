"""Every checkpoint the suite reads back is verified: damaged resume states are set aside and
training falls back to the previous state or starts over; a damaged or foreign model.pt is set
aside for retraining, with one line of error and no traceback."""
import copy
import json
import os
import shutil
import subprocess
import sys

import pytest
import torch

from resbench.errors import CorruptFileError
from resbench.train import checkpoint
from resbench.train.loop import RESUME_FILE, train_run
from resbench.trained import load_trained

from .test_loop import Interrupt, stable


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def zero(path):
    path.write_bytes(b"")


def garble(path):
    data = bytearray(path.read_bytes())
    rng = torch.Generator().manual_seed(0)
    middle = len(data) // 2  # inside the tensor bytes: the zip container itself stays readable
    for offset in torch.randint(0, 64, (16,), generator=rng).tolist():
        data[middle + offset] ^= 0xFF
    path.write_bytes(bytes(data))


def random_bytes(path):
    path.write_bytes(os.urandom(path.stat().st_size))


DAMAGE = [truncate, zero, garble, random_bytes]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_checkpoint_is_detected(damage, tmp_path):
    path = tmp_path / "state.pt"
    checkpoint.save_atomic({"w": torch.arange(4096, dtype=torch.float32), "epoch": 3}, path)
    assert checkpoint.load(path)["epoch"] == 3
    damage(path)
    with pytest.raises(CorruptFileError, match="state.pt"):
        checkpoint.load(path)


def test_a_plain_torch_file_is_not_taken_for_a_verified_checkpoint(tmp_path):
    torch.save({"model": {}}, tmp_path / "x.pt")
    with pytest.raises(CorruptFileError, match="no resbench checksum"):
        checkpoint.load(tmp_path / "x.pt")


def _kill_after(epoch):
    def hook(row):
        if row["epoch"] == epoch:
            raise Interrupt
    return hook


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_resume_falls_back_to_the_previous_state_and_ends_exact(damage, tiny_spec, tmp_path, caplog):
    full = train_run(tiny_spec, tmp_path / "full")
    with pytest.raises(Interrupt):
        train_run(tiny_spec, tmp_path / "run", on_epoch_end=_kill_after(2))
    damage(tmp_path / "run" / RESUME_FILE)
    with caplog.at_level("INFO", logger="resbench"):
        resumed = train_run(tiny_spec, tmp_path / "run")  # epoch 2's state is bad: resumes after epoch 1
    assert (tmp_path / "run" / (RESUME_FILE + ".corrupt")).exists()
    assert f"resuming after epoch 1 from {tmp_path / 'run' / RESUME_FILE}.prev" in caplog.text  # the file it read
    assert stable(resumed["history"]) == stable(full["history"])
    for key, value in full["state_dict"].items():
        assert torch.equal(value, resumed["state_dict"][key]), key


def test_both_states_damaged_restarts_from_scratch(tiny_spec, tmp_path):
    full = train_run(tiny_spec, tmp_path / "full")
    with pytest.raises(Interrupt):
        train_run(tiny_spec, tmp_path / "run", on_epoch_end=_kill_after(2))
    truncate(tmp_path / "run" / RESUME_FILE)
    zero(checkpoint.previous(tmp_path / "run" / RESUME_FILE))
    resumed = train_run(tiny_spec, tmp_path / "run")
    assert stable(resumed["history"]) == stable(full["history"])


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """One run trained by the CLI (what the workflow does); tests work on copies of it."""
    from resbench.hub.profile import grid_spec, validate_config

    from ..conftest import TINY

    spec = grid_spec(validate_config(TINY), "resnet", 8, 0)
    out = tmp_path_factory.mktemp("cli") / "run"
    proc = subprocess.run([sys.executable, "-m", "resbench", "train", "--spec", json.dumps(spec), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert not (out / RESUME_FILE).exists() and not checkpoint.previous(out / RESUME_FILE).exists()
    return out


def _trained_model(source, out):
    shutil.copytree(source, out)
    return out / "model.pt"


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_model_is_set_aside_for_retraining(damage, cli_run, tiny_spec, tmp_path):
    model = _trained_model(cli_run, tmp_path / "run")
    load_trained(model, config_hash=tiny_spec["config_hash"])
    damage(model)
    with pytest.raises(CorruptFileError, match="rerun the workflow"):
        load_trained(model)
    assert not model.exists() and (tmp_path / "run" / "model.pt.corrupt").exists()


def test_model_of_another_config_is_refused_and_set_aside(cli_run, tmp_path):
    model = _trained_model(cli_run, tmp_path / "run")
    with pytest.raises(CorruptFileError, match="trained with config"):
        load_trained(model, config_hash="0123456789ab")
    assert (tmp_path / "run" / "model.pt.stale").exists() and not model.exists()


def test_lesion_job_on_a_damaged_model_fails_in_one_line(cli_run, tmp_path):
    model = _trained_model(cli_run, tmp_path / "run")
    truncate(model)
    proc = subprocess.run([sys.executable, "-m", "resbench", "lesion", str(model), "--out", str(tmp_path / "l.csv"),
                           "--paths-out", str(tmp_path / "p.csv"), "--draws", "1"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "model.pt.corrupt" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_variant_job_killed_in_its_second_seed_keeps_the_first(tiny_config, tmp_path):
    """Resume states go only after every run of a job is written: the finished seed is not retrained."""
    from resbench.families.variants.plan import variant_specs

    config = copy.deepcopy(tiny_config)
    config["variants"].update(depth=8, names=["identity"])
    config["seeds"] = [0, 1]
    first, second = variant_specs(config)
    train_run(first, tmp_path / "a")
    with pytest.raises(Interrupt):
        train_run(second, tmp_path / "b", on_epoch_end=_kill_after(1))
    again = train_run(first, tmp_path / "a", on_epoch_end=lambda row: (_ for _ in ()).throw(Interrupt))
    assert len(again["history"]) == config["train"]["epochs"]
