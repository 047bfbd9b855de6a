"""The Snakemake workflow itself: lint, dry runs, bad config (the end-to-end runs: test_workflow_e2e.py)."""
import os
import re
import shutil
import subprocess
import shlex
import sys
from pathlib import Path

import pytest
import yaml

from resbench.families import FAMILIES

from .conftest import REPO

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake(*args, cwd=REPO, timeout=1200):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if "-s" not in args:
        args = ("-s", str(REPO / "Snakefile"), *args)
    return subprocess.run([*SNAKEMAKE, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_lint_has_no_findings():
    proc = snakemake("--lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_paper_profile_dry_run_lists_every_job_without_cifar(tmp_path):
    proc = snakemake("-n", "--configfile", str(REPO / "config" / "paper.yaml"), "--directory", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    assert re.search(r"^get_dataset\s+1$", out, re.M) and re.search(r"^train\s+55$", out, re.M), out[-3000:]
    assert re.search(r"^lesion\s+11$", out, re.M)  # plain + ResNet at 5 depths, ResNet-SD at 110
    assert re.search(r"^train_variant\s+12$", out, re.M)  # He et al. 2016b's 12 variants, 5 seeds per job


@pytest.mark.parametrize("profile, present, absent", [
    ("quick", {"train": 9, "lesion": 9, "signal_mlp": 1, "train_variant": 6, "train_net": 4, "landscape_chunk": 8}, ()),
    ("standard", {"train": 9, "lesion": 9, "train_variant": 11, "train_net": 11, "landscape_chunk": 20}, ()),
])
def test_quick_runs_every_family_and_standard_decides_them(tmp_path, profile, present, absent):
    """The quick profile runs every family (the depth grid with ResNet-SD-20, lesions, signal probes, and at
    a reduced size 6 variants, 4 classic nets and 8 landscapes, their verdicts withheld); standard runs
    them in full (ResNet-SD-56, 11 variants, 11 classic nets, 5 seeds x plain/ResNet x 2 depths of landscapes)."""
    proc = snakemake("-n", "--configfile", str(REPO / "config" / f"{profile}.yaml"), "--directory", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    for rule, count in present.items():
        assert re.search(rf"^{rule}\s+{count}$", out, re.M), (rule, out[-3000:])
    assert not any(re.search(rf"^{rule}\s+\d+$", out, re.M) for rule in absent), out[-3000:]


@pytest.mark.parametrize("profile, mapped", [("standard", 20), ("quick", 0)])
def test_the_first_look_reads_the_loss_surfaces_where_the_profile_decides_landscapes(tmp_path, profile, mapped):
    """Standard decides the smoothness claim, so its look after round 1 reads round 1's 20 surfaces and
    their curvature (and waits for them); quick only estimates it: its look reads the runs alone."""
    proc = snakemake("-n", "-p", "--configfile", str(REPO / "config" / f"{profile}.yaml"), "--directory", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    command = next(line for line in (proc.stdout + proc.stderr).splitlines() if "resbench look --round 1" in line)
    surfaces = re.search(r"--table landscape ((?:\S+surfaces/\S+\.csv ?)*)", command)
    curvatures = re.findall(r"surfaces/\S+\.curvature\.json", command)
    assert len(surfaces.group(1).split() if surfaces else []) == mapped and len(curvatures) == mapped, command[-500:]


def planned_files(dry_run: str) -> dict[str, list[tuple[list[str], list[str]]]]:
    """rule -> (inputs, outputs) of each job a `snakemake -n` plans."""
    jobs: dict[str, list] = {}
    headers = list(re.finditer(r"^(?:localrule|rule) (\w+):$", dry_run, re.M))
    for k, header in enumerate(headers):
        body = dry_run[header.end():headers[k + 1].start() if k + 1 < len(headers) else len(dry_run)]
        files = {kind: re.search(rf"^\s+{kind}: (.*)$", body, re.M) for kind in ("input", "output")}
        jobs.setdefault(header.group(1), []).append(
            tuple(m.group(1).split(", ") if m else [] for m in (files["input"], files["output"])))
    return jobs


@pytest.mark.parametrize("profile", ["quick", "standard", "paper"])
def test_every_table_the_report_reads_is_made_by_one_rule_at_its_declared_path(tmp_path, profile):
    """Paths are said once, in each family's declaration: the report reads exactly the declared tables the
    profile makes, one job makes each, and no job writes into a family's folder a table it does not declare."""
    from resbench.families import table_paths

    proc = snakemake("-n", "--configfile", str(REPO / "config" / f"{profile}.yaml"), "--directory", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    jobs = planned_files(proc.stdout)
    name = yaml.safe_load((REPO / "config" / f"{profile}.yaml").read_text())["profile"]
    declared = {f"results/{name}/{path}": key for key, path in table_paths().items()}
    (report_inputs, _), = jobs["report"]
    tables = [f for f in report_inputs if f.startswith(f"results/{name}/")]
    assert tables and set(tables) <= set(declared), sorted(set(tables) - set(declared))
    made = [f for rule, runs in jobs.items() for _, outs in runs for f in outs]
    for table in tables:
        assert made.count(table) == 1, (table, made.count(table))
    family_folders = {f"results/{name}/{f.name}" for f in FAMILIES}
    loose = [f for f in made if str(Path(f).parent) in family_folders and f not in declared]
    assert loose == [], loose


def test_bad_config_fails_naming_the_key(tmp_path):
    proc = snakemake("-n", "--directory", str(tmp_path), "--config", "profile=x", "dataset={'name': 'svhn'}")
    assert proc.returncode != 0
    assert "'dataset.name' has value 'svhn'; allowed values" in proc.stdout + proc.stderr


def copy_workflow(dest: Path) -> Path:
    """A copy of the workflow and its report code (the families' too), so a test can edit a template safely."""
    for part in ("workflow", "profiles", "config", "envs", "src/resbench/report", "src/resbench/families"):
        shutil.copytree(REPO / part, dest / part, symlinks=True)
    shutil.copy(REPO / "Snakefile", dest / "Snakefile")
    for module in ("stats.py", "calibration.py"):
        shutil.copy(REPO / "src/resbench" / module, dest / "src/resbench" / module)
    return dest / "Snakefile"


def test_a_profile_without_a_name_is_named_after_its_file(tmp_path):
    (tmp_path / "mine.yaml").write_text("seeds: [0]\nmodel: {depths: [8]}\n")
    proc = snakemake("-n", "--configfile", str(tmp_path / "mine.yaml"), "--directory", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "results/mine/runs/" in proc.stdout and "results/quick/" not in proc.stdout


@pytest.mark.parametrize("group, jobs", [(True, 2), (False, 6)])
def test_group_seeds_trains_an_arch_and_depths_seeds_in_one_job(tmp_path, group, jobs):
    """group_seeds (default) -> one train job per (arch, depth) for all three seeds; false -> one per seed."""
    config = {"profile": "g", "seeds": [0, 1, 2], "group_seeds": group,
              "model": {"depths": [8], "archs": ["plain", "resnet"]}}
    (tmp_path / "g.yaml").write_text(yaml.safe_dump(config))
    proc = snakemake("-n", "--configfile", "g.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert re.search(rf"^train\s+{jobs}$", proc.stdout, re.M), proc.stdout[-3000:]
    for arch in ("plain", "resnet"):
        for seed in (0, 1, 2):
            assert f"results/g/runs/{arch}8_s{seed}/model.pt" in proc.stdout


HOSTILE = ("Depths {8, 20, 56} {{x}} {wildcards.run} 100% \"quoted\" 'single' é ü ∞ <script>alert(1)</script> "
           "$(touch PWNED) `touch PWNED2`")


def test_braces_and_quotes_in_free_text_reach_no_wildcard_expansion(tmp_path):
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({"profile": "p", "seeds": [0], "model": {"depths": [8]},
                                                     "report": {"title": HOSTILE, "author": HOSTILE}},
                                                    allow_unicode=True))
    proc = snakemake("-n", "--configfile", "p.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_a_dataset_root_is_data_never_a_pattern_or_shell_code(tmp_path):
    """dataset.root with braces, $(...), backticks and quotes: the DAG builds (no wildcard), and the
    data rule's command hands it to resbench as one argument, never to the shell to run."""
    root = "d{x}$(touch PWNED)`touch PWNED2`'q\"z"
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"profile": "r", "seeds": [0], "model": {"depths": [8]},
                                                     "dataset": {"name": "cifar10", "root": root}}))
    proc = snakemake("-n", "-p", "--configfile", "r.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    command = next(line for line in proc.stdout.splitlines() if "resbench data cifar10" in line)
    argv = shlex.split(command.split("resbench data", 1)[1])
    assert argv[argv.index("--root") + 1] == root and argv[argv.index("--marker") + 1].startswith(".resbench/datasets/")
    assert not list(tmp_path.glob("PWNED*"))


def test_the_default_profile_is_loaded_and_in_effect(tmp_path):
    """profiles/default/ beside the Snakefile: Snakemake says it uses it, and its rerun-incomplete
    lets the next run go on after Snakemake itself was killed mid-job (without it Snakemake refuses)."""
    import signal
    import time

    config = {"profile": "k", "seeds": [0], "model": {"depths": [8], "archs": ["plain"]},
              "dataset": {"limit_train": 200}, "train": {"epochs": 1, "warmup_epochs": 0},
              "lesion": {"enabled": False}, "variants": {"enabled": False}, "landscape": {"enabled": False},
              "signal": {"enabled": False}, "architectures": {"enabled": False}}
    (tmp_path / "k.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    job = subprocess.Popen([*SNAKEMAKE, "-s", str(REPO / "Snakefile"), "--configfile", "k.yaml", "--cores", "1"],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    started = tmp_path / "reports/k/figures/depth"  # the depth figures job has begun writing its outputs
    deadline = time.time() + 180
    while not started.exists() and time.time() < deadline and job.poll() is None:
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)
    out = job.communicate()[0]
    assert started.exists() and not (tmp_path / "reports/k/report.pdf").exists(), out[-2000:]
    assert "Using workflow specific profile" in out and "profiles/default" in out, out[:500]
    snakemake("--unlock", "--configfile", "k.yaml", cwd=tmp_path)  # a killed Snakemake leaves its lock
    without = snakemake("-n", "--configfile", "k.yaml", "--workflow-profile", "none", cwd=tmp_path)
    assert without.returncode != 0 and "IncompleteFilesException" in without.stdout + without.stderr
    with_profile = snakemake("-n", "--configfile", "k.yaml", cwd=tmp_path)
    assert with_profile.returncode == 0, with_profile.stdout[-2000:] + with_profile.stderr[-2000:]
    assert re.search(r"^report\s+1$", with_profile.stdout, re.M), with_profile.stdout[-2000:]


def planned_jobs(dry_run: str) -> dict[str, list[str]]:
    """rule -> wildcards of each job a `snakemake -n` plans."""
    jobs: dict[str, list[str]] = {}
    headers = list(re.finditer(r"^(?:localrule|rule) (\w+):$", dry_run, re.M))
    for k, header in enumerate(headers):
        body = dry_run[header.end():headers[k + 1].start() if k + 1 < len(headers) else len(dry_run)]
        wildcards = re.search(r"^\s+wildcards: (.*)$", body, re.M)
        jobs.setdefault(header.group(1), []).append(wildcards.group(1) if wildcards else "")
    return jobs


# Every config_json("key", ...) call of the rule files: the config subset one job receives.
CONFIG_SUBSETS = [(path.stem, call) for path in sorted((REPO / "workflow" / "rules").glob("*.smk"))
                  for call in re.findall(r"config_json\(([^)]*)\)", path.read_text()) if '"' in call]


def test_the_rules_pass_config_subsets():
    assert len(CONFIG_SUBSETS) >= 3, CONFIG_SUBSETS  # the signal verbs at least: the next test has cases


@pytest.mark.parametrize("rule_file, call", CONFIG_SUBSETS)
@pytest.mark.parametrize("profile", ["quick", "standard", "paper"])
def test_every_partial_config_a_rule_passes_validates_on_every_profile(rule_file, call, profile):
    """A job that receives only the config keys it reads must still pass validation (defaults fill the rest)."""
    from resbench.config import config_subset
    from resbench.hub.profile import load_config, validate_config

    keys = re.findall(r'"([^"]+)"', call)
    assert keys, (rule_file, call)
    validate_config(config_subset(load_config(REPO / "config" / f"{profile}.yaml"), keys))


@pytest.mark.parametrize("name, text", [
    ("named.yaml", "seeds: [0, 1]\n"),  # no profile: named after the file by both
    ("my config.yaml", "seeds: [0, 1]\n"),
    ("ü-prof.yaml", "seeds: [0, 1]\n"),
    (".hidden.yaml", "seeds: [0, 1]\n"),
    ("x{y}.yaml", "seeds: [0, 1]\n"),
    ("empty.yaml", ""),
    ("with-profile.yaml", "profile: mine\nseeds: [0, 1]\n"),
])
def test_resbench_config_and_snakemake_accept_and_refuse_the_same_files(tmp_path, name, text):
    """One check for one file: `resbench config FILE` (what `make report CONFIG=FILE` runs first) and the
    Snakefile name a profile without `profile:` the same way, so they agree on every file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    checked = subprocess.run([sys.executable, "-m", "resbench", "config", str(path)], capture_output=True, text=True)
    planned = snakemake("-n", "--configfile", str(path), "--directory", str(tmp_path / "work"))
    assert (checked.returncode == 0) == (planned.returncode == 0), (checked.stderr, planned.stderr[-1500:])
    if checked.returncode == 0:
        profile = re.search(r"^profile: (.*)$", checked.stdout, re.M).group(1)
        assert profile == ("mine" if "profile:" in text else path.stem)
        assert f"results/{profile}/" in planned.stdout + planned.stderr
    else:
        assert len(checked.stderr.strip().splitlines()) == 1 and "Traceback" not in checked.stderr
