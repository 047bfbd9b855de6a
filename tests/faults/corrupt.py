"""Corruption: damage one finished file of a tiny workflow at a time, let the suite find and rebuild
it, and check that every table ends equal to an undamaged run's. The companion of inject.py (kills);
slow (about a minute a case), so it is a script, not part of the test suite:

    python tests/faults/corrupt.py                       # every kind x way x mtime (54 cases)
    python tests/faults/corrupt.py --kinds model.pt --ways zero --mtimes new

Each case copies the finished reference run (mtimes kept), damages one file in one way:

- truncate: cut to half its length;  zero: the same length of zero bytes;  random: random bytes;

either as a write would leave it (a new mtime: Snakemake sees a changed input) or with its old
mtime put back (bit rot: only `resbench verify` can find it, so those cases run it first over the
results and report folders). Then Snakemake runs until it says "Nothing to be done" (at most five
times), and the case passes when every tidy table and claims.json equal the reference's (timing
columns aside) and the damaged path holds a file that verifies again. Prints one line per case and
exits 1 on any failure.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from inject import REPO, reference_run, snakemake, tables

print = functools.partial(print, flush=True)  # noqa: A001  (progress lines reach a log file as they happen)

RESULTS, REPORTS = Path("results/faults"), Path("reports/faults")
# One file of each kind the DAG writes: a checkpoint, a run's records, a per-job piece, a
# concatenated table, a family's table, and the report's claims.
KINDS = {
    "model.pt": RESULTS / "runs/plain14_s1/model.pt",
    "summary.json": RESULTS / "runs/resnet14_s1/summary.json",
    "metrics.csv": RESULTS / "runs/plain14_s0/metrics.csv",
    "landscape chunk": RESULTS / "landscape/chunks/plain14_s0_c1.csv",
    "lesion per-model": RESULTS / "lesion/models/plain14.csv",
    "lesion.csv": RESULTS / "lesion/lesion.csv",
    "runs.csv": RESULTS / "depth/runs.csv",
    "curvature.csv": RESULTS / "landscape/curvature.csv",
    "claims.json": REPORTS / "claims.json",
}
WAYS = ("truncate", "zero", "random")
MTIMES = ("new", "old")
NOTHING_LEFT = "Nothing to be done"


def damage(path: Path, way: str, rng: random.Random) -> bytes:
    size = path.stat().st_size
    data = {"truncate": lambda: path.read_bytes()[: size // 2], "zero": lambda: bytes(size),
            "random": lambda: rng.randbytes(size)}[way]()
    path.write_bytes(data)
    return data


def claims(work: Path) -> list[dict]:
    """The verdicts and numbers of claims.json, without what a rerun changes (times, provenance)."""
    record = json.loads((work / REPORTS / "claims.json").read_text())
    return [{k: v for k, v in claim.items() if k not in ("seconds", "created")} for claim in record["claims"]]


def mismatches(want: Path, got: Path) -> list[str]:
    a, b = tables(want), tables(got)
    out = [f"{name}: only in {'reference' if name in a else 'damaged run'}" for name in sorted(set(a) ^ set(b))]
    for name in sorted(set(a) & set(b)):
        try:
            pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)
        except AssertionError as exc:
            out.append(f"{name}: {str(exc).splitlines()[0]}")
    try:
        if claims(want) != claims(got):
            out.append("claims.json: verdicts or numbers differ")
    except (OSError, ValueError, KeyError) as exc:
        out.append(f"claims.json: unreadable at the end ({exc})")
    return out


def verify(work: Path, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "resbench", "verify", str(folder)], cwd=work, capture_output=True,
                          text=True)


def run_case(reference: Path, root: Path, kind: str, way: str, mtime: str, rng: random.Random) -> tuple[bool, str]:
    work = root / f"{kind}-{way}-{mtime}".replace(" ", "_").replace(".", "_")
    shutil.copytree(reference, work, symlinks=True)  # copy2 keeps every mtime
    target = work / KINDS[kind]
    before = target.stat()
    damaged = damage(target, way, rng)
    if mtime == "old":
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
        found = [verify(work, folder) for folder in (RESULTS, REPORTS)]
        if not any(p.returncode == 1 for p in found):
            return False, "resbench verify did not find the damage"
    runs, last = 0, None
    while runs < 5:
        runs += 1
        last = snakemake(work)
        if last.returncode == 0 and NOTHING_LEFT in last.stdout + last.stderr:
            break
    done = last is not None and last.returncode == 0 and NOTHING_LEFT in last.stdout + last.stderr
    problems = [] if done else [f"Snakemake still had work (or failed) after {runs} runs"]
    if not target.exists():
        problems.append(f"{KINDS[kind]} is missing at the end")
    elif target.read_bytes() == damaged:
        problems.append(f"{KINDS[kind]} is still the damaged file")
    elif verify(work, target.parent).returncode != 0:
        problems.append(f"{KINDS[kind]} (or a file beside it) fails verification at the end")
    problems += mismatches(reference, work)
    shutil.rmtree(work, ignore_errors=True)
    return not problems, f"{runs} Snakemake run(s); " + ("; ".join(problems) if problems else "0 tables differ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", nargs="+", choices=list(KINDS), default=list(KINDS))
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--mtimes", nargs="+", choices=MTIMES, default=list(MTIMES))
    parser.add_argument("--seed", type=int, default=0, help="seed of the random bytes")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="resbench-corrupt-"))
    t0 = time.time()
    reference = reference_run(root)
    if reference is None:
        return 2
    missing = [str(p) for p in KINDS.values() if not (reference / p).exists()]
    if missing:
        print(f"the reference run wrote no {', '.join(missing)}: update KINDS")
        return 2
    print(f"reference run: {time.time() - t0:.0f} s, {len(tables(reference))} tables (repository {REPO})")
    failed = 0
    cases = [(k, w, m) for k in args.kinds for w in args.ways for m in args.mtimes]
    for n, (kind, way, mtime) in enumerate(cases, start=1):
        t1 = time.time()
        ok, what = run_case(reference, root, kind, way, mtime, rng)
        failed += not ok
        print(f"case {n:2d}/{len(cases)} {kind:<17} {way:<8} {mtime} mtime: {'ok  ' if ok else 'FAIL'} {what} "
              f"({time.time() - t1:.0f} s)")
    print(f"{len(cases)} cases, {failed} failed, {time.time() - t0:.0f} s in all")
    shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
