"""The classic architectures: published sizes, ResNet-20's budget within 5%, both input shapes."""
import pytest
import timm
import torch

from resbench.models import count_parameters, create_model, list_models
from resbench.models.classic import RESNET20_CIFAR_PARAMS
from resbench.models.flops import multiply_adds

# Canonical CIFAR sizes: LeNet-5 (LeCun et al. 1998, ~60k), VGG-16 CIFAR form (14.7M), ResNeXt-29
# 8x64d (Xie et al. 2017, Table 7: 34.4M), DenseNet-BC L=100 k=12 (Huang et al. 2017, Table 2: 0.8M).
CANONICAL = {"lenet5_cifar": (62_006, 0.001), "vgg16_bn_cifar": (14.7e6, 0.01), "resnext29_8x64d_cifar": (34.4e6, 0.01),
             "densenet_bc100_k12_cifar": (0.8e6, 0.05)}
BUDGET = [n for n in list_models() if n.endswith("_budget_cifar")]


def test_resnet20_is_the_budget():
    assert count_parameters(create_model("resnet", 20, in_chans=3)) == RESNET20_CIFAR_PARAMS


@pytest.mark.parametrize("name", sorted(CANONICAL))
def test_canonical_sizes_match_the_papers(name):
    published, rel = CANONICAL[name]
    assert count_parameters(timm.create_model(name)) == pytest.approx(published, rel=rel)


@pytest.mark.parametrize("name", BUDGET)
def test_budget_versions_hold_resnet20s_parameters_within_5_percent(name):
    assert count_parameters(timm.create_model(name)) == pytest.approx(RESNET20_CIFAR_PARAMS, rel=0.05)


def test_every_family_has_a_budget_version_and_the_cardinality_sweep_is_complete():
    assert {"lenet5_budget_cifar", "vgg16_budget_cifar", "vgg16_bn_budget_cifar", "densenet_bc_budget_cifar"} <= set(BUDGET)
    assert {f"resnext29_c{c}_budget_cifar" for c in (1, 2, 4, 8)} <= set(BUDGET)


def test_the_cardinality_sweep_holds_the_cost_too():
    """Xie et al. compare cardinalities at equal parameters *and* FLOPs: within 10% of ResNet-20's."""
    resnet20 = multiply_adds(create_model("resnet", 20, in_chans=3), (3, 32, 32))
    for c in (1, 2, 4, 8):
        model = timm.create_model(f"resnext29_c{c}_budget_cifar")
        assert multiply_adds(model, (3, 32, 32)) == pytest.approx(resnet20, rel=0.10), c
        assert model.blocks[0].conv[3].groups == c  # the 3x3 convolution is grouped C ways


@pytest.mark.parametrize("name", sorted(CANONICAL) + BUDGET)
def test_cifar_inputs_and_exposed_blocks(name):
    model = timm.create_model(name, in_chans=3, num_classes=100)
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 100)
    assert len(model.blocks) >= 4 and isinstance(model.head, torch.nn.Linear)
