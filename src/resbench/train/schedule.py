"""Learning rate as a pure function of the iteration (step, cosine or constant, after warm-up)."""
from __future__ import annotations

import math


def lr_at(iteration: int, iters_per_epoch: int, train: dict, depth: int) -> float:
    """Learning rate for `iteration` (0-based) under the `train` config section.

    Warm-up (for nets at least `warmup_min_depth` deep) lasts `warmup_epochs`: `linear` ramps from
    `warmup_lr` to `lr`, `constant` holds `warmup_lr` (He'16's ResNet-110 recipe). Then `step`
    divides by 10 at each milestone, `cosine` decays to 0 at the end, `constant` keeps `lr`.
    """
    lr = train["lr"]
    total = train["epochs"] * iters_per_epoch
    warmup = int(round(train["warmup_epochs"] * iters_per_epoch)) if depth >= train["warmup_min_depth"] else 0
    if iteration < warmup:
        if train["warmup"] == "constant":
            return train["warmup_lr"]
        return train["warmup_lr"] + (lr - train["warmup_lr"]) * iteration / warmup
    schedule = train["schedule"]
    if schedule == "step":
        scale = iters_per_epoch if train["milestone_unit"] == "epoch" else 1
        passed = sum(iteration >= m * scale for m in train["milestones"])
        return lr * 0.1 ** passed
    if schedule == "cosine":
        progress = (iteration - warmup) / max(1, total - warmup)
        return 0.5 * lr * (1 + math.cos(math.pi * min(1.0, progress)))
    return lr
