"""ResNeXt-29 (Xie et al. 2017): the 8x64d CIFAR net and the cardinality sweep at ResNet-20's budget."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from timm.models import register_model
from torch import nn

from .budget import BUDGET_WIDTHS, RESNET20_CIFAR_PARAMS, closest_integer, count_params, drop_timm_kwargs
from .units import StackedNet


class ResNeXtBlock(nn.Module):
    """Xie et al. 2017 bottleneck with aggregated transformations: 1x1 to C*d channels, 3x3 grouped
    convolution with C groups (the cardinality), 1x1 out; projection shortcut where shapes change."""

    def __init__(self, in_chs: int, out_chs: int, cardinality: int, group_width: int, stride: int):
        super().__init__()
        inner = cardinality * group_width
        self.conv = nn.Sequential(
            nn.Conv2d(in_chs, inner, 1, bias=False), nn.BatchNorm2d(inner), nn.ReLU(inplace=True),
            nn.Conv2d(inner, inner, 3, stride, 1, groups=cardinality, bias=False), nn.BatchNorm2d(inner),
            nn.ReLU(inplace=True),
            nn.Conv2d(inner, out_chs, 1, bias=False), nn.BatchNorm2d(out_chs))
        self.downsample = stride != 1 or in_chs != out_chs
        self.shortcut = (nn.Sequential(nn.Conv2d(in_chs, out_chs, 1, stride, bias=False), nn.BatchNorm2d(out_chs))
                         if self.downsample else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv(x) + self.shortcut(x))


class ResNeXt(StackedNet):
    """ResNeXt for CIFAR (Xie et al. 2017, §5.3): depth 9n+2, three stages of n blocks with output
    widths 4w, 8w, 16w (w = 64 in the paper) and C groups of d channels at the first stage, doubled
    per stage; 3x3 stem of w channels."""

    def __init__(self, depth: int = 29, cardinality: int = 8, group_width: int = 64, base_width: int = 64,
                 in_chans: int = 3, num_classes: int = 10):
        super().__init__()
        if (depth - 2) % 9:
            raise ValueError(f"ResNeXt depth is 9n+2 (29, 38, ...), not {depth}")
        n = (depth - 2) // 9
        self.stem = nn.Sequential(nn.Conv2d(in_chans, base_width, 3, 1, 1, bias=False), nn.BatchNorm2d(base_width),
                                  nn.ReLU(inplace=True))
        blocks, chans = [], base_width
        for stage in range(3):
            out = 4 * base_width * 2 ** stage
            for i in range(n):
                blocks.append(ResNeXtBlock(chans, out, cardinality, group_width * 2 ** stage,
                                           2 if stage and i == 0 else 1))
                chans = out
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(chans, num_classes)


@register_model
def resnext29_8x64d_cifar(**kwargs) -> ResNeXt:
    """ResNeXt-29 (8x64d), Xie et al. 2017's CIFAR net (34.4M parameters)."""
    return ResNeXt(depth=29, cardinality=8, group_width=64, **drop_timm_kwargs(kwargs))


def resnext_budget_widths(cardinality: int, target: int = RESNET20_CIFAR_PARAMS) -> tuple[int, int]:
    """(group width d, base width w) of ResNeXt-29 with C groups at ResNet-20's budget: d is what holds
    the budget, as in Xie et al. Table 2; at CIFAR scale d moves in coarse steps, so the base width
    (16 by default) then trims the count to the budget. Fitted once per C."""
    key = f"resnext_c{cardinality}"
    if key not in BUDGET_WIDTHS:
        def params(d: int, w: int) -> int:
            return count_params(lambda _: ResNeXt(29, cardinality, d, w), 1.0)

        d = closest_integer(lambda d: params(d, 16), 1, 128, target)
        w = closest_integer(lambda w: params(d, w), 8, 32, target)
        BUDGET_WIDTHS[key] = (d, w)
    return BUDGET_WIDTHS[key]


def resnextbudget_width(cardinality: int, **kwargs) -> ResNeXt:
    """ResNeXt-29 at ResNet-20's budget with C groups (C = 1 is a bottleneck ResNet): the cardinality
    sweep of Xie et al. Table 2 at CIFAR scale."""
    d, w = resnext_budget_widths(cardinality)
    return ResNeXt(depth=29, cardinality=cardinality, group_width=d, base_width=w, **drop_timm_kwargs(kwargs))


@register_model
def resnext29_c1_budget_cifar(**kwargs) -> ResNeXt:
    return resnextbudget_width(1, **kwargs)


@register_model
def resnext29_c2_budget_cifar(**kwargs) -> ResNeXt:
    return resnextbudget_width(2, **kwargs)


@register_model
def resnext29_c4_budget_cifar(**kwargs) -> ResNeXt:
    return resnextbudget_width(4, **kwargs)


@register_model
def resnext29_c8_budget_cifar(**kwargs) -> ResNeXt:
    return resnextbudget_width(8, **kwargs)
