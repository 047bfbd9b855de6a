"""CIFAR ResNets of He et al. 2016 (depth 6n+2) and their plain twins.

Order as in timm: block -> stage builder -> model -> factory -> registered variants.
Variants are arguments of one builder (`residual`, `shortcut`), never copied classes.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from timm.layers import DropPath
from timm.models import register_model
from torch import nn

ARCHS = ("resnet", "plain", "resnet_sd")  # resnet_sd: ResNet trained with stochastic depth
SHORTCUTS = ("A", "B")
STAGE_WIDTHS = (16, 32, 64)


def blocks_per_stage(depth: int) -> int:
    """Number of basic blocks per stage for a 6n+2 CIFAR network."""
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"CIFAR ResNet depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...), got {depth}")
    return (depth - 2) // 6


class ZeroPadShortcut(nn.Module):
    """Option A: identity with stride-2 subsampling and zero-padded new channels (no parameters)."""

    def __init__(self, in_chs: int, out_chs: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = out_chs - in_chs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))


def make_shortcut(in_chs: int, out_chs: int, stride: int, shortcut: str) -> nn.Module:
    """Shortcut for a block: identity when shapes match, else option A (zero-pad) or B (projection)."""
    if stride == 1 and in_chs == out_chs:
        return nn.Identity()
    if shortcut == "A":
        return ZeroPadShortcut(in_chs, out_chs, stride)
    if shortcut == "B":
        return nn.Sequential(nn.Conv2d(in_chs, out_chs, 1, stride, bias=False), nn.BatchNorm2d(out_chs))
    raise ValueError(f"unknown shortcut {shortcut!r}; allowed: {', '.join(SHORTCUTS)}")


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut when `residual`, then ReLU (post-activation).

    With `residual=False` the block is the plain twin: the same layers and parameters, no addition.
    `drop_path_rate` > 0 drops the residual branch per sample while training (stochastic depth,
    Huang et al. 2016; identity in eval mode).
    """

    def __init__(self, in_chs: int, out_chs: int, stride: int = 1, residual: bool = True, shortcut: str = "A",
                 drop_path_rate: float = 0.0):
        super().__init__()
        self.in_chs, self.out_chs, self.stride = in_chs, out_chs, stride
        self.conv1 = nn.Conv2d(in_chs, out_chs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_chs)
        self.conv2 = nn.Conv2d(out_chs, out_chs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_chs)
        self.residual = residual
        self.shortcut = make_shortcut(in_chs, out_chs, stride, shortcut) if residual else None
        self.downsample = stride != 1 or in_chs != out_chs
        if drop_path_rate and not residual:
            raise ValueError("stochastic depth needs residual blocks")
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate else nn.Identity()

    def forward_branch(self, x: torch.Tensor) -> torch.Tensor:
        """The residual branch F(x) (for a plain block, the whole block before its last ReLU)."""
        out = F.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.forward_branch(x)
        if self.residual:
            out = self.drop_path(out) + self.shortcut(x)
        return F.relu(out)


def make_stages(depth: int, residual: bool, shortcut: str, drop_path_rate: float = 0.0) -> list[BasicBlock]:
    """All blocks of the three stages, in forward order; the first block of stages 2-3 downsamples.

    Stochastic depth uses the linear-decay rule: block l of L drops with rate drop_path_rate * l / L
    (survival 1 - drop_path_rate for the last block, p_L = 0.5 in the paper).
    """
    n = blocks_per_stage(depth)
    blocks, in_chs, total = [], STAGE_WIDTHS[0], 3 * n
    for stage, width in enumerate(STAGE_WIDTHS):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            rate = drop_path_rate * (len(blocks) + 1) / total
            block = BasicBlock(in_chs, width, stride, residual=residual, shortcut=shortcut, drop_path_rate=rate)
            block.stage = stage
            blocks.append(block)
            in_chs = width
    return blocks


class CifarResNet(nn.Module):
    """3x3 conv stem, 3 stages of n basic blocks (16/32/64 channels), global average pool, linear head.

    Every model exposes `blocks` (an `nn.Sequential` in forward order), `forward_features` and
    `forward_head`, so lesion, landscape and signal experiments work on any registered model.
    """

    def __init__(
        self,
        depth: int = 20,
        residual: bool = True,
        shortcut: str = "A",
        in_chans: int = 3,
        num_classes: int = 10,
        drop_path_rate: float = 0.0,
    ):
        super().__init__()
        self.depth, self.residual, self.shortcut = depth, residual, shortcut
        self.drop_path_rate = drop_path_rate
        self.num_classes = num_classes
        width = STAGE_WIDTHS[0]
        self.stem = nn.Sequential(
            nn.Conv2d(in_chans, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)
        )
        self.blocks = nn.Sequential(*make_stages(depth, residual, shortcut, drop_path_rate))
        self.head = nn.Linear(STAGE_WIDTHS[-1], num_classes)
        self.init_weights()

    def init_weights(self) -> None:
        """He (fan-out) init for convs, BN to identity; the linear head keeps PyTorch's default
        (a He-scaled head turns the large pooled features of deep nets into logits of ~10 at init)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.stem(x))

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


def _create(arch: str, depth: int, **kwargs) -> CifarResNet:
    """Factory shared by every registered name; drops timm's pretrained arguments (none exist)."""
    if kwargs.pop("pretrained", False):
        raise ValueError("resbench models have no pretrained weights")
    for key in ("pretrained_cfg", "pretrained_cfg_overlay", "cache_dir"):
        kwargs.pop(key, None)
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; allowed: {', '.join(ARCHS)}")
    if arch == "resnet_sd":
        kwargs.setdefault("drop_path_rate", 0.5)
    return CifarResNet(depth=depth, residual=arch != "plain", **kwargs)


@register_model
def resnet_cifar(depth: int = 20, **kwargs) -> CifarResNet:
    """CIFAR ResNet of any depth 6n+2."""
    return _create("resnet", depth, **kwargs)


@register_model
def plain_cifar(depth: int = 20, **kwargs) -> CifarResNet:
    """Plain twin (no shortcuts) of any depth 6n+2."""
    return _create("plain", depth, **kwargs)


@register_model
def resnet_sd_cifar(depth: int = 110, **kwargs) -> CifarResNet:
    """ResNet with stochastic depth (linear decay to survival 0.5 at the last block)."""
    return _create("resnet_sd", depth, **kwargs)


@register_model
def resnet20_cifar(**kwargs): return _create("resnet", 20, **kwargs)  # noqa: E704


@register_model
def resnet32_cifar(**kwargs): return _create("resnet", 32, **kwargs)  # noqa: E704


@register_model
def resnet44_cifar(**kwargs): return _create("resnet", 44, **kwargs)  # noqa: E704


@register_model
def resnet56_cifar(**kwargs): return _create("resnet", 56, **kwargs)  # noqa: E704


@register_model
def resnet110_cifar(**kwargs): return _create("resnet", 110, **kwargs)  # noqa: E704


@register_model
def resnet1202_cifar(**kwargs): return _create("resnet", 1202, **kwargs)  # noqa: E704


@register_model
def plain20_cifar(**kwargs): return _create("plain", 20, **kwargs)  # noqa: E704


@register_model
def plain32_cifar(**kwargs): return _create("plain", 32, **kwargs)  # noqa: E704


@register_model
def plain44_cifar(**kwargs): return _create("plain", 44, **kwargs)  # noqa: E704


@register_model
def plain56_cifar(**kwargs): return _create("plain", 56, **kwargs)  # noqa: E704


@register_model
def plain110_cifar(**kwargs): return _create("plain", 110, **kwargs)  # noqa: E704
