"""The Snakemake workflow itself: lint, dry runs, bad config, and one tiny end-to-end run."""
import json
import os
import re
import shutil
import subprocess
import shlex
import sys
from pathlib import Path

import pandas as pd
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
    """A copy of the workflow and its report code, so the test can edit a template safely."""
    for part in ("workflow", "profiles", "config", "envs", "src/resbench/report"):
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


@pytest.mark.e2e
def test_a_damaged_file_set_aside_is_rebuilt_with_everything_downstream(tmp_path):
    """Issue 25: a job that finds a file damaged sets it aside and fails in one line; Snakemake alone
    would then say "Nothing to be done" (downstream outputs present and newer), so `all` asks for the
    set-aside file again: the next run retrains it and recomputes what reads it. Zeroed metrics.csv
    (read by aggregate) and a cut claims.json (read by archive) both end rebuilt, equal to the first run."""
    config = {"profile": "d", "seeds": [0], "model": {"depths": [8], "archs": ["plain", "resnet"]},
              "dataset": {"limit_train": 200}, "train": {"epochs": 1, "warmup_epochs": 0},
              "lesion": {"enabled": False}, "variants": {"enabled": False}, "landscape": {"enabled": False},
              "signal": {"enabled": False}, "architectures": {"enabled": False}}
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(config))
    run = lambda *args: snakemake("--configfile", "d.yaml", "--cores", "2", *args, cwd=tmp_path)  # noqa: E731
    assert run().returncode == 0
    metrics = tmp_path / "results/d/runs/plain8_s0/metrics.csv"
    claims = tmp_path / "reports/d/claims.json"
    steady = ["epoch", "train_loss", "train_error", "test_error"]
    first_metrics, first_claims = pd.read_csv(metrics)[steady], json.loads(claims.read_text())["claims"]
    for damage, path in ((lambda b: b"", metrics), (lambda b: b[: len(b) // 2], claims)):
        path.write_bytes(damage(path.read_bytes()))
        failed = run()
        assert failed.returncode != 0 and path.with_name(path.name + ".corrupt").exists()
        assert "Traceback" not in (tmp_path / "logs/d").joinpath("aggregate.log").read_text()
        rebuilt = run()
        assert rebuilt.returncode == 0, rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
    assert "Nothing to be done" in run("-n").stdout
    pd.testing.assert_frame_equal(pd.read_csv(metrics)[steady], first_metrics)
    assert [c["verdict"] for c in json.loads(claims.read_text())["claims"]] == [c["verdict"] for c in first_claims]


@pytest.mark.e2e
def test_a_missing_planned_file_is_made_again_and_a_leftover_of_another_grid_is_not(tmp_path):
    """Issue 34: whatever removed it (a full disk, `rm`), a planned file that is missing is made again by
    one plain run — a run file, a family table, a per-model lesion table, a report file — with what reads
    it; a file set aside from another grid is said in one line and blocks nothing."""
    config = {"profile": "m", "seeds": [0], "model": {"depths": [8], "archs": ["plain", "resnet"]},
              "dataset": {"limit_train": 200}, "train": {"epochs": 1, "warmup_epochs": 0},
              "lesion": {"draws": 1, "max_k_points": 2, "path_samples": 1, "path_batch": 16},
              "variants": {"enabled": False}, "landscape": {"enabled": False}, "signal": {"enabled": False},
              "architectures": {"enabled": False}}
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(config))
    run = lambda *args: snakemake("--configfile", "m.yaml", "--cores", "2", *args, cwd=tmp_path)  # noqa: E731
    assert run().returncode == 0
    claims = tmp_path / "reports/m/claims.json"
    first = [(c["id"], c["verdict"], c["key_number"]) for c in json.loads(claims.read_text())["claims"]]
    leftover = tmp_path / "results/m/runs/plain14_s0/model.pt.corrupt"  # from a grid with depth 14
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"old")
    for rel in ("results/m/runs/resnet8_s0/summary.json", "results/m/runs/plain8_s0/model.pt",
                "results/m/depth/runs.csv", "results/m/lesion/models/plain8.csv", "results/m/lesion/lesion.csv",
                "reports/m/report.pdf"):
        (tmp_path / rel).unlink()
        rebuilt = run()
        assert rebuilt.returncode == 0, rel + rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
        assert (tmp_path / rel).exists(), rel
        assert "left from an earlier plan" in rebuilt.stderr and leftover.exists()
    assert "Nothing to be done" in run("-n").stdout
    assert [(c["id"], c["verdict"], c["key_number"]) for c in json.loads(claims.read_text())["claims"]] == first


@pytest.mark.e2e
def test_an_undecided_claim_gets_a_second_round_of_seeds_in_one_run(tmp_path):
    """Issue 32: seeds in rounds through Snakemake's checkpoint. Plain nets of depth 8 and 14 on digits
    barely differ (degradation undecided on two seeds): the look after round 1 schedules seeds 2-3 for
    the groups the claim reads, the same `snakemake` trains them, and the report decides the claim at
    the look that stopped it. A removed run of round 2 is made again; a rerun has nothing to do."""
    config = {"profile": "r", "seeds": [0, 1], "sequential": {"rounds": 2},
              "model": {"depths": [8, 14], "archs": ["plain", "resnet"]}, "dataset": {"limit_train": 300},
              "train": {"epochs": 6, "batch_size": 32, "lr": 0.05, "warmup_epochs": 0},
              "lesion": {"enabled": False}, "variants": {"enabled": False}, "landscape": {"enabled": False},
              "signal": {"enabled": False}, "architectures": {"enabled": False}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(config))
    run = lambda *args: snakemake("--configfile", "r.yaml", "--cores", "2", *args, cwd=tmp_path)  # noqa: E731
    proc = run()
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    first = json.loads((tmp_path / "results/r/rounds/look1.json").read_text())
    assert first["claims"]["degradation"]["stop"] == "next round", first
    assert sorted(map(tuple, first["next_groups"])) == [("plain", 8), ("plain", 14), ("resnet", 8), ("resnet", 14)]
    runs = pd.read_csv(tmp_path / "results/r/depth/runs.csv")
    assert sorted(runs["seed"].unique()) == [0, 1, 2, 3] and len(runs) == 16
    rounds = json.loads((tmp_path / "results/r/depth/rounds.json").read_text())
    assert rounds["stop_round"] == {"degradation": 2} and [look["round"] for look in rounds["looks"]] == [1, 2]
    claims = {c["id"]: c for c in json.loads((tmp_path / "reports/r/claims.json").read_text())["claims"]}
    assert claims["degradation"]["sequential"]["rounds"] == 2 and claims["degradation"]["sequential"]["seeds"] == 4
    assert claims["degradation"]["verdict"] == rounds["looks"][1]["claims"]["degradation"]["verdict"]
    (tmp_path / "results/r/runs/plain8_s3/summary.json").unlink()
    rebuilt = run()
    assert rebuilt.returncode == 0 and (tmp_path / "results/r/runs/plain8_s3/summary.json").exists()
    assert "Nothing to be done" in run("-n").stdout


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
    started = tmp_path / "reports/k/figures"  # the report job has begun writing its outputs
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


@pytest.mark.e2e
def test_tiny_workflow_end_to_end(tmp_path):
    snakefile = copy_workflow(tmp_path / "repo")
    work = tmp_path / "work"
    work.mkdir()
    config = {"profile": "tiny", "seeds": [0, 1], "dataset": {"limit_train": 300}, "fuse_seeds": "on",
              "report": {"title": f"Tiny {HOSTILE} run", "author": HOSTILE, "recipe": f"Chosen on a pilot: {HOSTILE}"},
              "model": {"depths": [8, 14], "archs": ["plain", "resnet", "resnet_sd"], "stochastic_depth_depths": [14]},
              "train": {"epochs": 2, "batch_size": 64, "warmup_epochs": 0},
              "lesion": {"draws": 1, "max_k_points": 3, "path_samples": 1, "path_batch": 16},
              "variants": {"depth": 8, "epochs": 2, "names": ["identity", "scale", "full_preact"]},
              "landscape": {"resolution": 5, "chunks": 2, "subset": 32, "hessian_iters": 2, "ratio_map": 2,
                            "seeds": [0]},
              "signal": {"stats_every": 1, "mlp_layers": [1, 3], "mlp_width": 8, "mlp_epochs": 2, "rank_depth": 6,
                         "rank_inits": 2, "rank_batch": 32, "append_blocks": 2, "append_epochs": 2},
              "architectures": {"nets": ["lenet5", "vgg16_bn", "resnet20", "resnext_c1", "resnext_c2"], "epochs": 1,
                                "throughput_batch": 16, "throughput_rounds": 1}}
    (work / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    run = lambda *args: snakemake("-s", str(snakefile), "--configfile", "tiny.yaml", *args, cwd=work)  # noqa: E731
    proc = run("--cores", "2")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    runs = (work / "results/tiny/depth/runs.csv").read_text().splitlines()
    assert len(runs) == 1 + 10  # header + 2 archs x 2 depths x 2 seeds + resnet_sd at depth 14 x 2 seeds
    fused = json.loads((work / "results/tiny/runs/plain8_s1/provenance.json").read_text())["fused_seeds"]
    assert fused == 2  # fuse_seeds: on trained each job's two seeds as one model
    claims = {c["id"]: c for c in json.loads((work / "reports/tiny/claims.json").read_text())["claims"]}
    assert {c["section"] for c in claims.values()} <= {f.name for f in FAMILIES}  # every claim has its family's section
    assert len(claims) >= len(FAMILIES) and "degradation" in claims and "stochastic_depth" in claims
    layers = (work / "results/tiny/signal/layers.csv").read_text().splitlines()
    assert len(layers) == 1 + 3 * (4 * 3 + 6 * 6)  # epochs 0-2 x blocks: 4 runs at depth 8 (3), 6 at 14 (6)
    assert json.loads((work / "results/tiny/signal/identity.json").read_text())["constructed"][0]["max_abs_diff"] <= 1e-6
    ratio_map = (work / "results/tiny/landscape/ratio_map.csv").read_text().splitlines()
    assert len(ratio_map) == 1 + 4 * 4  # 4 surfaces x 2x2 coarse points
    surface = (work / "results/tiny/landscape/surfaces.csv").read_text().splitlines()
    assert len(surface) == 1 + 4 * 25  # plain/ResNet x 2 depths x 5x5 points, merged from 2 chunks each
    for claim in claims.values():
        assert claim["verdict"] in {"reproduced", "not_reproduced", "inconclusive"}
    lesion = (work / "results/tiny/lesion/lesion.csv").read_text().splitlines()
    assert lesion[0].startswith("kind,k,draw,blocks,test_error") and len(lesion) > 50

    html = (work / "reports/tiny/report.html").read_text()
    for family in FAMILIES:  # the tiny profile runs every family: each has its section
        assert f'id="{family.name}"' in html and family.title in html
    variants = (work / "results/tiny/variants/runs.csv").read_text().splitlines()
    assert len(variants) == 1 + 3 * 2  # 3 variants x 2 seeds
    nets = pd.read_csv(work / "results/tiny/architectures/runs.csv")
    assert len(nets) == 5 * 2 and set(nets["arch"]) == {"lenet5", "vgg16_bn", "resnet20", "resnext_c1", "resnext_c2"}
    cost = pd.read_csv(work / "results/tiny/architectures/cost.csv").set_index("net")
    assert (cost["multiply_adds"] > 0).all() and (cost["inference_images_per_second"] > 0).all()
    deleted = pd.read_csv(work / "results/tiny/architectures/deletion.csv")
    assert set(deleted["net"]) == set(nets["arch"]) and (deleted["block"] == -1).sum() == 10  # every model intact once
    assert {"cardinality", "lesion_across_families", "inception_bottleneck_cost"} <= set(claims)
    assert claims["degradation"]["sentence"].split(":")[0] in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html  # config strings are escaped
    assert "Chosen on a pilot: " in html  # the recipe note reaches Methods, through the shell and the template
    assert "$(touch PWNED) `touch PWNED2`" in html  # free text is data: it arrives intact and runs nothing
    assert not list(work.rglob("PWNED*")) and not list(Path.cwd().glob("PWNED*"))
    assert "Depths {8, 20, 56} {{x}} {wildcards.run} 100%" in html and "é ü ∞" in html  # and arrive intact
    assert "data:image/png;base64," in html  # self-contained
    figures = sorted(p.stem for p in (work / "reports/tiny/figures").glob("*.png"))
    assert len(figures) >= 15 and html.count("data:image/png;base64,") == len(figures)
    assert all((work / f"reports/tiny/figures/{fig}.svg").exists() for fig in figures)

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(work / "reports/tiny/report.pdf").pages)
    for caption in ("Figure 1.", "Figure 2.", "Figure 10.", "Table 1.", "Provenance",
                    *(family.title.split(":")[0] for family in FAMILIES)):
        assert caption in text, caption

    # The run archived its summary tables; comparing it with itself finds no change.
    archived = [p for p in (work / "archive").iterdir() if (p / "manifest.json").exists()]
    assert len(archived) == 1
    for family in FAMILIES:  # every family's archived tables, for compare
        assert all((archived[0] / family.tables[key]).exists() for key in family.archived), family.name
    assert not list(archived[0].rglob("*.pt"))  # small files only
    same = subprocess.run([sys.executable, "-m", "resbench.cli", "compare", str(archived[0]), "results/tiny",
                           "--out-dir", "cmp"], cwd=work, capture_output=True, text=True)
    assert same.returncode == 0, same.stderr
    compared = (work / "cmp/compare.md").read_text()
    assert "No significant error regression" in compared
    for family in FAMILIES:  # compare reads every family's metrics
        assert all(f"| {m.name} |" in compared for m in family.metrics), family.name
    # Snakemake's own report, from the report() declarations.
    proc = run("--report", "snakemake-report.zip")
    assert proc.returncode == 0 and (work / "snakemake-report.zip").stat().st_size > 10_000, proc.stderr[-2000:]

    # Editing only report code re-renders the report and retrains nothing.
    assert "Nothing to be done" in run("-n").stdout
    template = snakefile.parent / "src/resbench/report/templates/report.html.j2"
    template.write_text(template.read_text() + "{# edited #}\n")
    dry = run("-n")
    out = dry.stdout + dry.stderr
    assert "rule report" in out and "rule train" not in out and "rule aggregate" not in out, out[-2000:]
    assert "rule lesion" not in out and "rule landscape" not in out and "rule signal" not in out

    # Each job depends on what changes what it computes: edits to one block rerun only its jobs.
    def edited(change):
        edited_config = yaml.safe_load((work / "tiny.yaml").read_text())
        change(edited_config)
        (work / "edited.yaml").write_text(yaml.safe_dump(edited_config, allow_unicode=True))
        dry = snakemake("-s", str(snakefile), "--configfile", "edited.yaml", "-n", cwd=work)
        assert dry.returncode == 0, dry.stderr[-2000:]
        return planned_jobs(dry.stdout)

    template.write_text(template.read_text().replace("{# edited #}\n", ""))
    assert set(edited(lambda c: c["report"].update(title="Another title"))) == {"report", "archive", "all"}
    signal_off = edited(lambda c: c["signal"].update(enabled=False))
    assert not {"train", "train_variant", "lesion", "landscape_chunk", "landscape_finish"} & set(signal_off), signal_off
    sd = edited(lambda c: c["model"].update(stochastic_depth_survival=0.8))
    assert {w.split(",")[0] for w in sd.get("train", [])} == {"arch=resnet_sd"}, sd  # only the drop-path runs retrain
    assert not {"train_variant", "landscape_chunk", "signal_mlp", "signal_rank", "signal_construct"} & set(sd), sd


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
