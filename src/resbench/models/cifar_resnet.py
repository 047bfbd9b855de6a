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

from ..grid import ARCHS, GRID_ARCHS, GridArch, grid_arch  # noqa: F401  (ARCHS re-exported)
from .shortcuts import SHORTCUT_OPS, SHORTCUTS, Combiner, ZeroPadShortcut, make_shortcut  # noqa: F401
from .units import StackedNet

PLACEMENTS = ("post", "bn_after_add", "relu_before_add", "relu_preact", "full_preact")
STAGE_WIDTHS = (16, 32, 64)


def blocks_per_stage(depth: int, block: str = "basic") -> int:
    """Blocks per stage: depth 6n+2 for basic blocks, 9n+2 for bottleneck blocks."""
    per_block = 2 if block == "basic" else 3
    if depth < 3 * per_block + 2 or (depth - 2) % (3 * per_block):
        examples = "8, 14, 20, 32, 44, 56, 110, ..." if block == "basic" else "29, 47, 164, ..."
        raise ValueError(f"CIFAR ResNet depth with {block} blocks must be {3 * per_block}n+2 with n >= 1 "
                         f"({examples}), got {depth}")
    return (depth - 2) // (3 * per_block)


class BasicBlock(nn.Module):
    """Two 3x3 convs with BN and ReLU, a shortcut h(x), combined as `shortcut_op` says.

    `placement` (He et al. 2016b, Table 2) puts BN and ReLU around the addition:
    post = conv-BN-ReLU-conv-BN, add, ReLU (the original); bn_after_add = ...-conv, add, BN, ReLU;
    relu_before_add = ...-BN-ReLU, add; relu_preact = ReLU-conv-BN-ReLU-conv-BN, add;
    full_preact = BN-ReLU-conv-BN-ReLU-conv, add. With `residual=False` the block is the plain twin
    (same layers, no addition). `preact_shortcut` feeds the shortcut the pre-activated input (the
    pre-activation paper's first block, and projection shortcuts). `drop_path_rate` > 0 is
    stochastic depth on the branch while training.
    """

    def __init__(self, in_chs: int, out_chs: int, stride: int = 1, residual: bool = True, shortcut: str = "A",
                 drop_path_rate: float = 0.0, placement: str = "post", shortcut_op: str = "identity",
                 preact_shortcut: bool = False, **combiner_args):
        super().__init__()
        if placement not in PLACEMENTS:
            raise ValueError(f"unknown placement {placement!r}; allowed: {', '.join(PLACEMENTS)}")
        if not residual and (placement != "post" or shortcut_op != "identity" or drop_path_rate):
            raise ValueError("plain blocks have no shortcut: only placement='post' without shortcut options")
        self.in_chs, self.out_chs, self.stride = in_chs, out_chs, stride
        self.residual, self.placement, self.preact_shortcut = residual, placement, preact_shortcut
        self.conv1 = nn.Conv2d(in_chs, out_chs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(in_chs if placement == "full_preact" else out_chs)
        self.conv2 = nn.Conv2d(out_chs, out_chs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_chs)
        self.shortcut = make_shortcut(in_chs, out_chs, stride, shortcut) if residual else None
        self.combine = Combiner(shortcut_op, in_chs, out_chs, stride, **combiner_args) if residual else None
        self.downsample = stride != 1 or in_chs != out_chs
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate else nn.Identity()

    def preactivate(self, x: torch.Tensor) -> torch.Tensor:
        if self.placement == "full_preact":
            return F.relu(self.bn1(x))
        return F.relu(x) if self.placement == "relu_preact" else x

    def forward_branch(self, x: torch.Tensor) -> torch.Tensor:
        """The residual branch F(x) (for a plain block, the whole block before its last ReLU)."""
        p = self.placement
        if p == "full_preact":
            return self.conv2(F.relu(self.bn2(self.conv1(self.preactivate(x)))))
        if p == "relu_preact":
            return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(self.preactivate(x))))))
        out = self.conv2(F.relu(self.bn1(self.conv1(x))))
        if p == "bn_after_add":
            return out
        out = self.bn2(out)
        return F.relu(out) if p == "relu_before_add" else out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.forward_branch(x)
        if self.residual:
            h = self.shortcut(self.preactivate(x) if self.preact_shortcut else x)
            out = self.combine(self.drop_path(out), h, x)
            if self.placement == "bn_after_add":
                out = self.bn2(out)
        return F.relu(out) if self.placement in ("post", "bn_after_add") else out


class BottleneckBlock(nn.Module):
    """1x1 (reduce) - 3x3 - 1x1 (expand x4) convs; post-activation or full pre-activation only."""

    expansion = 4

    def __init__(self, in_chs: int, width: int, stride: int = 1, residual: bool = True, shortcut: str = "B",
                 drop_path_rate: float = 0.0, placement: str = "post", preact_shortcut: bool = False,
                 shortcut_op: str = "identity", **combiner_args):
        super().__init__()
        if placement not in ("post", "full_preact"):
            raise ValueError("bottleneck blocks support placement 'post' or 'full_preact'")
        out_chs = width * self.expansion
        self.in_chs, self.out_chs, self.stride = in_chs, out_chs, stride
        self.residual, self.placement, self.preact_shortcut = residual, placement, preact_shortcut
        pre = placement == "full_preact"
        self.conv1 = nn.Conv2d(in_chs, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(in_chs if pre else width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_chs, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(width if pre else out_chs)
        self.shortcut = make_shortcut(in_chs, out_chs, stride, shortcut) if residual else None
        self.combine = Combiner(shortcut_op, in_chs, out_chs, stride, **combiner_args) if residual else None
        self.downsample = stride != 1 or in_chs != out_chs
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate else nn.Identity()

    def preactivate(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn1(x)) if self.placement == "full_preact" else x

    def forward_branch(self, x: torch.Tensor) -> torch.Tensor:
        if self.placement == "full_preact":
            out = self.conv1(self.preactivate(x))
            out = self.conv2(F.relu(self.bn2(out)))
            return self.conv3(F.relu(self.bn3(out)))
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.forward_branch(x)
        if self.residual:
            h = self.shortcut(self.preactivate(x) if self.preact_shortcut else x)
            out = self.combine(self.drop_path(out), h, x)
        return F.relu(out) if self.placement == "post" else out


def make_stages(depth: int, residual: bool, shortcut: str, drop_path_rate: float = 0.0, block: str = "basic",
                placement: str = "post", **block_args) -> list[nn.Module]:
    """All blocks of the three stages, in forward order; the first block of stages 2-3 downsamples.

    Stochastic depth uses the linear-decay rule: block l of L drops with rate drop_path_rate * l / L
    (survival 1 - drop_path_rate for the last block, p_L = 0.5 in the paper). In full pre-activation
    nets the first block, and blocks with a projection shortcut, feed the shortcut the pre-activated
    input (He et al. 2016b, Sec. 4.1 and appendix).
    """
    n = blocks_per_stage(depth, block)
    cls = BasicBlock if block == "basic" else BottleneckBlock
    blocks, in_chs, total = [], STAGE_WIDTHS[0], 3 * n
    for stage, width in enumerate(STAGE_WIDTHS):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            rate = drop_path_rate * (len(blocks) + 1) / total
            out_chs = width * getattr(cls, "expansion", 1)
            projects = shortcut == "C" or (shortcut == "B" and (stride != 1 or in_chs != out_chs))
            preact_shortcut = placement == "full_preact" and (not blocks or projects)
            b = cls(in_chs, width, stride, residual=residual, shortcut=shortcut, drop_path_rate=rate,
                    placement=placement, preact_shortcut=preact_shortcut, **block_args)
            b.stage = stage
            blocks.append(b)
            in_chs = b.out_chs
    return blocks


class CifarResNet(StackedNet):
    """3x3 conv stem, 3 stages of n blocks (16/32/64 channels, x4 for bottlenecks), global average
    pool, linear head.

    Every model exposes `blocks` (an `nn.Sequential` in forward order), `forward_features` and
    `forward_head`, so lesion, landscape and signal experiments work on any registered model.
    Variants are arguments: `residual`, `shortcut` (A/B/C), `block` (basic/bottleneck),
    `placement`, `shortcut_op` (with `scale`, `gate_bias`, `dropout`), `drop_path_rate`.
    """

    def __init__(
        self,
        depth: int = 20,
        residual: bool = True,
        shortcut: str = "A",
        in_chans: int = 3,
        num_classes: int = 10,
        drop_path_rate: float = 0.0,
        block: str = "basic",
        placement: str = "post",
        **block_args,
    ):
        super().__init__()
        self.depth, self.residual, self.shortcut = depth, residual, shortcut
        self.drop_path_rate, self.placement = drop_path_rate, placement
        self.num_classes = num_classes
        width = STAGE_WIDTHS[0]
        if placement == "full_preact":  # the first block's pre-activation follows the stem conv
            self.stem = nn.Sequential(nn.Conv2d(in_chans, width, 3, 1, 1, bias=False))
        else:
            self.stem = nn.Sequential(
                nn.Conv2d(in_chans, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        self.blocks = nn.Sequential(*make_stages(depth, residual, shortcut, drop_path_rate, block, placement,
                                                 **block_args))
        out_chs = self.blocks[-1].out_chs
        # Pre-activation nets end their last unit with an extra activation (He et al. 2016b).
        if placement == "full_preact":
            self.final_act = nn.Sequential(nn.BatchNorm2d(out_chs), nn.ReLU(inplace=True))
        elif placement == "relu_preact":
            self.final_act = nn.ReLU()
        else:
            self.final_act = nn.Identity()
        self.head = nn.Linear(out_chs, num_classes)
        self.init_weights()

    def init_weights(self) -> None:
        """He (fan-out) init for convs, BN to identity; the linear head keeps PyTorch's default
        (a He-scaled head turns the large pooled features of deep nets into logits of ~10 at init).
        Conv biases (only the gates have them) keep their configured init."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.final_act(x).mean(dim=(2, 3)))


def _create(arch: str, depth: int, **kwargs) -> CifarResNet:
    """Factory shared by every registered name; drops timm's pretrained arguments (none exist)."""
    if kwargs.pop("pretrained", False):
        raise ValueError("resbench models have no pretrained weights")
    for key in ("pretrained_cfg", "pretrained_cfg_overlay", "cache_dir"):
        kwargs.pop(key, None)
    declared = grid_arch(arch)
    if declared.drop_path_rate is not None:
        kwargs.setdefault("drop_path_rate", declared.drop_path_rate)
    return CifarResNet(depth=depth, residual=declared.residual, **kwargs)


def _register(arch: GridArch) -> None:
    """Register `<name>_cifar` for a grid arch, as its declaration says."""
    def build(depth: int = arch.default_depth, **kwargs) -> CifarResNet:
        return _create(arch.name, depth, **kwargs)

    build.__name__ = build.__qualname__ = f"{arch.name}_cifar"
    build.__doc__ = arch.doc
    register_model(build)


for _arch in GRID_ARCHS:
    _register(_arch)


@register_model
def resnet_b_cifar(depth: int = 20, **kwargs): return _create("resnet", depth, **{"shortcut": "B", **kwargs})  # noqa: E704


@register_model
def resnet_c_cifar(depth: int = 20, **kwargs): return _create("resnet", depth, **{"shortcut": "C", **kwargs})  # noqa: E704


@register_model
def resnet_scale_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"shortcut_op": "scale", "scale": 0.5, **kwargs})


@register_model
def resnet_scale_both_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"shortcut_op": "scale_both", "scale": 0.5, **kwargs})


@register_model
def resnet_gate_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"shortcut_op": "gate_exclusive", "gate_bias": -6.0, **kwargs})


@register_model
def resnet_gate_shortcut_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"shortcut_op": "gate_shortcut", "gate_bias": 0.0, **kwargs})


@register_model
def resnet_dropout_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"shortcut_op": "dropout", "dropout": 0.5, **kwargs})


@register_model
def resnet_bn_after_add_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"placement": "bn_after_add", **kwargs})


@register_model
def resnet_relu_before_add_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"placement": "relu_before_add", **kwargs})


@register_model
def resnet_relu_preact_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"placement": "relu_preact", **kwargs})


@register_model
def preact_resnet_cifar(depth: int = 20, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"placement": "full_preact", **kwargs})


@register_model
def preact_resnet_bottleneck_cifar(depth: int = 164, **kwargs):  # noqa: E704
    return _create("resnet", depth, **{"block": "bottleneck", "shortcut": "B", "placement": "full_preact", **kwargs})


@register_model
def highway_cifar(depth: int = 20, **kwargs):
    """Highway-style blocks y = T(x) H(x) + (1 - T(x)) x with a negative transform-gate bias
    (Srivastava et al. 2015), i.e. exclusive gating with b_g = -2."""
    return _create("resnet", depth, **{"shortcut_op": "gate_exclusive", "gate_bias": -2.0, **kwargs})
