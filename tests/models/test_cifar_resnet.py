import pytest
import timm
import torch

from resbench.models import blocks_per_stage, count_parameters, create_model, list_models

# He et al. 2016, Table 6 (and the exact counts of the common reference implementation).
PAPER_PARAMS = {20: 269_722, 32: 464_154, 44: 658_586, 56: 853_018, 110: 1_727_962}
PAPER_PARAMS_ROUNDED = {20: 0.27e6, 56: 0.85e6, 110: 1.7e6, 1202: 19.4e6}


@pytest.mark.parametrize("depth", sorted(PAPER_PARAMS))
def test_parameter_counts_match_the_paper(depth):
    assert count_parameters(create_model("resnet", depth)) == PAPER_PARAMS[depth]


@pytest.mark.parametrize("depth", sorted(PAPER_PARAMS_ROUNDED))
def test_parameter_counts_round_to_table_6(depth):
    published = PAPER_PARAMS_ROUNDED[depth]
    digits = 2 if published < 1e6 else 1
    assert round(count_parameters(create_model("resnet", depth)) / 1e6, digits) == pytest.approx(published / 1e6)


@pytest.mark.parametrize("depth", [8, 20, 56])
def test_plain_twin_has_the_same_parameters_as_option_a(depth):
    assert count_parameters(create_model("plain", depth)) == count_parameters(create_model("resnet", depth))


def test_option_b_adds_exactly_the_two_projections():
    a, b = create_model("resnet", 20, shortcut="A"), create_model("resnet", 20, shortcut="B")
    projections = (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)  # 1x1 conv + BN weight/bias, at each stage change
    assert count_parameters(b) - count_parameters(a) == projections


# The 110- and 1202-layer names are covered by the parameter-count tests (slow to run forward).
@pytest.mark.parametrize("name", [n for n in list_models() if "110" not in n and "1202" not in n])
def test_every_registered_model_has_the_common_surface(name):
    """What every family reads of a net, whichever registered model it is: forward and backward, the
    features/head split equal to forward, its blocks in order, and a parameter count."""
    model = timm.create_model(name, in_chans=1, num_classes=7)
    x = torch.randn(2, 1, 8, 8)
    out = model(x)
    assert out.shape == (2, 7)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    assert torch.allclose(model.forward_head(model.forward_features(x)), model(x), atol=1e-6)
    assert len(model.blocks) > 0 and all(hasattr(b, "downsample") for b in model.blocks)
    assert count_parameters(model) == sum(p.numel() for p in model.parameters() if p.requires_grad) > 0


@pytest.mark.parametrize("arch", ["plain", "resnet"])
def test_blocks_are_exposed_in_order(arch):
    model = create_model(arch, 20)
    assert len(model.blocks) == 3 * blocks_per_stage(20)
    assert [b.stage for b in model.blocks] == [0] * 3 + [1] * 3 + [2] * 3
    assert [b.downsample for b in model.blocks] == [False] * 3 + [True] + [False] * 2 + [True] + [False] * 2
    assert all(b.residual == (arch == "resnet") for b in model.blocks)
    x = torch.randn(2, 3, 32, 32)
    model.eval()
    assert torch.allclose(model.forward_head(model.forward_features(x)), model(x))


def test_residual_block_adds_the_shortcut_and_plain_does_not():
    torch.manual_seed(0)
    res = create_model("resnet", 8).blocks[0].eval()
    x = torch.rand(1, 16, 8, 8)
    assert torch.allclose(res(x), torch.relu(res.forward_branch(x) + x))
    res.residual = False
    assert torch.allclose(res(x), torch.relu(res.forward_branch(x)))


def test_option_a_shortcut_zero_pads_and_subsamples():
    block = create_model("resnet", 8).blocks[1]  # first block of stage 2: 16 -> 32 channels, stride 2
    x = torch.randn(1, 16, 8, 8)
    y = block.shortcut(x)
    assert y.shape == (1, 32, 4, 4)
    assert torch.equal(y[:, 8:24], x[:, :, ::2, ::2])
    assert y[:, :8].abs().sum() == 0 and y[:, 24:].abs().sum() == 0


@pytest.mark.parametrize("depth", [7, 21, 2])
def test_bad_depth_names_the_rule(depth):
    with pytest.raises(ValueError, match="6n\\+2"):
        create_model("resnet", depth)


def test_unknown_arch_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="plain, resnet|resnet, plain"):
        create_model("vgg", 20)


def test_a_grid_arch_is_declared_once():
    """resbench.grid is the only list: every declared arch is registered as a model, allowed in profiles,
    and labelled, coloured and ordered in the report."""
    import timm

    from resbench.cli_common import schema_enum
    from resbench.grid import ARCHS, GRID_ARCHS
    from resbench.report.archs import ARCH_LABELS, ARCH_ORDER
    from resbench.report.style import ARCH_COLORS

    assert tuple(schema_enum("model.archs")) == ARCHS == ARCH_ORDER
    for arch in GRID_ARCHS:
        model = timm.create_model(f"{arch.name}_cifar", depth=8)
        assert model.residual == arch.residual and arch.name in ARCH_LABELS and arch.name in ARCH_COLORS
    sd = timm.create_model("resnet_sd_cifar", depth=8)
    assert any(m.drop_prob > 0 for m in sd.modules() if type(m).__name__ == "DropPath")
