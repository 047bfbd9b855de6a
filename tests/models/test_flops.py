import pytest
from torch import nn

from resbench.models import create_model
from resbench.models.flops import multiply_adds


def test_the_inception_bottleneck_example_of_the_sources():
    """A 5x5 branch producing 32 channels on a 28x28x192 input costs ~120M multiplications; a 1x1
    reduction to 16 channels first cuts it to ~12.4M (Szegedy et al. 2015, as taught)."""
    direct = nn.Conv2d(192, 32, 5, padding=2, bias=False)
    reduced = nn.Sequential(nn.Conv2d(192, 16, 1, bias=False), nn.Conv2d(16, 32, 5, padding=2, bias=False))
    assert multiply_adds(direct, (192, 28, 28)) == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert multiply_adds(reduced, (192, 28, 28)) == 28 * 28 * (16 * 192 + 32 * 25 * 16) == 12_443_648


@pytest.mark.parametrize("depth, published", [(56, 1.25e8), (110, 2.53e8)])
def test_cifar_resnet_costs_match_the_published_counts(depth, published):
    """Li et al. 2017 (Pruning Filters for Efficient ConvNets), Table 1: ResNet-56 1.25e8, ResNet-110 2.53e8."""
    assert multiply_adds(create_model("resnet", depth, in_chans=3), (3, 32, 32)) == pytest.approx(published, rel=0.01)


def test_counting_leaves_the_model_in_its_mode():
    model = create_model("resnet", 8, in_chans=1)
    model.train()
    multiply_adds(model, (1, 8, 8))
    assert model.training
