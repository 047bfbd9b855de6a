"""One registry of models (timm's); importing this package registers resbench's names in it. Every
module of this package is imported here, so a new model file registers its nets with no list to edit."""
from __future__ import annotations

import importlib
import pkgutil

import timm
from torch import nn

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

from .cifar_resnet import ARCHS, SHORTCUTS, CifarResNet, blocks_per_stage  # noqa: E402


def list_models() -> list[str]:
    """Every name a resbench module registered in timm's registry."""
    return sorted(name for name in timm.list_models()
                  if timm.models.model_entrypoint(name).__module__.startswith(f"{__name__}."))


def create_model(arch: str, depth: int, **kwargs) -> nn.Module:
    """Build `arch` (resnet | plain) at `depth` through timm's registry."""
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; allowed: {', '.join(ARCHS)}")
    return timm.create_model(f"{arch}_cifar", depth=depth, **kwargs)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


__all__ = ["ARCHS", "SHORTCUTS", "CifarResNet", "blocks_per_stage", "create_model", "count_parameters", "list_models"]
