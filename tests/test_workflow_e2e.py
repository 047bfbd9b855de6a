"""The workflow run end to end on tiny settings: faults healed, seeds in rounds, and one run of every family
whose tables, report, archive and reruns are checked by the tests below it (one Snakemake run, shared)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from resbench.families import FAMILIES

from .test_workflow import HOSTILE, REPO, copy_workflow, planned_jobs, snakemake

pytestmark = pytest.mark.e2e


def grid_only(folder: Path, profile: str, cores: int = 2):
    """A profile of the depth grid alone (plain and ResNet-8, one seed, one epoch on 200 digits) written
    to `folder`, and run(*snakemake args) for it there."""
    config = {"profile": profile, "seeds": [0], "model": {"depths": [8], "archs": ["plain", "resnet"]},
              "dataset": {"limit_train": 200}, "train": {"epochs": 1, "warmup_epochs": 0},
              "lesion": {"enabled": False}, "variants": {"enabled": False}, "landscape": {"enabled": False},
              "signal": {"enabled": False}, "architectures": {"enabled": False}}
    (folder / f"{profile}.yaml").write_text(yaml.safe_dump(config))
    return lambda *args: snakemake("--configfile", f"{profile}.yaml", "--cores", str(cores), *args, cwd=folder)


def test_a_damaged_file_set_aside_is_rebuilt_with_everything_downstream(tmp_path):
    """Issue 25: a job that finds a file damaged sets it aside and fails in one line; Snakemake alone
    would then say "Nothing to be done" (downstream outputs present and newer), so `all` asks for the
    set-aside file again: the next run retrains it and recomputes what reads it. Zeroed metrics.csv
    (read by aggregate) and a cut claims.json (read by archive) both end rebuilt, equal to the first run."""
    run = grid_only(tmp_path, "d")
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



def _steady_tables(root: Path) -> dict[str, pd.DataFrame]:
    """Every table under `root` but its timings (what a rerun changes)."""
    frames = {str(p.relative_to(root)): pd.read_csv(p) for p in sorted(root.rglob("*.csv"))
              if "benchmarks" not in p.parts and p.name != "rule_times.csv" and p.stat().st_size > 1}
    return {k: f.drop(columns=[c for c in f if any(t in c for t in ("second", "time", "memory"))])
            for k, f in frames.items()}


def test_a_missing_or_damaged_file_of_each_kind_is_made_again_and_a_leftover_of_another_grid_is_not(tmp_path):
    """Issue 34: whatever removed it (`rm`, a job that failed), a file of each kind — a run file, a family
    table, a per-model lesion table, a report file, a figure, an archived table — is made again by one plain run,
    with what reads it; damage that keeps the mtime is found by `resbench verify` (digests) and healed by
    the next plain run; every table and verdict ends as the first run's, and a second run has nothing to do.
    A file set aside from another grid is said in one line and blocks nothing."""
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
    entry = next(p for p in (tmp_path / "archive").iterdir() if (p / "manifest.json").exists())
    first_tables = {name: _steady_tables(tmp_path / name) for name in ("results/m", entry.relative_to(tmp_path))}
    leftover = tmp_path / "results/m/runs/plain14_s0/model.pt.corrupt"  # from a grid with depth 14
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"old")
    replaced = lambda: [p for p in (tmp_path / "archive").iterdir() if ".replaced-" in p.name]  # noqa: E731
    # One of each kind (a removed checkpoint, retrained, is the disk-full test's case below).
    for rel in (f"{entry.relative_to(tmp_path)}/depth/runs.csv", "reports/m/figures/lesion/lesion_delete_k.png",
                "reports/m/report.pdf", "results/m/lesion/models/plain8.csv", "results/m/depth/runs.csv",
                "results/m/runs/resnet8_s0/summary.json"):
        (tmp_path / rel).unlink()
        rebuilt = run()
        assert rebuilt.returncode == 0, rel + rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
        assert (tmp_path / rel).exists(), rel
        assert "left from an earlier plan" in rebuilt.stderr and leftover.exists()
        # Written back in place, never replaced, until a run is retrained (last): its new timings are other
        # bytes, so the guard keeps that entry aside and archives anew.
        assert not replaced() or rel.endswith("summary.json"), rel
        if rel.startswith("archive/"):
            assert "it is made again" in rebuilt.stderr, rebuilt.stderr[-2000:]

    for rel in (f"{entry.relative_to(tmp_path)}/depth/runs.csv", "reports/m/figures/depth/error_vs_depth.png"):
        path = tmp_path / rel  # bit rot: the same size, the old mtime; only the digest can tell
        stat, data = path.stat(), bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    found = subprocess.run([sys.executable, "-m", "resbench.cli", "verify", "results/m", "reports/m",
                            str(entry.relative_to(tmp_path))], cwd=tmp_path, capture_output=True, text=True)
    assert found.returncode == 1 and found.stdout.count("set aside: ") == 2, found.stdout + found.stderr
    assert run().returncode == 0
    assert "Nothing to be done" in run("-n").stdout
    assert [(c["id"], c["verdict"], c["key_number"]) for c in json.loads(claims.read_text())["claims"]] == first
    for name, tables in first_tables.items():
        again = _steady_tables(tmp_path / name)
        assert set(again) == set(tables), name
        for key, frame in tables.items():
            pd.testing.assert_frame_equal(again[key], frame, check_exact=True, obj=f"{name}/{key}")


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


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One run of every family on tiny settings (hostile free text in the report fields): (work folder,
    the copied Snakefile, run(*snakemake args))."""
    tmp_path = tmp_path_factory.mktemp("tiny")
    snakefile = copy_workflow(tmp_path / "repo")
    work = tmp_path / "work"
    work.mkdir()
    config = yaml.safe_load((REPO / ".test" / "config" / "config.yaml").read_text())
    config["report"] = {"title": f"Tiny {HOSTILE} run", "author": HOSTILE, "recipe": f"Chosen on a pilot: {HOSTILE}"}
    (work / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    run = lambda *args: snakemake("-s", str(snakefile), "--configfile", "tiny.yaml", *args, cwd=work)  # noqa: E731
    proc = run("--cores", "2")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return work, snakefile, run


def test_tiny_run_makes_every_familys_tables(tiny):
    work, _, _ = tiny
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


def test_tiny_report_is_self_contained_escaped_and_has_every_section(tiny):
    work, _, _ = tiny
    claims = {c["id"]: c for c in json.loads((work / "reports/tiny/claims.json").read_text())["claims"]}
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
    figures = sorted((work / "reports/tiny/figures").glob("*/*.png"))  # one folder per family
    assert len(figures) >= 15 and html.count("data:image/png;base64,") == len(figures)
    assert all(fig.with_suffix(".svg").exists() for fig in figures)
    assert {fig.parent.name for fig in figures} == {"depth", "lesion", "variants", "landscape", "signal", "architectures"}

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(work / "reports/tiny/report.pdf").pages)
    for caption in ("Figure 1.", "Figure 2.", "Figure 10.", "Table 1.", "Provenance",
                    *(family.title.split(":")[0] for family in FAMILIES)):
        assert caption in text, caption


def test_tiny_run_is_archived_and_compares_equal_to_itself(tiny):
    work, _, run = tiny
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


def test_editing_report_code_or_one_block_reruns_only_what_reads_it(tiny):
    work, snakefile, run = tiny
    assert "Nothing to be done" in run("-n").stdout
    template = snakefile.parent / "src/resbench/report/templates/report.html.j2"
    template.write_text(template.read_text() + "{# edited #}\n")
    dry = run("-n")
    out = dry.stdout + dry.stderr
    assert "rule report" in out and "rule train" not in out and "rule aggregate" not in out, out[-2000:]
    assert "rule claims" not in out  # a template draws; it decides nothing
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
    drawing = snakefile.parent / "src/resbench/families/lesion/figures.py"  # one family's figures redraw alone
    drawing.write_text(drawing.read_text() + "# edited\n")
    redrawn = planned_jobs(run("-n").stdout)
    assert redrawn.get("figures") == ["family=lesion"] and "claims" not in redrawn and "report" in redrawn, redrawn
    drawing.write_text(drawing.read_text().replace("# edited\n", ""))
    assert set(edited(lambda c: c["report"].update(title="Another title"))) == {"report", "archive", "all"}
    signal_off = edited(lambda c: c["signal"].update(enabled=False))
    assert not {"train", "train_variant", "lesion", "landscape_chunk", "landscape_finish"} & set(signal_off), signal_off
    sd = edited(lambda c: c["model"].update(stochastic_depth_survival=0.8))
    assert {w.split(",")[0] for w in sd.get("train", [])} == {"arch=resnet_sd"}, sd  # only the drop-path runs retrain
    assert not {"train_variant", "landscape_chunk", "signal_mlp", "signal_rank", "signal_construct"} & set(sd), sd


def test_compare_never_crashes_on_an_archive_missing_any_one_file(tiny, tmp_path):
    """Issue 34: an archive folder missing any one of its files is compared in one line: exit 0 (the file
    was not needed) or 2 (named), never a traceback and never 1 (CI's "significant regression")."""
    import shutil

    from resbench.cli import main

    work, _, _ = tiny
    archived = next(p for p in (work / "archive").iterdir() if (p / "manifest.json").exists())
    files = sorted(p.relative_to(archived) for p in archived.rglob("*") if p.is_file())
    assert len(files) > 10
    for rel in files:
        partial = tmp_path / str(rel).replace("/", "__")
        shutil.copytree(archived, partial)
        (partial / rel).unlink()
        code = main(["compare", str(partial), str(archived), "--out-dir", str(tmp_path / "cmp")])
        assert code in (0, 2), rel


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True).returncode == 0
    except OSError:
        return False


def test_a_training_job_that_finds_the_disk_full_fails_and_the_next_run_completes(tmp_path):
    """Issue 34: on a small file system (tmpfs), a finished run loses a checkpoint; with the disk then full
    the training job that makes it again fails (Snakemake removes what it had written); once space is
    freed one plain run completes: every table and verdict as before, then nothing left to do."""
    work = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(work, "96m"):
        pytest.skip("needs root to mount a small tmpfs (CI runs as root)")
    try:
        run = grid_only(work, "f", cores=1)
        assert run().returncode == 0
        claims = work / "reports/f/claims.json"
        first = [(c["id"], c["verdict"], c["key_number"]) for c in json.loads(claims.read_text())["claims"]]
        first_tables = _steady_tables(work / "results/f")
        model = work / "results/f/runs/plain8_s0/model.pt"
        model.unlink()
        filler, block = work / "filler", b"\0" * (1 << 16)
        with open(filler, "wb") as f:  # fill the disk, then free 128 KiB: less than the checkpoint needs
            try:
                while True:
                    f.write(block)
                    f.flush()
            except OSError:
                pass
        os.truncate(filler, max(0, filler.stat().st_size - (1 << 17)))
        full = run()
        assert full.returncode != 0 and not model.exists(), full.stdout[-2000:] + full.stderr[-2000:]
        log = (work / "logs/f/train/plain8.log").read_text() if (work / "logs/f/train/plain8.log").exists() else ""
        assert "No space left on device" in log and "Traceback" not in log, log[-2000:]  # one line, no traceback
        filler.unlink()
        healed = run()
        assert healed.returncode == 0, healed.stdout[-2000:] + healed.stderr[-2000:]
        assert "Nothing to be done" in run("-n").stdout
        assert [(c["id"], c["verdict"], c["key_number"]) for c in json.loads(claims.read_text())["claims"]] == first
        again = _steady_tables(work / "results/f")
        assert set(again) == set(first_tables)
        for key, frame in first_tables.items():
            pd.testing.assert_frame_equal(again[key], frame, check_exact=True, obj=key)
    finally:
        subprocess.run(["umount", "-l", str(work)], capture_output=True)
