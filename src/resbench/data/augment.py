"""He'16 CIFAR augmentation as batched tensor ops: 4-pixel zero pad, random crop, horizontal flip."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def augment_batch(x: torch.Tensor, generator: torch.Generator, pad: int = 4, flip: bool = True) -> torch.Tensor:
    """Random-crop each image of `x` (N, C, H, W) from its zero-padded copy, then flip half of them.

    Offsets and flips are drawn on the CPU from `generator` (so runs are reproducible on any device)
    and applied with one gather on x's device.
    """
    n, c, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, None, :, None]  # N,1,H,1
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, None, :]  # N,1,1,W
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    chans = torch.arange(c, device=x.device)[None, :, None, None]
    out = padded[batch, chans, rows, cols]
    if flip:
        flips = (torch.rand(n, generator=generator) < 0.5).to(x.device)
        out = torch.where(flips[:, None, None, None], out.flip(3), out)
    return out
