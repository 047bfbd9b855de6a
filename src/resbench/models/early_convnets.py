"""LeNet-5 and an AlexNet-style net at CIFAR size, at their own size and at ResNet-20's parameter budget."""
from __future__ import annotations

import torch
from timm.models import register_model
from torch import nn

from .budget import budget_width, drop_timm_kwargs, scaled
from .units import PadTo, StackedNet, marked


class LeNet5(StackedNet):
    """LeCun et al. 1998: two 5x5 convolutions without padding, average pooling, fully connected 120
    and 84 units, tanh. Inputs smaller than 32x32 are zero-padded to it (as LeNet padded 28x28 MNIST)."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0):
        super().__init__()
        c1, c2, f1, f2 = (scaled(c, width) for c in (6, 16, 120, 84))
        self.stem = PadTo(32)
        self.blocks = marked(
            nn.Sequential(nn.Conv2d(in_chans, c1, 5), nn.Tanh(), nn.AvgPool2d(2)),
            nn.Sequential(nn.Conv2d(c1, c2, 5), nn.Tanh(), nn.AvgPool2d(2)),
            nn.Sequential(nn.Flatten(), nn.Linear(c2 * 25, f1), nn.Tanh()),
            nn.Sequential(nn.Linear(f1, f2), nn.Tanh()),
        )
        self.head = nn.Linear(f2, num_classes)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)


class AlexNetCifar(StackedNet):
    """Krizhevsky et al. 2012 in CIFAR form: five ReLU convolutions (64, 192, 384, 256, 256; 5x5 first,
    then 3x3) with max pooling after the 1st, 2nd and 5th, then two dropout + fully connected layers of
    1,024 units on a 2x2 map. No BatchNorm, as in the original."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0, hidden: int = 1024):
        super().__init__()
        c = [scaled(x, width) for x in (64, 192, 384, 256, 256)]
        h = scaled(hidden, width)
        pool = lambda: nn.MaxPool2d(2, ceil_mode=True)  # noqa: E731
        self.stem = nn.Identity()
        self.blocks = marked(
            nn.Sequential(nn.Conv2d(in_chans, c[0], 5, padding=2), nn.ReLU(inplace=True), pool()),
            nn.Sequential(nn.Conv2d(c[0], c[1], 3, padding=1), nn.ReLU(inplace=True), pool()),
            nn.Sequential(nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(inplace=True)),
            nn.Sequential(nn.Conv2d(c[2], c[3], 3, padding=1), nn.ReLU(inplace=True)),
            nn.Sequential(nn.Conv2d(c[3], c[4], 3, padding=1), nn.ReLU(inplace=True), pool(),
                          nn.AdaptiveAvgPool2d(2), nn.Flatten()),
            nn.Sequential(nn.Dropout(0.5), nn.Linear(4 * c[4], h), nn.ReLU(inplace=True)),
            nn.Sequential(nn.Dropout(0.5), nn.Linear(h, h), nn.ReLU(inplace=True)),
        )
        self.head = nn.Linear(h, num_classes)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)


@register_model
def lenet5_cifar(**kwargs) -> LeNet5:
    """LeNet-5 at its own size (62k parameters on CIFAR)."""
    return LeNet5(**drop_timm_kwargs(kwargs))


@register_model
def lenet5_budget_cifar(**kwargs) -> LeNet5:
    """LeNet-5 widened to ResNet-20's parameter budget."""
    return LeNet5(width=budget_width("lenet5", lambda w: LeNet5(width=w)), **drop_timm_kwargs(kwargs))


@register_model
def alexnet_cifar(**kwargs) -> AlexNetCifar:
    """AlexNet-style CIFAR net (its own size, 4.4M parameters, half in the fully connected layers)."""
    return AlexNetCifar(**drop_timm_kwargs(kwargs))


@register_model
def alexnet_budget_cifar(**kwargs) -> AlexNetCifar:
    """AlexNet-style net narrowed to ResNet-20's parameter budget."""
    return AlexNetCifar(width=budget_width("alexnet", lambda w: AlexNetCifar(width=w)), **drop_timm_kwargs(kwargs))
