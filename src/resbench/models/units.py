"""What the classic nets are made of in the shape models.surgery works on: stacked units as `blocks`,
each saying whether it changes the shape (`downsample`), and an input pad for nets drawn for 32x32."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

RESHAPING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Flatten)


def keeps_shape(block: nn.Module) -> bool:
    """Whether a stack of layers gives its input's shape back (so deleting it leaves the identity): no
    pooling, flattening or stride, and as many outputs from its last weighted layer as inputs to its first."""
    layers = [m for m in block.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    if not layers or any(isinstance(m, RESHAPING) for m in block.modules()):
        return False
    if any(isinstance(m, nn.Conv2d) and m.stride != (1, 1) for m in layers):
        return False
    size_in = layers[0].in_channels if isinstance(layers[0], nn.Conv2d) else layers[0].in_features
    size_out = layers[-1].out_channels if isinstance(layers[-1], nn.Conv2d) else layers[-1].out_features
    return size_in == size_out


def marked(*blocks: nn.Module) -> nn.Sequential:
    """The blocks as an nn.Sequential, each saying whether it changes the shape (`downsample`, as the
    residual nets' blocks do); blocks that know it already keep theirs."""
    for block in blocks:
        if not hasattr(block, "downsample"):
            block.downsample = not keeps_shape(block)
    return nn.Sequential(*blocks)


class StackedNet(nn.Module):
    """What models.surgery, the landscape and the probes read of every net: a `stem`, its `blocks` in
    forward order (see `marked`) and a `head`; `forward_head` pools over space before the head (a net
    whose blocks end flat, or that ends in an activation, overrides it)."""

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.stem(x))

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


class PadTo(nn.Module):
    """Zero-pads inputs smaller than `size` x `size` to it, centred (LeNet-5 padded 28x28 MNIST to 32x32)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pad_h, pad_w = max(0, self.size - x.shape[-2]), max(0, self.size - x.shape[-1])
        if pad_h or pad_w:
            x = F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))
        return x
