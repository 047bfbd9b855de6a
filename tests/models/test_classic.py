"""The classic architectures: published sizes, ResNet-20's budget within 5%, both input shapes."""
import pytest
import timm
import torch

from resbench.models import count_parameters, create_model, list_models
from resbench.models.budget import RESNET20_CIFAR_PARAMS
from resbench.models.flops import multiply_adds

# Canonical CIFAR sizes: LeNet-5 (LeCun et al. 1998, ~60k), VGG-16 CIFAR form (14.7M), ResNeXt-29
# 8x64d (Xie et al. 2017, Table 7: 34.4M), DenseNet-BC L=100 k=12 (Huang et al. 2017, Table 2: 0.8M).
CANONICAL = {"lenet5_cifar": (62_006, 0.001), "vgg16_bn_cifar": (14.7e6, 0.01), "resnext29_8x64d_cifar": (34.4e6, 0.01),
             "densenet_bc100_k12_cifar": (0.8e6, 0.05)}
OWN_SIZE = ["alexnet_cifar", "inception_cifar", "vgg16_cifar"]  # no published CIFAR size to check
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
    assert {"lenet5_budget_cifar", "alexnet_budget_cifar", "vgg16_budget_cifar", "vgg16_bn_budget_cifar",
            "inception_budget_cifar", "densenet_bc_budget_cifar"} <= set(BUDGET)
    assert {f"resnext29_c{c}_budget_cifar" for c in (1, 2, 4, 8)} <= set(BUDGET)


def test_the_cardinality_sweep_holds_the_cost_too():
    """Xie et al. compare cardinalities at equal parameters *and* FLOPs: within 10% of ResNet-20's."""
    resnet20 = multiply_adds(create_model("resnet", 20, in_chans=3), (3, 32, 32))
    for c in (1, 2, 4, 8):
        model = timm.create_model(f"resnext29_c{c}_budget_cifar")
        assert multiply_adds(model, (3, 32, 32)) == pytest.approx(resnet20, rel=0.10), c
        assert model.blocks[0].conv[3].groups == c  # the 3x3 convolution is grouped C ways


@pytest.mark.parametrize("name", sorted(CANONICAL) + OWN_SIZE + BUDGET)
def test_cifar_inputs_and_exposed_blocks(name):
    model = timm.create_model(name, in_chans=3, num_classes=100)
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 100)
    assert len(model.blocks) >= 4 and isinstance(model.head, torch.nn.Linear)


# Szegedy et al. 2015, Table 1, "params" of inception modules 3a-5b (K = 1,024 weights). For 4c and 5a
# the published numbers disagree with the table's own widths (which give 497.5K and 1,018K); the
# modules follow the widths.
GOOGLENET_PARAMS_K = {0: 159, 1: 380, 2: 364, 3: 437, 5: 580, 6: 840, 8: 1388}


def test_inception_modules_have_the_papers_weights():
    from resbench.models.inception import InceptionModule

    modules = [b for b in timm.create_model("inception_cifar").blocks if isinstance(b, InceptionModule)]
    assert len(modules) == 9
    for index, published in GOOGLENET_PARAMS_K.items():
        weights = sum(p.numel() for p in modules[index].parameters() if p.dim() == 4)
        assert weights / 1024 == pytest.approx(published, rel=0.02), index


def test_the_inception_reductions_are_what_makes_the_module_cheap():
    """Module 3a with its 1x1 reductions vs the same branches without them (the sources' argument)."""
    from resbench.models.inception import InceptionModule

    reduced = InceptionModule(192, 64, 96, 128, 16, 32, 32)
    direct = torch.nn.Conv2d(192, 32, 5, padding=2), torch.nn.Conv2d(192, 128, 3, padding=1)
    cost = multiply_adds(reduced, (192, 28, 28))
    assert cost < 0.5 * sum(multiply_adds(m, (192, 28, 28)) for m in direct)
