"""Lesion evaluation: resbench's in-place surgery vs the naive way (deep-copy the model per lesion,
replace the deleted blocks, evaluate), timed side by side in one process on the same lesions.

    python benchmarks/lesion_speed.py --depth 56 --lesions 40

Prints seconds per lesion for both and the ratio. Both evaluate the same test set in one batch;
the naive path is what a script built on copy.deepcopy + module replacement would do.
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch
from torch import nn

from resbench.hub.profile import validate_config
from resbench.data import load_splits
from resbench.families.lesion.measure import error_rate, prefix_cache
from resbench.models import create_model
from resbench.models.surgery import deletable_blocks


class Bypass(nn.Module):
    def __init__(self, block):
        super().__init__()
        self.shortcut = block.shortcut if block.shortcut is not None else nn.Identity()

    def forward(self, x):
        return self.shortcut(x)


@torch.no_grad()
def naive_error(model, deleted, x, y) -> float:
    lesioned = copy.deepcopy(model)
    for i in deleted:
        lesioned.blocks[i] = Bypass(lesioned.blocks[i])
    lesioned.eval()
    return (lesioned(x).argmax(1) != y).float().mean().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=56)
    parser.add_argument("--lesions", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_splits(validate_config({})["dataset"])
    torch.manual_seed(0)
    model = create_model("resnet", args.depth, in_chans=data.in_chans).eval()
    rng = np.random.default_rng(0)
    deletable = deletable_blocks(model)
    lesions = [set(rng.choice(deletable, size=int(rng.integers(1, len(deletable) + 1)), replace=False).tolist())
               for _ in range(args.lesions)]
    times = {"naive (deepcopy per lesion)": 0.0, "resbench (bypass, prefix cache)": 0.0}
    t = time.perf_counter()
    cache = prefix_cache(model, data.test_x)  # once per model, counted in resbench's time
    times["resbench (bypass, prefix cache)"] += time.perf_counter() - t
    for deleted in lesions:  # interleaved, so drift hits both alike
        t = time.perf_counter()
        a = naive_error(model, deleted, data.test_x, data.test_y)
        times["naive (deepcopy per lesion)"] += time.perf_counter() - t
        t = time.perf_counter()
        b = error_rate(model, data.test_x, data.test_y, 1024, bypassed=deleted, cache=cache)
        times["resbench (bypass, prefix cache)"] += time.perf_counter() - t
        assert abs(a - b) < 1e-6, (a, b)  # same lesion, same error (float32 mean vs exact count)
    naive, ours = times.values()
    print(f"ResNet-{args.depth}, {args.lesions} lesions, {len(data.test_y)} test images, {args.threads} thread(s)")
    for name, seconds in times.items():
        print(f"  {name:<30} {1000 * seconds / args.lesions:8.1f} ms per lesion")
    print(f"  speed-up: {naive / ours:.2f}x")


if __name__ == "__main__":
    main()
