import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "resbench", *args], capture_output=True, text=True, cwd=ROOT)


def test_help_lists_every_verb():
    out = run("--help").stdout
    listed = {line.split()[0] for line in out.split("VERB", 2)[2].splitlines() if line.startswith("    ") and line.split()
              and not line.startswith("     ")}  # one verb per line under "positional arguments: VERB"
    assert {"train", "aggregate", "report", "data", "config", "models"} <= listed


@pytest.mark.parametrize("args", [
    ("train", "--config", "config/quick.yaml", "--arch", "plain", "--depth", "9", "--out", "{tmp}/t"),
    ("report", "--config", "config/quick.yaml", "--results", "{tmp}/missing", "--out", "{tmp}/r"),
])
def test_a_user_error_is_one_line_without_traceback(tmp_path, args):
    proc = run(*(a.format(tmp=tmp_path) for a in args))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"resbench {args[0]}: error: ")


def test_bad_config_is_one_clear_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("train:\n  schedule: exponential\n")
    proc = run("config", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "'train.schedule' has value 'exponential'; allowed values: step, cosine, constant" in proc.stderr


def test_config_prints_defaults_and_hash(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("profile: mine\n")
    proc = run("config", str(path))
    assert proc.returncode == 0 and "momentum: 0.9" in proc.stdout and "# config hash:" in proc.stdout


def test_models_lists_registry_and_counts():
    proc = run("models", "--params", "20")
    assert "resnet56_cifar" in proc.stdout and "resnet-20: 269,722 parameters, 40.6M multiply-adds" in proc.stdout
