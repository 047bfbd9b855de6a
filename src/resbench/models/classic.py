"""The classic architectures of the road to residual networks, at CIFAR size, in timm's registry:
LeNet-5, AlexNet-style, VGG (with and without BatchNorm), Inception, ResNeXt and DenseNet-BC, each at
its canonical CIFAR size
and at the parameter budget of ResNet-20 (``*_budget_cifar``; widths fitted to it, see `fit_width`).

Every net takes digits (1x8x8) and CIFAR (3x32x32) inputs and has the shape models.surgery works
on: `stem`, stacked units as `blocks` (what a lesion study deletes; each says whether it changes
the shape, `downsample`, and a dense layer how it is bypassed), and `forward_head`. Also an AlexNet-style net and an Inception
(GoogLeNet) net with the paper's module widths.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from timm.models import register_model
from torch import nn

RESNET20_CIFAR_PARAMS = 269_722  # the budget: He et al. 2016, Table 6 (3-channel input, 10 classes)


def _drop_timm_kwargs(kwargs: dict) -> dict:
    if kwargs.pop("pretrained", False):
        raise ValueError("resbench models have no pretrained weights")
    for key in ("pretrained_cfg", "pretrained_cfg_overlay", "cache_dir"):
        kwargs.pop(key, None)
    return kwargs


def _scaled(channels: int, width: float, multiple: int = 1) -> int:
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


_RESHAPING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Flatten)


def _keeps_shape(block: nn.Module) -> bool:
    """Whether a stack of layers gives its input's shape back (so deleting it leaves the identity): no
    pooling, flattening or stride, and as many outputs from its last weighted layer as inputs to its first."""
    layers = [m for m in block.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    if not layers or any(isinstance(m, _RESHAPING) for m in block.modules()):
        return False
    if any(isinstance(m, nn.Conv2d) and m.stride != (1, 1) for m in layers):
        return False
    size_in = layers[0].in_channels if isinstance(layers[0], nn.Conv2d) else layers[0].in_features
    size_out = layers[-1].out_channels if isinstance(layers[-1], nn.Conv2d) else layers[-1].out_features
    return size_in == size_out


def _marked(*blocks: nn.Module) -> nn.Sequential:
    """The blocks as an nn.Sequential, each saying whether it changes the shape (`downsample`, as the
    residual nets' blocks do); blocks that know it already keep theirs."""
    for block in blocks:
        if not hasattr(block, "downsample"):
            block.downsample = not _keeps_shape(block)
    return nn.Sequential(*blocks)


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


class LeNet5(nn.Module):
    """LeCun et al. 1998: two 5x5 convolutions without padding, average pooling, fully connected 120
    and 84 units, tanh. Inputs smaller than 32x32 are zero-padded to it (as LeNet padded 28x28 MNIST)."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0):
        super().__init__()
        c1, c2, f1, f2 = (_scaled(c, width) for c in (6, 16, 120, 84))
        self.stem = PadTo(32)
        self.blocks = _marked(
            nn.Sequential(nn.Conv2d(in_chans, c1, 5), nn.Tanh(), nn.AvgPool2d(2)),
            nn.Sequential(nn.Conv2d(c1, c2, 5), nn.Tanh(), nn.AvgPool2d(2)),
            nn.Sequential(nn.Flatten(), nn.Linear(c2 * 25, f1), nn.Tanh()),
            nn.Sequential(nn.Linear(f1, f2), nn.Tanh()),
        )
        self.head = nn.Linear(f2, num_classes)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.blocks(self.stem(x)))


class AlexNetCifar(nn.Module):
    """Krizhevsky et al. 2012 in CIFAR form: five ReLU convolutions (64, 192, 384, 256, 256; 5x5 first,
    then 3x3) with max pooling after the 1st, 2nd and 5th, then two dropout + fully connected layers of
    1,024 units on a 2x2 map. No BatchNorm, as in the original."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0, hidden: int = 1024):
        super().__init__()
        c = [_scaled(x, width) for x in (64, 192, 384, 256, 256)]
        h = _scaled(hidden, width)
        pool = lambda: nn.MaxPool2d(2, ceil_mode=True)  # noqa: E731
        self.stem = nn.Identity()
        self.blocks = _marked(
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.blocks(self.stem(x)))


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


class Inception(nn.Module):
    """GoogLeNet for CIFAR: a 3x3 stem of 192 channels (the paper's ImageNet stem shrinks 224 px to 28,
    CIFAR starts there), the nine inception modules at the paper's widths, global pooling, one linear
    layer (no auxiliary classifiers)."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0, config: tuple = GOOGLENET):
        super().__init__()
        chans = _scaled(192, width)
        self.stem = _conv_bn_relu(in_chans, chans, 3)
        blocks = []
        for item in config:
            if item == "M":
                blocks.append(nn.MaxPool2d(3, 2, 1))
                continue
            module = InceptionModule(chans, *(_scaled(c, width) for c in item))
            blocks.append(module)
            chans = module.out_chs
        self.blocks = _marked(*blocks)
        self.head = nn.Linear(chans, num_classes)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.blocks(self.stem(x)))


VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


class VGG(nn.Module):
    """Simonyan & Zisserman 2015, CIFAR form: stacks of 3x3 convolutions with doubling widths and
    max pooling (ceil mode, so 8x8 inputs pool down to 1x1 too), global pooling, one linear layer."""

    def __init__(self, in_chans: int = 3, num_classes: int = 10, width: float = 1.0, batchnorm: bool = True,
                 config: tuple = VGG16):
        super().__init__()
        layers, chans = [], in_chans
        for item in config:
            if item == "M":
                layers[-1].append(nn.MaxPool2d(2, ceil_mode=True))
                continue
            out = _scaled(item, width)
            layers.append(nn.Sequential(nn.Conv2d(chans, out, 3, padding=1, bias=not batchnorm),
                                        *([nn.BatchNorm2d(out)] if batchnorm else []), nn.ReLU(inplace=True)))
            chans = out
        self.stem = nn.Identity()
        self.blocks = _marked(*layers)
        self.head = nn.Linear(chans, num_classes)
        for m in self.modules():  # torchvision's VGG init: without BN, PyTorch's default stalls 16 layers
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.blocks(self.stem(x)))


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


class ResNeXt(nn.Module):
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

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.blocks(self.stem(x)))


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


class DenseNetBC(nn.Module):
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
        self.blocks = _marked(*blocks)
        self.final_act = nn.Sequential(nn.BatchNorm2d(chans), nn.ReLU(inplace=True))
        self.head = nn.Linear(chans, num_classes)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.final_act(x).mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.blocks(self.stem(x)))


# Budget versions: the width each needs to hold ResNet-20's parameters (fitted once, on first use).
_BUDGET_WIDTHS: dict[str, float | tuple[int, int]] = {}


def _budget(name: str, build: Callable[[float], nn.Module]) -> float:
    if name not in _BUDGET_WIDTHS:
        _BUDGET_WIDTHS[name] = fit_width(build)
    return _BUDGET_WIDTHS[name]


@register_model
def lenet5_cifar(**kwargs) -> LeNet5:
    """LeNet-5 at its own size (62k parameters on CIFAR)."""
    return LeNet5(**_drop_timm_kwargs(kwargs))


@register_model
def lenet5_budget_cifar(**kwargs) -> LeNet5:
    """LeNet-5 widened to ResNet-20's parameter budget."""
    return LeNet5(width=_budget("lenet5", lambda w: LeNet5(width=w)), **_drop_timm_kwargs(kwargs))


@register_model
def alexnet_cifar(**kwargs) -> AlexNetCifar:
    """AlexNet-style CIFAR net (its own size, 4.4M parameters, half in the fully connected layers)."""
    return AlexNetCifar(**_drop_timm_kwargs(kwargs))


@register_model
def alexnet_budget_cifar(**kwargs) -> AlexNetCifar:
    """AlexNet-style net narrowed to ResNet-20's parameter budget."""
    return AlexNetCifar(width=_budget("alexnet", lambda w: AlexNetCifar(width=w)), **_drop_timm_kwargs(kwargs))


@register_model
def inception_cifar(**kwargs) -> Inception:
    """GoogLeNet's inception modules at the paper's widths on a CIFAR stem."""
    return Inception(**_drop_timm_kwargs(kwargs))


@register_model
def inception_budget_cifar(**kwargs) -> Inception:
    """The same inception net narrowed to ResNet-20's parameter budget."""
    return Inception(width=_budget("inception", lambda w: Inception(width=w)), **_drop_timm_kwargs(kwargs))


@register_model
def vgg16_bn_cifar(**kwargs) -> VGG:
    """VGG-16 with BatchNorm, CIFAR form (14.7M parameters)."""
    return VGG(batchnorm=True, **_drop_timm_kwargs(kwargs))


@register_model
def vgg16_cifar(**kwargs) -> VGG:
    """VGG-16 without BatchNorm, CIFAR form."""
    return VGG(batchnorm=False, **_drop_timm_kwargs(kwargs))


@register_model
def vgg16_bn_budget_cifar(**kwargs) -> VGG:
    """VGG-16 with BatchNorm, narrowed to ResNet-20's parameter budget."""
    return VGG(width=_budget("vgg16_bn", lambda w: VGG(width=w, batchnorm=True)), batchnorm=True,
               **_drop_timm_kwargs(kwargs))


@register_model
def vgg16_budget_cifar(**kwargs) -> VGG:
    """VGG-16 without BatchNorm, narrowed to ResNet-20's parameter budget."""
    return VGG(width=_budget("vgg16", lambda w: VGG(width=w, batchnorm=False)), batchnorm=False,
               **_drop_timm_kwargs(kwargs))


@register_model
def resnext29_8x64d_cifar(**kwargs) -> ResNeXt:
    """ResNeXt-29 (8x64d), Xie et al. 2017's CIFAR net (34.4M parameters)."""
    return ResNeXt(depth=29, cardinality=8, group_width=64, **_drop_timm_kwargs(kwargs))


def resnext_budget_widths(cardinality: int, target: int = RESNET20_CIFAR_PARAMS) -> tuple[int, int]:
    """(group width d, base width w) of ResNeXt-29 with C groups at ResNet-20's budget: d is what holds
    the budget, as in Xie et al. Table 2; at CIFAR scale d moves in coarse steps, so the base width
    (16 by default) then trims the count to the budget. Fitted once per C."""
    key = f"resnext_c{cardinality}"
    if key not in _BUDGET_WIDTHS:
        def params(d: int, w: int) -> int:
            return count_params(lambda _: ResNeXt(29, cardinality, d, w), 1.0)

        d = closest_integer(lambda d: params(d, 16), 1, 128, target)
        w = closest_integer(lambda w: params(d, w), 8, 32, target)
        _BUDGET_WIDTHS[key] = (d, w)
    return _BUDGET_WIDTHS[key]


def resnext_budget(cardinality: int, **kwargs) -> ResNeXt:
    """ResNeXt-29 at ResNet-20's budget with C groups (C = 1 is a bottleneck ResNet): the cardinality
    sweep of Xie et al. Table 2 at CIFAR scale."""
    d, w = resnext_budget_widths(cardinality)
    return ResNeXt(depth=29, cardinality=cardinality, group_width=d, base_width=w, **_drop_timm_kwargs(kwargs))


@register_model
def resnext29_c1_budget_cifar(**kwargs) -> ResNeXt:
    return resnext_budget(1, **kwargs)


@register_model
def resnext29_c2_budget_cifar(**kwargs) -> ResNeXt:
    return resnext_budget(2, **kwargs)


@register_model
def resnext29_c4_budget_cifar(**kwargs) -> ResNeXt:
    return resnext_budget(4, **kwargs)


@register_model
def resnext29_c8_budget_cifar(**kwargs) -> ResNeXt:
    return resnext_budget(8, **kwargs)


@register_model
def densenet_bc100_k12_cifar(**kwargs) -> DenseNetBC:
    """DenseNet-BC (L = 100, k = 12), Huang et al. 2017 (0.8M parameters)."""
    return DenseNetBC(depth=100, growth=12, **_drop_timm_kwargs(kwargs))


@register_model
def densenet_bc_budget_cifar(**kwargs) -> DenseNetBC:
    """DenseNet-BC L = 100 with the growth rate that holds ResNet-20's budget."""
    k = max(1, int(round(_budget("densenet_bc", lambda g: DenseNetBC(depth=100, growth=max(1, int(round(g))))))))
    return DenseNetBC(depth=100, growth=k, **_drop_timm_kwargs(kwargs))
