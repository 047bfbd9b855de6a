"""GoogLeNet's inception modules (the paper's widths) on a CIFAR stem, and the same net at ResNet-20's budget."""
from __future__ import annotations

import torch
from timm.models import register_model
from torch import nn

from .budget import budget_width, drop_timm_kwargs, scaled
from .units import StackedNet, marked


def _conv_bn_relu(in_chs: int, out_chs: int, kernel: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_chs, out_chs, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(out_chs),
                         nn.ReLU(inplace=True))


class InceptionModule(nn.Module):
    """Szegedy et al. 2015: parallel 1x1, 1x1->3x3, 1x1->5x5 and 3x3-max-pool->1x1 branches,
    concatenated; the 1x1 convolutions before the 3x3 and 5x5 ones are the "bottleneck" reductions."""

    def __init__(self, in_chs: int, n1: int, n3_reduce: int, n3: int, n5_reduce: int, n5: int, pool_proj: int):
        super().__init__()
        self.branches = nn.ModuleList([
            _conv_bn_relu(in_chs, n1, 1),
            nn.Sequential(_conv_bn_relu(in_chs, n3_reduce, 1), _conv_bn_relu(n3_reduce, n3, 3)),
            nn.Sequential(_conv_bn_relu(in_chs, n5_reduce, 1), _conv_bn_relu(n5_reduce, n5, 5)),
            nn.Sequential(nn.MaxPool2d(3, 1, 1), _conv_bn_relu(in_chs, pool_proj, 1)),
        ])
        self.out_chs = n1 + n3 + n5 + pool_proj
        self.downsample = self.out_chs != in_chs  # deletable (into the identity) only where widths match

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


# GoogLeNet's inception modules 3a-5b (Szegedy et al. 2015, Table 1): #1x1, #3x3 reduce, #3x3,
# #5x5 reduce, #5x5, pool proj; "M" = 3x3 max pooling with stride 2.
GOOGLENET = ((64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64), "M",
             (192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
             (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128), "M",
             (256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128))


class Inception(StackedNet):
    """GoogLeNet for CIFAR: a 3x3 stem of 192 channels (the paper's ImageNet stem shrinks 224 px to 28,
    CIFAR starts there), the nine inception modules at the paper's widths, global pooling, one linear
    layer (no auxiliary classifiers)."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0, config: tuple = GOOGLENET):
        super().__init__()
        chans = scaled(192, width)
        self.stem = _conv_bn_relu(in_chans, chans, 3)
        blocks = []
        for item in config:
            if item == "M":
                blocks.append(nn.MaxPool2d(3, 2, 1))
                continue
            module = InceptionModule(chans, *(scaled(c, width) for c in item))
            blocks.append(module)
            chans = module.out_chs
        self.blocks = marked(*blocks)
        self.head = nn.Linear(chans, num_classes)


@register_model
def inception_cifar(**kwargs) -> Inception:
    """GoogLeNet's inception modules at the paper's widths on a CIFAR stem."""
    return Inception(**drop_timm_kwargs(kwargs))


@register_model
def inception_budget_cifar(**kwargs) -> Inception:
    """The same inception net narrowed to ResNet-20's parameter budget."""
    return Inception(width=budget_width("inception", lambda w: Inception(width=w)), **drop_timm_kwargs(kwargs))
