import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "resbench", *args], capture_output=True, text=True)


def test_help_lists_every_verb():
    out = run("--help").stdout
    for verb in ("train", "aggregate", "report", "data", "config", "models"):
        assert verb in out


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
