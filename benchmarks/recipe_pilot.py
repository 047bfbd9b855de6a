"""The pilot that fixed the quick profile's digits recipe: candidate recipes trained on pilot seeds that
no profile uses (100-102), judged only by whether every ResNet converges without a loss spike and by
cost, never by a verdict. Each run is `resbench train` on a profile that differs from config/quick.yaml
only in its train block; two runs at a time (one thread each), as the workflow runs on 2 cores.

    python benchmarks/recipe_pilot.py                        # the candidates below, ResNet-56 first
    python benchmarks/recipe_pilot.py --recipes G --archs plain resnet --depths 8 20 32 56

Prints one row per run: final training error (running and eval mode), the largest training loss
after the first epoch (a spike), and training seconds."""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# name -> (batch, epochs, lr, warm-up epochs); A is the recipe the quick profile had before the pilot.
RECIPES = {"A": (128, 20, 0.1, 2), "B": (32, 8, 0.1, 1), "D": (64, 8, 0.1, 1), "G": (64, 8, 0.05, 1),
           "H": (64, 10, 0.1, 2), "G6": (64, 6, 0.05, 1)}
PILOT_SEEDS = [100, 101, 102]


def profile(name: str) -> dict:
    batch, epochs, lr, warmup = RECIPES[name]
    quick = yaml.safe_load((REPO / "config" / "quick.yaml").read_text())
    return {**quick, "profile": f"pilot{name}", "seeds": PILOT_SEEDS,
            "train": {"epochs": epochs, "batch_size": batch, "lr": lr, "schedule": "cosine", "warmup_epochs": warmup}}


def train(job: tuple[str, str, int, int], work: Path) -> dict:
    recipe, arch, depth, seed = job
    out = work / recipe / f"{arch}{depth}_s{seed}"
    subprocess.run([sys.executable, "-m", "resbench", "train", "--config", str(work / f"{recipe}.yaml"),
                    "--arch", arch, "--depth", str(depth), "--seed", str(seed), "--out", str(out), "--threads", "1"],
                   check=True, capture_output=True)
    summary = json.loads((out / "summary.json").read_text())
    epochs = list(csv.DictReader((out / "metrics.csv").open()))
    return {"recipe": recipe, "run": f"{arch}{depth}_s{seed}", "train_error": summary["final_train_error"],
            "eval_train_error": summary["final_train_error_eval"],
            "spike": max((float(e["train_loss"]) for e in epochs[1:]), default=float("nan")),
            "train_s": sum(float(e["seconds"]) for e in epochs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="+", default=["D", "G", "H"], choices=sorted(RECIPES))
    parser.add_argument("--archs", nargs="+", default=["resnet"])
    parser.add_argument("--depths", nargs="+", type=int, default=[56])
    parser.add_argument("--seeds", nargs="+", type=int, default=PILOT_SEEDS)
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2: one per core here)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in args.recipes:
            (work / f"{name}.yaml").write_text(yaml.safe_dump(profile(name)))
        jobs = [(r, a, d, s) for r in args.recipes for a in args.archs for d in args.depths for s in args.seeds]
        with ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(lambda job: train(job, work), jobs))
    print(f"{'recipe':7s} {'run':16s} {'train err':>9s} {'eval':>7s} {'max loss after ep. 1':>21s} {'train s':>8s}")
    for r in rows:
        print(f"{r['recipe']:7s} {r['run']:16s} {r['train_error']:9.4f} {r['eval_train_error']:7.4f} "
              f"{r['spike']:21.2f} {r['train_s']:8.1f}")


if __name__ == "__main__":
    main()
