"""Block surgery shared by every experiment: run a model's blocks in any order, with any of them
bypassed, without copying or modifying the model.

Bypassing a residual block keeps only its shortcut (y = x inside a stage; the parameter-free or
projection shortcut where the shape changes), which is Veit et al.'s deletion. A plain block has no
shortcut: inside a stage it becomes the identity; at a stage change a parameter-free zero-pad
subsampling (option A) stands in, so downsampling deletions are possible but reported apart.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from .cifar_resnet import ZeroPadShortcut

CACHE_BUDGET_BYTES = 512 * 2**20  # keep every block's input for the whole eval set only below this


def bypass(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The block's output with its residual branch (or, for a plain block, all its layers) removed; a
    block that says how it is deleted (a dense layer: its new features zero) does it its own way."""
    if hasattr(block, "bypass"):
        return block.bypass(x)
    if getattr(block, "shortcut", None) is not None:
        return block.shortcut(x)
    if not block.downsample:
        return x
    return ZeroPadShortcut(block.in_chs, block.out_chs, block.stride)(x)


def deletable_blocks(model: nn.Module) -> list[int]:
    """Blocks whose deletion keeps the shapes without a stand-in: those inside a stage."""
    return [i for i, block in enumerate(model.blocks) if not block.downsample]


def swappable_pairs(model: nn.Module) -> list[tuple[int, int]]:
    """Pairs of same-shape blocks (inside one stage), which can trade places."""
    stages: dict[int, list[int]] = {}
    for i in deletable_blocks(model):
        stages.setdefault(model.blocks[i].stage, []).append(i)
    return [(a, b) for idx in stages.values() for j, a in enumerate(idx) for b in idx[j + 1:]]


@torch.no_grad()
def block_inputs(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """Inputs of every block of the intact model, and the last block's output (n + 1 tensors).

    Lesions share the intact model's computation up to their first change; passing these as `cache`
    to `forward_lesioned` starts each lesion there instead of at the stem.
    """
    inputs = [model.stem(x)]
    for block in model.blocks:
        inputs.append(block(inputs[-1]))
    return inputs


def first_change(order: Sequence[int], bypassed: Collection[int]) -> int:
    """Position of the first block where a lesion departs from the intact model."""
    return next((pos for pos, i in enumerate(order) if i != pos or i in bypassed), len(order))


def forward_features_lesioned(model: nn.Module, x: torch.Tensor | None, order: Sequence[int] | None = None,
                              bypassed: Collection[int] = (), cache: list[torch.Tensor] | None = None) -> torch.Tensor:
    """Stem, then the blocks listed in `order` (default: all, in order), bypassing `bypassed`.

    With `cache` (from `block_inputs` on the same x; x may then be None) the intact prefix is reused.
    """
    order = list(range(len(model.blocks))) if order is None else list(order)
    start = first_change(order, bypassed) if cache is not None else 0
    h = cache[start] if cache is not None else model.stem(x)
    for i in order[start:]:
        block = model.blocks[i]
        h = bypass(block, h) if i in bypassed else block(h)
    return h


def forward_lesioned(model: nn.Module, x: torch.Tensor | None, order: Sequence[int] | None = None,
                     bypassed: Collection[int] = (), cache: list[torch.Tensor] | None = None) -> torch.Tensor:
    return model.forward_head(forward_features_lesioned(model, x, order, bypassed, cache))


def forward_single_path(model: nn.Module, h: torch.Tensor, active: Collection[int]) -> torch.Tensor:
    """Logits from the stem's output `h` through the intact blocks and head, with gradient flowing
    along one path of the unravelled ResNet: the residual branches of `active` blocks and the
    shortcuts of all others.

    Values are those of the normal forward pass (detach changes no numbers); only the backward pass
    is restricted, as in Veit et al. (2016, Sec. 5) for measuring gradient per path length.
    Defined for the original unit, relu(F(x) + h(x)); other placements and shortcut treatments raise.
    """
    for block in model.blocks:
        if getattr(block, "placement", "post") != "post" or getattr(block.combine, "op", "identity") != "identity":
            raise ValueError("single-path gradients need post-activation blocks with identity shortcut addition")
    for i, block in enumerate(model.blocks):
        branch, skip = block.forward_branch(h), block.shortcut(h)
        if i in active:
            skip = skip.detach()
        else:
            branch = branch.detach()
        h = torch.relu(branch + skip)
    return model.forward_head(h)


@contextmanager
def batch_statistics(model: nn.Module):
    """Training-mode forward passes (BatchNorm on batch statistics, as at a training step) that leave
    the running statistics, the mode and the random streams (dropout, drop-path) exactly as they were:
    for measurements taken in the middle of training."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.momentum, m.num_batches_tracked.clone() if m.num_batches_tracked is not None else None) for m in norms]
    was_training = model.training
    devices = [torch.cuda.current_device()] if torch.cuda.is_available() and any(
        p.is_cuda for p in model.parameters()) else []
    with torch.random.fork_rng(devices=devices):
        model.train()
        for m in norms:
            m.momentum = 0.0  # running <- (1 - 0) * running
        try:
            yield model
        finally:
            for m, (momentum, tracked) in zip(norms, saved):
                m.momentum = momentum
                if tracked is not None:
                    m.num_batches_tracked.copy_(tracked)
            model.train(was_training)


@torch.no_grad()
def error_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int, order: Sequence[int] | None = None,
               bypassed: Collection[int] = (), cache: list[torch.Tensor] | None = None) -> float:
    """Test error of the lesioned model; `cache` (block_inputs of all of x) skips the intact prefix."""
    if cache is not None:
        return (forward_lesioned(model, None, order, bypassed, cache).argmax(1) != y).float().mean().item()
    wrong = 0
    for start in range(0, len(y), batch_size):
        logits = forward_lesioned(model, x[start:start + batch_size], order, bypassed)
        wrong += (logits.argmax(1) != y[start:start + batch_size]).sum().item()
    return wrong / len(y)


def prefix_cache(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor] | None:
    """block_inputs of the whole eval set when it fits the budget (small data), else None."""
    one = block_inputs(model, x[:1])
    per_image = sum(t.numel() * t.element_size() for t in one)
    return block_inputs(model, x) if per_image * len(x) <= CACHE_BUDGET_BYTES else None
