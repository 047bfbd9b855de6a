"""Block surgery shared by every experiment: run a model's blocks in any order, with any of them
bypassed, without copying or modifying the model.

Bypassing a residual block keeps only its shortcut (y = x inside a stage; the parameter-free or
projection shortcut where the shape changes), which is Veit et al.'s deletion. A plain block has no
shortcut: inside a stage it becomes the identity; at a stage change a parameter-free zero-pad
subsampling (option A) stands in, so downsampling deletions are possible but reported apart.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

import torch
from torch import nn

from .cifar_resnet import ZeroPadShortcut


def bypass(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The block's output with its residual branch (or, for a plain block, all its layers) removed."""
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


def forward_features_lesioned(model: nn.Module, x: torch.Tensor, order: Sequence[int] | None = None,
                              bypassed: Collection[int] = ()) -> torch.Tensor:
    """Stem, then the blocks listed in `order` (default: all, in order), bypassing `bypassed`."""
    h = model.stem(x)
    for i in range(len(model.blocks)) if order is None else order:
        block = model.blocks[i]
        h = bypass(block, h) if i in bypassed else block(h)
    return h


def forward_lesioned(model: nn.Module, x: torch.Tensor, order: Sequence[int] | None = None,
                     bypassed: Collection[int] = ()) -> torch.Tensor:
    return model.forward_head(forward_features_lesioned(model, x, order, bypassed))


def forward_single_path(model: nn.Module, h: torch.Tensor, active: Collection[int]) -> torch.Tensor:
    """Logits from the stem's output `h` through the intact blocks and head, with gradient flowing
    along one path of the unravelled ResNet: the residual branches of `active` blocks and the
    shortcuts of all others.

    Values are those of the normal forward pass (detach changes no numbers); only the backward pass
    is restricted, as in Veit et al. (2016, Sec. 5) for measuring gradient per path length.
    """
    for i, block in enumerate(model.blocks):
        branch, skip = block.forward_branch(h), block.shortcut(h)
        if i in active:
            skip = skip.detach()
        else:
            branch = branch.detach()
        h = torch.relu(branch + skip)
    return model.forward_head(h)
