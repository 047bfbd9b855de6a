"""Per-block signal statistics of a conv net, cheap enough to take inside the training loop every few
epochs: gradient norm per block, response std of each 3x3 layer after BN (He et al. 2016, Fig. 7)
and the share of dead ReLU channels (claim 3)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ...models.surgery import batch_statistics


def block_gradient_norms(model, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """||dL/d theta_b|| for the parameters of every block b, from one training-mode step's loss on
    (x, y); the running statistics, .grad buffers and random streams are left untouched."""
    groups = [[p for p in block.parameters() if p.requires_grad] for block in model.blocks]
    with batch_statistics(model):
        loss = F.cross_entropy(model(x).float(), y)
        grads = torch.autograd.grad(loss, [p for g in groups for p in g], allow_unused=True)
    norms, k = [], 0
    for group in groups:
        chunk = [g for g in grads[k:k + len(group)] if g is not None]
        norms.append(float(torch.sqrt(sum((g.float() ** 2).sum() for g in chunk))) if chunk else 0.0)
        k += len(group)
    return norms


@torch.no_grad()
def block_responses(model, x: torch.Tensor) -> list[dict]:
    """In eval mode: std of the outputs of each block's BN layers (bn1, bn2: after BN, before ReLU or
    addition in the original unit) and the share of the block's output channels that are zero at
    every position of every image (dead ReLUs)."""
    captured: dict[str, torch.Tensor] = {}
    hooks = []
    for b, block in enumerate(model.blocks):
        for name in ("bn1", "bn2"):
            if hasattr(block, name):
                hooks.append(getattr(block, name).register_forward_hook(
                    lambda m, i, o, key=f"{b}.{name}": captured.__setitem__(key, o.float().std().item())))
        hooks.append(block.register_forward_hook(
            lambda m, i, o, key=f"{b}.out": captured.__setitem__(key, (o.amax(dim=(0, 2, 3)) <= 0).float().mean().item())))
    was_training = model.training
    model.eval()
    try:
        model(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return [{"response_std_1": captured.get(f"{b}.bn1", float("nan")),
             "response_std_2": captured.get(f"{b}.bn2", float("nan")),
             "dead_fraction": captured[f"{b}.out"]} for b in range(len(model.blocks))]


def layer_statistics(model, x: torch.Tensor, y: torch.Tensor, epoch: int) -> list[dict]:
    """One row per block: epoch (0 = initialization), block index, stage, gradient norm, responses."""
    grads = block_gradient_norms(model, x, y)
    responses = block_responses(model, x)
    return [{"epoch": epoch, "block": b, "stage": getattr(block, "stage", -1), "grad_norm": g, **r}
            for b, (block, g, r) in enumerate(zip(model.blocks, grads, responses))]


def probe(x: torch.Tensor, y: torch.Tensor, memory_format=torch.contiguous_format):
    """The training probe: per-block statistics on the first LAYER_STATS_IMAGES training images
    (no augmentation). It leaves training bit-identical (no RNG draws, parameters restored)."""
    from . import LAYER_STATS_IMAGES

    x, y = x[:LAYER_STATS_IMAGES].contiguous(memory_format=memory_format), y[:LAYER_STATS_IMAGES]

    def take(model, epoch: int) -> list[dict]:
        return layer_statistics(model, x, y, epoch=epoch)

    return take
