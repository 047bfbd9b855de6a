"""VGG-16 in its CIFAR form, with and without BatchNorm, at its own size and at ResNet-20's budget."""
from __future__ import annotations

from timm.models import register_model
from torch import nn

from .budget import budget_width, drop_timm_kwargs, scaled
from .units import StackedNet, marked

VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


class VGG(StackedNet):
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
            out = scaled(item, width)
            layers.append(nn.Sequential(nn.Conv2d(chans, out, 3, padding=1, bias=not batchnorm),
                                        *([nn.BatchNorm2d(out)] if batchnorm else []), nn.ReLU(inplace=True)))
            chans = out
        self.stem = nn.Identity()
        self.blocks = marked(*layers)
        self.head = nn.Linear(chans, num_classes)
        for m in self.modules():  # torchvision's VGG init: without BN, PyTorch's default stalls 16 layers
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


@register_model
def vgg16_bn_cifar(**kwargs) -> VGG:
    """VGG-16 with BatchNorm, CIFAR form (14.7M parameters)."""
    return VGG(batchnorm=True, **drop_timm_kwargs(kwargs))


@register_model
def vgg16_cifar(**kwargs) -> VGG:
    """VGG-16 without BatchNorm, CIFAR form."""
    return VGG(batchnorm=False, **drop_timm_kwargs(kwargs))


@register_model
def vgg16_bn_budget_cifar(**kwargs) -> VGG:
    """VGG-16 with BatchNorm, narrowed to ResNet-20's parameter budget."""
    return VGG(width=budget_width("vgg16_bn", lambda w: VGG(width=w, batchnorm=True)), batchnorm=True,
               **drop_timm_kwargs(kwargs))


@register_model
def vgg16_budget_cifar(**kwargs) -> VGG:
    """VGG-16 without BatchNorm, narrowed to ResNet-20's parameter budget."""
    return VGG(width=budget_width("vgg16", lambda w: VGG(width=w, batchnorm=False)), batchnorm=False,
               **drop_timm_kwargs(kwargs))
