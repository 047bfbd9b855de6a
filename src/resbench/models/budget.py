"""Fitting a net to a parameter budget: the width multiplier (or integer size) whose net has ResNet-20's
parameter count, counted on the meta device; and what every classic net's timm entry point shares."""
from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

RESNET20_CIFAR_PARAMS = 269_722  # the budget: He et al. 2016, Table 6 (3-channel input, 10 classes)


def drop_timm_kwargs(kwargs: dict) -> dict:
    if kwargs.pop("pretrained", False):
        raise ValueError("resbench models have no pretrained weights")
    for key in ("pretrained_cfg", "pretrained_cfg_overlay", "cache_dir"):
        kwargs.pop(key, None)
    return kwargs


def scaled(channels: int, width: float, multiple: int = 1) -> int:
    return max(multiple, int(round(channels * width / multiple)) * multiple)


def count_params(build: Callable[[float], nn.Module], width: float) -> int:
    """Parameters of `build(width)`, built on the meta device (no memory, no initialization cost)."""
    with torch.device("meta"):
        return sum(p.numel() for p in build(width).parameters())


def fit_width(build: Callable[[float], nn.Module], target: int = RESNET20_CIFAR_PARAMS) -> float:
    """The width multiplier whose net has the parameter count closest to `target` (bisection on the
    monotone count down to 1e-4 relative, finer than one channel in a thousand, then the better of
    the two bracketing widths)."""
    low, high = 1e-3, 64.0
    while high / low > 1 + 1e-4:
        mid = math.sqrt(low * high)
        if count_params(build, mid) < target:
            low = mid
        else:
            high = mid
    return min((low, high), key=lambda w: abs(count_params(build, w) - target))


def closest_integer(count: Callable[[int], int], low: int, high: int, target: int) -> int:
    """The integer in [low, high] whose (non-decreasing) `count` is closest to `target`, by bisection."""
    while high - low > 1:
        mid = (low + high) // 2
        if count(mid) < target:
            low = mid
        else:
            high = mid
    return min((low, high), key=lambda v: abs(count(v) - target))


# The width each budget net needs to hold ResNet-20's parameters (fitted once, on first use).
BUDGET_WIDTHS: dict[str, float | tuple[int, int]] = {}


def budget_width(name: str, build: Callable[[float], nn.Module]) -> float:
    if name not in BUDGET_WIDTHS:
        BUDGET_WIDTHS[name] = fit_width(build)
    return BUDGET_WIDTHS[name]
