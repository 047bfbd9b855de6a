"""`make` installs only into the environment it created: a VENV it did not make (no .made-by-resbench
marker) is checked, never installed into."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def foreign_venv(tmp_path: Path, python: str) -> tuple[Path, Path]:
    """A VENV whose bin/python logs every call and runs `python`."""
    calls = tmp_path / "calls.log"
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexec {python} "$@"\n')
    (bin_dir / "python").chmod(0o755)
    return tmp_path / "venv", calls


def make_setup(venv: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(["make", "-s", "setup", f"VENV={venv}"], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env=env)


def test_an_environment_make_did_not_create_is_checked_not_installed_into(tmp_path):
    venv, calls = foreign_venv(tmp_path, sys.executable)  # this one has resbench and its dependencies
    proc = make_setup(venv)
    assert proc.returncode == 0, proc.stderr
    assert "-m pip" not in calls.read_text() and "import resbench" in calls.read_text()


def test_a_foreign_environment_without_resbench_fails_in_one_line_naming_what_to_install(tmp_path):
    venv, calls = foreign_venv(tmp_path, "/usr/bin/python3")  # the system python: no resbench
    proc = make_setup(venv)
    assert proc.returncode != 0 and "was not created by make" in proc.stderr and "pip install -e" in proc.stderr
    assert "-m pip" not in calls.read_text()
