"""One registry of models (timm's); importing this package registers resbench's names in it."""
from __future__ import annotations

import timm
from torch import nn

from . import cifar_resnet  # noqa: F401  (registers the models)
from .cifar_resnet import ARCHS, SHORTCUTS, CifarResNet, blocks_per_stage


def list_models() -> list[str]:
    """Names resbench registered in timm's registry."""
    return sorted(timm.list_models(module="cifar_resnet"))


def create_model(arch: str, depth: int, **kwargs) -> nn.Module:
    """Build `arch` (resnet | plain) at `depth` through timm's registry."""
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; allowed: {', '.join(ARCHS)}")
    return timm.create_model(f"{arch}_cifar", depth=depth, **kwargs)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


__all__ = ["ARCHS", "SHORTCUTS", "CifarResNet", "blocks_per_stage", "create_model", "count_parameters", "list_models"]
