"""The pilot that fixed the Nielsen MLPs' training length on digits (issue 31): sigmoid MLPs with 1-4
hidden layers of 30 units, Nielsen's SGD (batch 10, eta 0.1, constant), trained on pilot seeds that no
profile uses (200-202), every seed of one shape stacked as in the workflow. With a constant learning
rate a run of E epochs passes through every shorter schedule, so one long run gives every candidate.

Judged only by the regime criterion (every depth on its plateau: mean test accuracy gained less than
PLATEAU points over the last quarter of the epochs; Nielsen's 1-4-layer nets end within ~0.4 points of
each other after ~150,000 SGD steps) and by cost, never by a verdict.

    python benchmarks/nielsen_pilot.py                     # 1-4 hidden layers, up to 1,200 epochs
    python benchmarks/nielsen_pilot.py --epochs 300 --candidates 30 150 300

Prints, per candidate length: SGD steps, each depth's mean test accuracy, its gain over the last
quarter, whether the criterion is met, and the seconds that length cost (all four depths, 3 seeds)."""
from __future__ import annotations

import argparse
import time

import torch

from resbench.config import fill_defaults, load_schema, load_yaml
from resbench.data.splits import load_splits
from resbench.families.signal.nielsen import MLP, train_mlps
from resbench.families.signal.regime import PLATEAU, plateau_gain

PILOT_SEEDS = [200, 201, 202]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=1200)
    p.add_argument("--candidates", type=int, nargs="+", default=[30, 150, 300, 600, 1200])
    p.add_argument("--layers", type=int, nargs="+", default=[1, 2, 3, 4])
    args = p.parse_args()
    torch.set_num_threads(1)
    data = load_splits(fill_defaults(load_yaml("config/quick.yaml"), load_schema())["dataset"])
    steps_per_epoch = -(-len(data.train_y) // 10)
    curves, seconds = {}, {}
    for layers in args.layers:
        nets = []
        for seed in PILOT_SEEDS:
            torch.manual_seed(seed)
            nets.append(MLP(data.train_x[0].numel(), 30, layers, data.num_classes, "sigmoid"))
        t0 = time.perf_counter()
        rows, _ = train_mlps(nets, (data.train_x, data.train_y), (data.test_x, data.test_y), args.epochs, 10, 0.1,
                             PILOT_SEEDS)
        seconds[layers] = time.perf_counter() - t0
        curves[layers] = [sum(r[e]["test_accuracy"] for r in rows) / len(rows) for e in range(args.epochs + 1)]
        print(f"# {layers} hidden: {seconds[layers]:.0f} s for {args.epochs} epochs", flush=True)
    print(f"train images {len(data.train_y)}, {steps_per_epoch} steps per epoch, seeds {PILOT_SEEDS}")
    print("| epochs | SGD steps | " + " | ".join(f"{k} hidden: acc (last-quarter gain)" for k in args.layers)
          + f" | plateau (< {100 * PLATEAU:.1f} pt) | seconds |")
    print("|---" * (len(args.layers) + 4) + "|")
    for e in args.candidates:
        gains = {k: plateau_gain(curves[k][: e + 1]) for k in args.layers}
        cells = " | ".join(f"{100 * curves[k][e]:.1f}% ({100 * gains[k]:+.2f})" for k in args.layers)
        met = all(g < PLATEAU for g in gains.values())
        cost = sum(seconds.values()) * e / args.epochs
        print(f"| {e} | {e * steps_per_epoch:,} | {cells} | {'met' if met else 'not met'} | {cost:.0f} |")


if __name__ == "__main__":
    main()
