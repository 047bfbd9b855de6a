"""Fault injection: SIGKILL training, lesion and landscape jobs (and sometimes Snakemake itself) at
random moments across a tiny workflow, rerun Snakemake after each kill, and check that the final
tables equal an uninterrupted run's. Slow (minutes), so it is a script, not part of the test suite:

    python tests/faults/inject.py --kills 24 --seed 0

Each round forces one family's jobs to run again (`--forcerun RULE --until RULE`), kills one of its
running jobs (or, one round in four, the whole Snakemake process group) after a random delay, lets
Snakemake finish what it can (the default profile's keep-going), then reruns it without force so
the killed job resumes. After the last round one full run completes the workflow; every tidy table
is then compared with the reference run's, ignoring only timing columns. Prints one line per kill
and the number of mismatching tables; exits 1 if there is any.
"""
from __future__ import annotations

import argparse
import functools
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
import yaml

print = functools.partial(print, flush=True)  # noqa: A001  (progress lines reach a log file as they happen)

REPO = Path(__file__).resolve().parents[2]
CONFIG = {
    "profile": "faults", "seeds": [0, 1], "dataset": {"limit_train": 400},
    "model": {"depths": [8, 14], "archs": ["plain", "resnet", "resnet_sd"], "stochastic_depth_depths": [14]},
    "train": {"epochs": 16, "batch_size": 64, "warmup_epochs": 1},
    "lesion": {"draws": 2, "max_k_points": 3, "path_samples": 2, "path_batch": 32},
    "variants": {"depth": 8, "epochs": 6, "names": ["identity", "dropout", "gate_exclusive"]},
    "landscape": {"resolution": 9, "chunks": 2, "subset": 128, "hessian_iters": 4, "ratio_map": 0},
    "signal": {"stats_every": 2, "mlp_layers": [1, 2], "mlp_width": 8, "mlp_epochs": 2, "rank_depth": 6,
               "rank_inits": 1, "rank_batch": 32, "append_blocks": 2, "append_epochs": 2},
    "architectures": {"enabled": False},
}
# The rules whose jobs are killed, and the resbench verbs their processes run.
TARGETS = {"train": "train", "train_variant": "train", "lesion": "lesion", "landscape_chunk": "landscape",
           "landscape_finish": "landscape-finish"}
TIMING = ("seconds", "images_per_second", "wall_seconds", "peak_memory_mb", "created", "threads")
def has_progress(work: Path, proc: psutil.Process) -> bool:
    """Whether this job has resumable work saved (a resume state, a finished landscape row); jobs with
    nothing to resume (lesion, landscape-finish) always count."""
    try:
        cmd = proc.cmdline()
    except psutil.Error:
        return False
    outs = [cmd[k + 1] for k, c in enumerate(cmd[:-1]) if c == "--out"]
    if "train" in cmd[1:4]:
        return any((work / out / "resume.pt").exists() for out in outs)
    if "landscape" in cmd[1:4]:
        return any(any((work / (out + ".rows")).glob("*.csv")) for out in outs)
    return True


def resumed_jobs(work: Path) -> int:
    """Jobs whose log says they went on from saved work (training resumed, landscape rows kept)."""
    count = 0
    for log in (work / "logs/faults").rglob("*.log"):
        text = log.read_text(errors="replace")
        count += text.count("resuming after epoch")
        for first, last, todo in re.findall(r"rows (\d+)-(\d+) of \d+, (\d+) to compute", text):
            count += int(todo) < int(last) - int(first) + 1
    return count


def snakemake(work: Path, *args: str, background: bool = False):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--configfile", "faults.yaml",
           "--cores", "2", *args]
    if background:
        return subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    return subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)


def job_processes(root: int, verb: str) -> list[psutil.Process]:
    """The Python processes of `resbench VERB` below Snakemake (not their bash wrappers)."""
    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for proc in children:
        try:
            cmd = proc.cmdline()
        except psutil.Error:
            continue
        if "python" in Path(cmd[0]).name if cmd else False:
            words = [Path(c).name for c in cmd[:3]]
            if "resbench" in words and verb in cmd[1:4]:
                found.append(proc)
    return found


def workdir(root: Path, name: str) -> Path:
    work = root / name
    work.mkdir()
    (work / "faults.yaml").write_text(yaml.safe_dump(CONFIG))
    return work


def tables(work: Path) -> dict[str, pd.DataFrame]:
    """Every tidy table of the run, timing columns dropped, rows in a canonical order."""
    out = {}
    for path in sorted((work / "results/faults").rglob("*.csv")):
        rel = str(path.relative_to(work / "results/faults"))
        if rel.startswith(("runs/", "landscape/chunks/", "landscape/surfaces/", "lesion/models/")):
            continue  # per-job pieces; their concatenations are compared
        frame = pd.read_csv(path) if path.stat().st_size > 1 else pd.DataFrame()
        frame = frame.drop(columns=[c for c in frame.columns if c in TIMING or c.startswith("git_")])
        out[rel] = frame.sort_values(list(frame.columns)).reset_index(drop=True) if len(frame.columns) else frame
    return out


def reference_run(root: Path) -> Path | None:
    """The undamaged, uninterrupted run every faulted one is compared with (None, and its output
    printed, if it fails)."""
    reference = workdir(root, "reference")
    proc = snakemake(reference)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        return None
    return reference


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=24, help="SIGKILLs to deliver (default 24)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-delay", type=float, default=1.0,
                        help="longest wait (s) after a job is into resumable work (training past an epoch, a landscape "
                             "row written; lesion jobs: after they start)")
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="resbench-faults-"))
    t0 = time.time()

    reference = reference_run(root)
    if reference is None:
        return 2
    print(f"reference run: {time.time() - t0:.0f} s, {len(tables(reference))} tables")

    work = workdir(root, "faulted")
    first = snakemake(work)  # the same workflow, then every round re-runs one family under fire
    assert first.returncode == 0, first.stderr[-2000:]
    kills, rounds = 0, 0
    while kills < args.kills and rounds < 4 * args.kills:
        rounds += 1
        rule = rng.choice(list(TARGETS))
        whole = rng.random() < 0.25
        job = snakemake(work, "--forcerun", rule, "--until", rule, background=True)
        victims = []
        while job.poll() is None and not victims:  # a job of the rule with resumable work saved
            victims = [p for p in job_processes(job.pid, TARGETS[rule]) if has_progress(work, p)]
            time.sleep(0.02)
        if not victims:
            job.wait()
            continue
        time.sleep(rng.uniform(0.0, args.max_delay))
        alive = [p for p in victims if p.is_running()] or job_processes(job.pid, TARGETS[rule])
        if not alive:
            job.wait()
            continue
        if whole:
            os.killpg(job.pid, signal.SIGKILL)
            what = "Snakemake and its jobs"
        else:
            victim = rng.choice(alive)
            what = " ".join(victim.cmdline()[2:4])
            victim.send_signal(signal.SIGKILL)
        job.wait()
        kills += 1
        if whole:
            snakemake(work, "--unlock")  # a killed Snakemake leaves its lock, as it would for a user
        recovery = snakemake(work, "--until", rule)
        resumed = resumed_jobs(work)
        print(f"kill {kills:2d} (round {rounds}): {rule:<16} {'SIGKILL ' + what:<42} "
              f"recovery exit {recovery.returncode}, {resumed} job(s) went on from saved work")
        if recovery.returncode != 0:
            print(recovery.stdout[-2000:], recovery.stderr[-2000:])
    final = snakemake(work)
    print(f"final run exit {final.returncode}; {kills} kills in {rounds} rounds, {time.time() - t0:.0f} s in all")

    want, got = tables(reference), tables(work)
    mismatches = []
    for name in sorted(set(want) | set(got)):
        if name not in want or name not in got:
            mismatches.append(f"{name}: only in {'reference' if name in want else 'faulted run'}")
            continue
        try:
            pd.testing.assert_frame_equal(want[name], got[name], check_exact=True)
        except AssertionError as exc:
            mismatches.append(f"{name}: {str(exc).splitlines()[0]}")
    print(f"compared {len(want)} tables: {len(mismatches)} mismatches")
    for line in mismatches:
        print("  " + line)
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"work folders kept under {root}")
    return 1 if mismatches or final.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
