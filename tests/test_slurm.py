"""The tiny workflow on a real single-node SLURM (scripts/slurm-localhost.sh), through the slurm
profile and snakemake-executor-plugin-slurm: every job must run as a SLURM job and give the same
numbers as a local run. Skipped, with the reason, where SLURM cannot be installed."""
import json
import os
import subprocess

import pandas as pd
import pytest
import yaml

from .conftest import REPO
from .test_workflow import snakemake

pytestmark = pytest.mark.cluster  # system-wide installs: `make test-cluster`, not `make test`
SCRIPT = REPO / "scripts" / "slurm-localhost.sh"
CONFIG = {"profile": "tiny", "seeds": [0], "dataset": {"limit_train": 200},
          "model": {"depths": [8], "archs": ["plain", "resnet"]}, "train": {"epochs": 1, "warmup_epochs": 0},
          "lesion": {"enabled": False}, "variants": {"enabled": False}, "landscape": {"enabled": False},
          "signal": {"enabled": False}, "architectures": {"enabled": False}}


def _running(name: str) -> bool:
    return subprocess.run(["pgrep", "-x", name], capture_output=True).returncode == 0


CONF = "/etc/slurm/slurm.conf"
OURS = b"# Written by resbench scripts/slurm-localhost.sh"


def _conf() -> bytes | None:
    return open(CONF, "rb").read() if os.path.exists(CONF) else None


@pytest.fixture
def slurm():
    if os.geteuid() != 0:
        pytest.skip("SLURM test skipped: installing and starting slurmctld/slurmd needs root")
    installed = subprocess.run([str(SCRIPT), "install"], capture_output=True, text=True, timeout=600)
    if installed.returncode != 0:
        pytest.skip(f"SLURM test skipped: SLURM could not be installed here: {installed.stderr.strip()[-500:]}")
    already = _running("slurmctld")
    before = _conf()
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stdout + started.stderr
    yield
    if not already:
        subprocess.run([str(SCRIPT), "stop"], capture_output=True, timeout=60)
        # The machine as found: no slurm.conf naming a stopped controller (every later snakemake
        # start would wait ~10 s on the executor plugin's `scontrol show config`). A conf of ours
        # found before the start is a stale one (an earlier start whose stop never ran): stop
        # removes it too, or puts back what that earlier start replaced.
        after = _conf()
        assert not (after or b"").startswith(OURS), "stop left a resbench slurm.conf behind"
        if not (before or b"").startswith(OURS):
            assert after == before


@pytest.mark.e2e
def test_tiny_workflow_runs_as_slurm_jobs_and_matches_a_local_run(slurm, tmp_path):
    for name in ("local", "cluster"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tiny.yaml").write_text(yaml.safe_dump(CONFIG))
    local = snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=tmp_path / "local")
    assert local.returncode == 0, local.stderr[-3000:]
    cluster = snakemake("--configfile", "tiny.yaml", "--profile", str(REPO / "profiles/slurm"),
                        "--config", "device=cpu", "--jobs", "4", "--slurm-init-seconds-before-status-checks", "1",
                        "--slurm-keep-successful-logs",
                        cwd=tmp_path / "cluster", timeout=900)
    assert cluster.returncode == 0, cluster.stdout[-3000:] + cluster.stderr[-3000:]

    work = tmp_path / "cluster"
    runs = sorted((work / "results/tiny/runs").iterdir())
    assert len(runs) == 2
    for run in runs:  # the training process itself saw a SLURM allocation
        job = json.loads((run / "provenance.json").read_text()).get("slurm_job_id")
        assert job and job.isdigit(), run
    logs = {p.name for p in (work / ".snakemake/slurm_logs").iterdir()}
    assert {"rule_train", "rule_aggregate", "rule_report", "rule_archive"} <= logs, logs

    columns = ["run_id", "final_train_error", "final_test_error", "final_train_loss"]
    a = pd.read_csv(tmp_path / "local/results/tiny/depth/runs.csv")[columns].sort_values("run_id")
    b = pd.read_csv(work / "results/tiny/depth/runs.csv")[columns].sort_values("run_id")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
