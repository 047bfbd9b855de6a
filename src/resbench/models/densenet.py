"""DenseNet-BC (Huang et al. 2017): L = 100, k = 12, and the growth rate that holds ResNet-20's budget."""
from __future__ import annotations

import math

import torch
from timm.models import register_model
from torch import nn

from .budget import budget_width, drop_timm_kwargs
from .units import StackedNet, marked


class DenseLayer(nn.Module):
    """DenseNet-BC layer: BN-ReLU-1x1 conv (4k) - BN-ReLU-3x3 conv (k), concatenated to its input."""

    def __init__(self, in_chs: int, growth: int):
        super().__init__()
        self.conv = nn.Sequential(
            nn.BatchNorm2d(in_chs), nn.ReLU(inplace=True), nn.Conv2d(in_chs, 4 * growth, 1, bias=False),
            nn.BatchNorm2d(4 * growth), nn.ReLU(inplace=True), nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False))
        self.growth = growth
        self.downsample = False  # deleting it zeroes its k new channels (bypass), which keeps the shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.conv(x)], dim=1)

    def bypass(self, x: torch.Tensor) -> torch.Tensor:
        """The layer deleted: its input passed on, its own features zero (the next layers still see
        every earlier layer's)."""
        return torch.cat([x, x.new_zeros(x.shape[0], self.growth, *x.shape[2:])], dim=1)


class DenseNetBC(StackedNet):
    """Huang et al. 2017, DenseNet-BC for CIFAR: depth L = 6n+4, three dense blocks of n layers with
    growth rate k, transitions compressing by 0.5 (1x1 conv + 2x2 average pooling), 2k-channel stem."""

    def __init__(self, depth: int = 100, growth: int = 12, compression: float = 0.5, in_chans: int = 3,
                 num_classes: int = 10):
        super().__init__()
        if (depth - 4) % 6:
            raise ValueError(f"DenseNet-BC depth is 6n+4 (40, 100, 190, ...), not {depth}")
        n = (depth - 4) // 6
        chans = 2 * growth
        self.stem = nn.Conv2d(in_chans, chans, 3, padding=1, bias=False)
        blocks = []
        for stage in range(3):
            for _ in range(n):
                blocks.append(DenseLayer(chans, growth))
                chans += growth
            if stage < 2:
                out = int(math.floor(chans * compression))
                blocks.append(nn.Sequential(nn.BatchNorm2d(chans), nn.ReLU(inplace=True),
                                            nn.Conv2d(chans, out, 1, bias=False), nn.AvgPool2d(2)))
                chans = out
        self.blocks = marked(*blocks)
        self.final_act = nn.Sequential(nn.BatchNorm2d(chans), nn.ReLU(inplace=True))
        self.head = nn.Linear(chans, num_classes)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.final_act(x).mean(dim=(2, 3)))


@register_model
def densenet_bc100_k12_cifar(**kwargs) -> DenseNetBC:
    """DenseNet-BC (L = 100, k = 12), Huang et al. 2017 (0.8M parameters)."""
    return DenseNetBC(depth=100, growth=12, **drop_timm_kwargs(kwargs))


@register_model
def densenet_bc_budget_cifar(**kwargs) -> DenseNetBC:
    """DenseNet-BC L = 100 with the growth rate that holds ResNet-20's budget."""
    k = max(1, int(round(budget_width("densenet_bc", lambda g: DenseNetBC(depth=100, growth=max(1, int(round(g))))))))
    return DenseNetBC(depth=100, growth=k, **drop_timm_kwargs(kwargs))
