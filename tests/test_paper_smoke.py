"""Issue 34: the paper path runs before anyone pays for a GPU. The paper profile shortened to toy sizes
(.test/config/paper.yaml: CIFAR-10 through torchvision's loader with a validation split, the step schedule in
iterations, warm-up by depth, one job per seed, stochastic depth, all twelve shortcut variants, landscapes
in chunks, every classic net at its paper's size and schedule) runs end to end on CIFAR-10 files fabricated
in the real format, through the report and the archive. Its verdicts mean nothing."""
import json

import pytest
import yaml

from resbench.families import FAMILIES

from .conftest import REPO, write_fake_cifar10
from .test_workflow import snakemake

pytestmark = pytest.mark.e2e


def test_the_shortened_paper_profile_runs_end_to_end_on_cpu(tmp_path):
    write_fake_cifar10(tmp_path / "data", n_train_per_batch=8, n_test=16)  # 40 training images
    config = yaml.safe_load((REPO / ".test/config/paper.yaml").read_text())
    config["dataset"]["root"] = str(tmp_path / "data")
    (tmp_path / "paper.yaml").write_text(yaml.safe_dump(config))
    proc = snakemake("--configfile", "paper.yaml", "--cores", "2", cwd=tmp_path, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results, reports = tmp_path / "results/paper-smoke", tmp_path / "reports/paper-smoke"
    for family in FAMILIES:  # every family ran on the paper path, through its figures
        assert any((reports / "figures" / family.name).glob("*.png")), family.name
    nets = {json.loads(p.read_text())["arch"] for p in results.glob("runs/net_*_s0/summary.json")}
    assert nets == set(config["architectures"]["nets"])  # every classic net at its paper's size
    variants = list(results.glob("runs/var_*_d8_s1/summary.json"))
    assert len(variants) == len(config["variants"]["names"])
    summary = json.loads((results / "runs/resnet14_s0/summary.json").read_text())
    assert summary["dataset"] == "cifar10" and summary["n_train"] == 30 and summary["n_val"] == 10  # the split
    claims = json.loads((reports / "claims.json").read_text())["claims"]
    assert all(c["verdict"] != "not_run" for c in claims), [c["id"] for c in claims if c["verdict"] == "not_run"]
    assert (reports / "report.pdf").stat().st_size > 50_000 and "CIFAR-10" in (reports / "report.html").read_text()
    assert "Nothing to be done" in snakemake("--configfile", "paper.yaml", "-n", cwd=tmp_path).stdout
