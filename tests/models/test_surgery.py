import torch

from resbench.models import create_model
from resbench.models.surgery import (block_inputs, deletable_blocks, first_change, forward_lesioned,
                                     forward_single_path, swappable_pairs)


def trained_like(arch="resnet", depth=20, seed=0):
    torch.manual_seed(seed)
    model = create_model(arch, depth, in_chans=1)
    for m in model.modules():  # non-trivial BN statistics, as after training
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def test_deleting_a_block_with_zero_residual_branch_changes_nothing():
    model = trained_like()
    x = torch.randn(4, 1, 8, 8)
    for i in (1, 3):  # an in-stage block and a downsampling block
        bn = model.blocks[i].bn2
        torch.nn.init.zeros_(bn.weight)
        torch.nn.init.zeros_(bn.bias)
        assert torch.equal(forward_lesioned(model, x, bypassed={i}), model(x))


def test_identity_order_and_no_deletion_are_the_intact_model():
    model = trained_like()
    x = torch.randn(4, 1, 8, 8)
    assert torch.equal(forward_lesioned(model, x, order=list(range(len(model.blocks)))), model(x))
    assert torch.equal(forward_lesioned(model, x), model(x))


def test_deleting_a_real_block_changes_the_output():
    model = trained_like()
    x = torch.randn(4, 1, 8, 8)
    assert not torch.allclose(forward_lesioned(model, x, bypassed={2}), model(x))


def test_plain_blocks_can_be_deleted_inside_a_stage_and_stand_in_at_downsampling():
    model = trained_like("plain")
    x = torch.randn(2, 1, 8, 8)
    for i in range(len(model.blocks)):
        assert forward_lesioned(model, x, bypassed={i}).shape == (2, 10)


def test_deletable_and_swappable_blocks_stay_inside_stages():
    model = trained_like(depth=20)  # 3 stages x 3 blocks; blocks 3 and 6 downsample
    assert deletable_blocks(model) == [0, 1, 2, 4, 5, 7, 8]
    pairs = swappable_pairs(model)
    assert (0, 1) in pairs and (4, 5) in pairs and (2, 4) not in pairs and len(pairs) == 3 + 1 + 1


def test_single_path_forward_has_the_intact_values():
    model = trained_like()
    x = torch.randn(3, 1, 8, 8)
    assert torch.allclose(forward_single_path(model, model.stem(x), active={0, 4}), model(x))


def test_single_path_with_no_active_branch_is_the_pure_skip_path():
    model = trained_like()
    h = model.stem(torch.randn(3, 1, 8, 8)).detach().requires_grad_(True)
    logits = forward_single_path(model, h, active=set())
    weights = [p for p in model.blocks.parameters()]
    grads = torch.autograd.grad(logits.sum(), [h, *weights], allow_unused=True)
    # Only shortcuts and the final ReLU masks: no block weight is on the path's gradient.
    assert grads[0].abs().sum() > 0
    assert all(g is None for g in grads[1:])
    with_branch = torch.autograd.grad(forward_single_path(model, h, active={0}).sum(), weights, allow_unused=True)
    assert any(g is not None and g.abs().sum() > 0 for g in with_branch)  # the check above can fail


def test_the_two_to_the_n_single_path_gradients_sum_to_the_full_gradient():
    """Unravelling is exact: relu(F(h) + h) at fixed masks is multilinear in the per-block choice of
    branch or shortcut, so the 2^n single-path gradients add up to the network's own gradient."""
    import itertools

    model = trained_like(depth=14).double()  # 6 blocks, 64 paths; float64 for a tight comparison
    h = model.stem(torch.randn(5, 1, 8, 8, dtype=torch.float64)).detach().requires_grad_(True)
    (full,) = torch.autograd.grad(model.forward_head(model.blocks(h)).sum(), h)
    n = len(model.blocks)
    total = torch.zeros_like(h)
    for k in range(n + 1):
        for active in itertools.combinations(range(n), k):
            (g,) = torch.autograd.grad(forward_single_path(model, h, set(active)).sum(), h)
            total += g
    assert torch.allclose(total, full, rtol=1e-9, atol=1e-12)
    (one_path,) = torch.autograd.grad(forward_single_path(model, h, set(range(n))).sum(), h)
    assert not torch.allclose(one_path, full)  # one path alone is not the whole gradient


def test_stochastic_depth_is_off_in_eval_mode():
    torch.manual_seed(0)
    sd = create_model("resnet_sd", 20, in_chans=1)
    torch.manual_seed(0)
    plain_resnet = create_model("resnet", 20, in_chans=1)
    x = torch.randn(4, 1, 8, 8)
    sd.eval()
    plain_resnet.eval()
    assert torch.equal(sd(x), sd(x)) and torch.allclose(sd(x), plain_resnet(x))
    sd.train()
    torch.manual_seed(1)
    a = sd(x)
    torch.manual_seed(2)
    assert not torch.allclose(a, sd(x))  # blocks are dropped at random while training


def test_stochastic_depth_survival_decays_linearly_to_p_l():
    model = create_model("resnet_sd", 56, drop_path_rate=0.5)
    rates = [b.drop_path.drop_prob for b in model.blocks]
    assert rates[-1] == 0.5 and rates == sorted(rates) and abs(rates[0] - 0.5 / 27) < 1e-9


def test_prefix_cache_gives_the_same_logits():
    model = trained_like()
    x = torch.randn(5, 1, 8, 8)
    cache = block_inputs(model, x)
    with torch.no_grad():
        for order, bypassed in ((None, {4}), (None, {1, 7}), ([0, 2, 1, 3, 4, 5, 6, 7, 8], ()), (None, ())):
            assert torch.allclose(forward_lesioned(model, None, order, bypassed, cache),
                                  forward_lesioned(model, x, order, bypassed), atol=1e-6)


def test_first_change_finds_where_a_lesion_departs():
    assert first_change([0, 1, 2, 3], {2}) == 2
    assert first_change([0, 2, 1, 3], ()) == 1
    assert first_change([0, 1, 2], ()) == 3


def test_single_path_rejects_blocks_it_does_not_model():
    import pytest

    model = create_model("resnet", 8, in_chans=1, placement="full_preact").eval()
    with pytest.raises(ValueError, match="post-activation"):
        forward_single_path(model, model.stem(torch.randn(1, 1, 8, 8)), active={0})
