"""Shuffled mini-batches from device-resident tensors (no DataLoader workers in the hot loop)."""
from __future__ import annotations

from collections.abc import Iterator

import torch

from .augment import augment_batch


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """RNG for one epoch's shuffle and augmentation, derived from (seed, epoch) so resume is exact."""
    return torch.Generator().manual_seed(seed * 100_003 + epoch)


def iterate_batches(
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    generator: torch.Generator | None = None,
    augment: bool = False,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield (x, y) batches; shuffled when `generator` is given. A trailing batch of one is dropped
    during training (BatchNorm cannot normalize a single image)."""
    n = len(y)
    order = torch.randperm(n, generator=generator).to(x.device) if generator is not None else None
    for start in range(0, n, batch_size):
        if generator is not None and n - start < 2:
            break
        idx = order[start:start + batch_size] if order is not None else slice(start, start + batch_size)
        xb, yb = x[idx], y[idx]
        if augment and generator is not None:
            xb = augment_batch(xb, generator)
        yield xb, yb
