import pytest
import timm
import torch

from resbench.families.variants.catalog import VARIANTS
from resbench.models import count_parameters, create_model
from resbench.models.cifar_resnet import BasicBlock, BottleneckBlock


def block(**kwargs):
    torch.manual_seed(0)
    b = BasicBlock(16, 16, **kwargs).eval()
    torch.manual_seed(0)  # same BN statistics whatever extra layers the variant created
    for m in b.modules():  # non-trivial BN so the branch is not zero
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return b


def relu_input():
    torch.manual_seed(1)
    return torch.relu(torch.randn(2, 16, 8, 8))  # blocks follow a ReLU: non-negative input


def test_constant_scaling_multiplies_the_shortcut():
    x = relu_input()
    b = block(shortcut_op="scale", scale=0.5)
    assert torch.allclose(b(x), torch.relu(b.forward_branch(x) + 0.5 * x))
    both = block(shortcut_op="scale_both", scale=0.5)
    assert torch.allclose(both(x), torch.relu(0.5 * both.forward_branch(x) + 0.5 * x))


def test_shortcut_only_gating_with_very_negative_bias_is_the_identity_shortcut():
    x = relu_input()
    gated, identity = block(shortcut_op="gate_shortcut", gate_bias=-50.0), block()
    assert torch.allclose(gated(x), identity(x), atol=1e-6)


def test_highway_with_closed_transform_gate_is_the_identity():
    x = relu_input()
    highway = block(shortcut_op="gate_exclusive", gate_bias=-50.0)  # T(x) = 0
    assert torch.allclose(highway(x), x, atol=1e-6)


def test_full_preactivation_with_zero_last_conv_is_the_identity():
    x = torch.randn(2, 16, 8, 8)  # pre-activation blocks pass any sign through the shortcut
    b = block(placement="full_preact")
    torch.nn.init.zeros_(b.conv2.weight)
    assert torch.equal(b(x), x)


def test_dropout_on_the_shortcut_is_off_in_eval_mode():
    x = relu_input()
    assert torch.allclose(block(shortcut_op="dropout")(x), block()(x))


@pytest.mark.parametrize("placement", ["post", "bn_after_add", "relu_before_add", "relu_preact", "full_preact"])
def test_placements_keep_the_parameter_count(placement):
    assert count_parameters(create_model("resnet", 20, placement=placement)) == 269_722


def test_option_c_adds_a_projection_to_every_block():
    a, c = create_model("resnet", 20, shortcut="A"), create_model("resnet", 20, shortcut="C")
    widths = [16] * 3 + [32] * 3 + [64] * 3
    in_widths = [16] * 4 + [32] * 3 + [64] * 2
    projections = sum(i * o + 2 * o for i, o in zip(in_widths, widths))
    assert count_parameters(c) - count_parameters(a) == projections


def test_bottleneck_resnet_164_matches_the_paper():
    model = create_model("resnet", 164, block="bottleneck", shortcut="B", placement="full_preact")
    assert round(count_parameters(model) / 1e6, 1) == 1.7  # He et al. 2016b: 1.7M
    assert len(model.blocks) == 54 and isinstance(model.blocks[0], BottleneckBlock)
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_bottleneck_depth_must_be_9n_plus_2():
    with pytest.raises(ValueError, match="9n\\+2"):
        create_model("resnet", 21, block="bottleneck")


def test_plain_blocks_reject_shortcut_options():
    with pytest.raises(ValueError, match="plain blocks"):
        BasicBlock(16, 16, residual=False, placement="full_preact")


def test_every_variant_builds_and_the_schema_allows_exactly_them():
    from resbench.config import ConfigError
    from resbench.hub.profile import load_schema, validate_config

    for name, info in VARIANTS.items():
        model = timm.create_model(info["model"], depth=8, in_chans=1, **info.get("args", {}))
        assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10), name
    assert load_schema()["properties"]["variants"]["properties"]["names"]["items"]["enum"] == list(VARIANTS)
    with pytest.raises(ConfigError, match="'variants.names.0'.*identity"):
        validate_config({"variants": {"names": ["no_such_variant"]}})
