"""How long regenerating the report takes from cached results, side by side in one run.

Each candidate is the `resbench` verb a user (or a Snakemake job) runs, timed as a whole process
(start-up and imports included, as a user waits for it), the candidates taken in turn, `--repeat`
rounds, median reported with the ratio to the reference:

- reference: `resbench report` from the tables alone: decides and calibrates every claim, draws every
  figure, writes HTML and PDF (what each regeneration cost before claims and figures were split off);
- claims: `resbench claims` (the workflow's claims job, once per result set);
- figures: `resbench figures` (every family's figures, drawn by as many processes as there are cores;
  `--jobs 1` in one), and each family's alone (the workflow's figures jobs: an edit to one family's
  drawing code reruns that family's only);
- report: `resbench report --drawn` (HTML and PDF from the claims and the figures already drawn: what
  a template or title edit reruns).

    python benchmarks/report_speed.py                                    # quick profile's results
    python benchmarks/report_speed.py --config config/standard.yaml --results results/standard
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from resbench.families import FAMILIES


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "resbench.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def candidates(config: str, results: str, out: Path, families: list[str]) -> dict[str, list[str]]:
    common = ["--config", config, "--results", results]
    claims = ["--claims", str(out / "claims.json")]
    runs = {
        "reference: report from tables": ["report", *common, "--out", str(out / "reference")],
        "claims": ["claims", *common, "--out", str(out / "claims.json")],
        "figures (every family)": ["figures", *common, "--out", str(out), *claims],
        "figures --jobs 1": ["figures", *common, "--out", str(out), *claims, "--jobs", "1"],
    }
    runs.update({f"figures --family {f}": ["figures", *common, "--out", str(out), *claims, "--family", f]
                 for f in families})
    runs["report --drawn (HTML + PDF)"] = ["report", *common, "--out", str(out), *claims, "--drawn"]
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default="config/quick.yaml", help="the profile the results came from")
    ap.add_argument("--results", default="results/quick", help="its results folder (run the workflow first)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; each candidate once per round")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="resbench-report-speed-"))
    try:
        timed(["claims", "--config", args.config, "--results", args.results, "--out", str(out / "claims.json")])
        timed(["figures", "--config", args.config, "--results", args.results, "--out", str(out)])
        families = [f.name for f in FAMILIES if any((out / "figures" / f.name).glob("*.png"))]
        runs = candidates(args.config, args.results, out, families)
        seconds = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, argv in runs.items():
                seconds[name].append(timed(argv))
        reference = statistics.median(seconds["reference: report from tables"])
        figures = sorted((out / "figures").glob("*/*.png"))
        print(f"{args.results}: {len(figures)} figures in {len(families)} families, median of {args.repeat}")
        print(f"{'candidate':34} {'seconds':>8} {'ratio':>7}")
        for name, values in seconds.items():
            median = statistics.median(values)
            print(f"{name:34} {median:8.1f} {median / reference:7.2f}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
