"""Seconds per loss-surface grid point: resbench's in-place evaluation vs the naive per-point loop
of the reference implementation (copy the weights, load a perturbed state dict into a fresh model,
evaluate through a DataLoader in batches of 128), side by side in one process on the same points.

    python benchmarks/landscape_speed.py --depth 20 --points 20 --subset 1000

Prints seconds per point for both and the ratio; both must give the same losses (asserted).
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from resbench.config import validate_config
from resbench.data import load_splits
from resbench.experiments.landscape import fast_layout, filter_normalized_direction, surface_rows
from resbench.models import create_model


@torch.no_grad()
def naive_point(model, center, d1, d2, alpha, beta, loader) -> float:
    """What the reference does per point: new weights into a copied model, DataLoader evaluation."""
    net = copy.deepcopy(model)
    state = copy.deepcopy(net.state_dict())
    for (name, _), c, a, b in zip(model.named_parameters(), center, d1, d2):
        state[name] = c + alpha * a + beta * b
    net.load_state_dict(state)
    net.eval()
    total, count = 0.0, 0
    for xb, yb in loader:
        total += F.cross_entropy(net(xb), yb, reduction="sum").item()
        count += len(yb)
    return total / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--subset", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_splits(validate_config({})["dataset"])
    x, y = data.train_x[:args.subset], data.train_y[:args.subset]
    torch.manual_seed(0)
    model = create_model("resnet", args.depth, in_chans=data.in_chans).eval()
    d1, d2 = (filter_normalized_direction(model, s) for s in (0, 1))
    center = [p.detach().clone() for p in model.parameters()]
    loader = DataLoader(TensorDataset(x, y), batch_size=128)
    fast_model, fast_x = fast_layout(copy.deepcopy(model), x)  # what `resbench landscape` evaluates
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(args.points, 2))
    times = {"naive (copy + load + DataLoader)": 0.0, "resbench (in place, channels_last)": 0.0}
    for alpha, beta in points:  # interleaved, so drift hits both alike
        t = time.perf_counter()
        naive = naive_point(model, center, d1, d2, alpha, beta, loader)
        times["naive (copy + load + DataLoader)"] += time.perf_counter() - t
        t = time.perf_counter()
        ours = surface_rows(fast_model, fast_x, y, (d1, d2), np.array([alpha]), np.array([beta]), rows=[0])[0]["loss"]
        times["resbench (in place, channels_last)"] += time.perf_counter() - t
        assert abs(naive - ours) <= 1e-4 * max(1.0, abs(naive)), (naive, ours)
    print(f"ResNet-{args.depth}, {args.points} grid points, {len(y)} training images, {args.threads} thread(s)")
    for name, seconds in times.items():
        print(f"  {name:<34} {seconds / args.points:7.3f} s per point")
    naive_s, ours_s = times.values()
    print(f"  speed-up: {naive_s / ours_s:.2f}x")


if __name__ == "__main__":
    main()
