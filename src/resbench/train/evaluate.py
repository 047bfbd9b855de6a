"""A model's mean loss and error rate on a split, in eval mode (the loop's per-epoch evaluation)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..data.batches import iterate_batches


@torch.no_grad()
def evaluate(model, x, y, batch_size: int, autocast) -> tuple[float, float]:
    """Mean cross-entropy and error rate of `model` (eval mode) on (x, y); NaN for an empty split."""
    if len(y) == 0:
        return math.nan, math.nan
    model.eval()
    loss_sum = torch.zeros((), device=x.device)
    wrong = torch.zeros((), device=x.device)
    for xb, yb in iterate_batches(x, y, batch_size):
        with autocast():
            logits = model(xb)
        loss_sum += F.cross_entropy(logits.float(), yb, reduction="sum")
        wrong += (logits.argmax(1) != yb).sum()
    return loss_sum.item() / len(y), wrong.item() / len(y)
