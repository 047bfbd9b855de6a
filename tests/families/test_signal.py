import math

import pytest
import torch
import torch.nn.functional as F

from resbench.families.signal.construct import identity_extended, set_identity, train_appended
from resbench.families.signal.layer_stats import block_gradient_norms, layer_statistics
from resbench.families.signal.nielsen import MLP, StackedMLPs, sigmoid_chain_bound, stacked_speeds, train_mlps
from resbench.families.signal.rank import effective_rank, rank_by_layer, stable_rank

from ..models.test_surgery import trained_like


def with_singular_values(values, n=6, m=5, seed=0):
    """An n x m matrix with the given singular values, in random orthonormal bases."""
    generator = torch.Generator().manual_seed(seed)
    u, _ = torch.linalg.qr(torch.randn(n, n, generator=generator, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(m, m, generator=generator, dtype=torch.float64))
    s = torch.zeros(n, m, dtype=torch.float64)
    for i, value in enumerate(values):
        s[i, i] = value
    return u @ s @ v.T


def test_effective_and_stable_rank_of_known_spectra():
    assert effective_rank(with_singular_values([2, 2, 2, 2])) == pytest.approx(4.0)
    assert stable_rank(with_singular_values([2, 2, 2, 2])) == pytest.approx(4.0)
    assert effective_rank(with_singular_values([5])) == pytest.approx(1.0)
    assert stable_rank(with_singular_values([5])) == pytest.approx(1.0)
    entropy = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert effective_rank(with_singular_values([3, 1])) == pytest.approx(math.exp(entropy))
    assert stable_rank(with_singular_values([3, 1])) == pytest.approx(10 / 9)
    assert effective_rank(torch.zeros(3, 3)) == 0.0


def test_plain_relu_stack_collapses_and_batchnorm_keeps_rank():
    x = torch.randn(64, 32, generator=torch.Generator().manual_seed(0))
    plain = rank_by_layer(x, 32, 32, "relu", residual=False, batchnorm=False, seed=0)
    normed = rank_by_layer(x, 32, 32, "relu", residual=False, batchnorm=True, seed=0)
    assert plain[0]["effective_rank"] == pytest.approx(effective_rank(x))
    assert len(plain) == 33
    assert plain[-1]["effective_rank"] < plain[0]["effective_rank"] / 4
    assert normed[-1]["effective_rank"] > 2 * plain[-1]["effective_rank"]


def test_identity_construction_is_exact():
    shallow = trained_like("plain", depth=8)
    x = torch.randn(16, 1, 8, 8)
    for depth in (14, 26):
        deep = identity_extended(shallow, depth)
        assert len(deep.blocks) == 3 * (depth - 2) // 6
        with torch.no_grad():
            assert (deep(x) - shallow(x)).abs().max().item() <= 1e-6


def test_identity_blocks_refuse_residual_or_downsampling_blocks():
    model = trained_like("resnet", depth=8)
    with pytest.raises(ValueError, match="plain"):
        set_identity(model.blocks[0])
    with pytest.raises(ValueError, match="plain net"):
        identity_extended(model, 20)


def test_block_gradient_norms_match_autograd_and_leave_the_model_untouched():
    model = trained_like("resnet", depth=8)
    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    norms = block_gradient_norms(model, x, y)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # running stats too
    assert not model.training and all(p.grad is None for p in model.parameters())
    reference = trained_like("resnet", depth=8).train()
    for m in reference.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.0
    F.cross_entropy(reference(x), y).backward()
    expected = [torch.sqrt(sum((p.grad ** 2).sum() for p in b.parameters())).item() for b in reference.blocks]
    assert norms == pytest.approx(expected, rel=1e-5)
    rows = layer_statistics(model, x, y, epoch=3)
    assert [r["block"] for r in rows] == list(range(len(model.blocks))) and rows[0]["epoch"] == 3
    assert all(0 <= r["dead_fraction"] <= 1 and r["response_std_1"] > 0 for r in rows)


def test_sigmoid_derivative_bound_in_a_one_unit_chain():
    """w = 1 and every pre-activation 0: each layer back multiplies the error by exactly sigma'(0) = 1/4."""
    layers = 4
    model = MLP(1, 1, layers, 2, "sigmoid")
    with torch.no_grad():
        for k, layer in enumerate(model.hidden):
            layer.weight.fill_(1.0)
            layer.bias.fill_(0.0 if k == 0 else -0.5)  # sigmoid(0) = 0.5 feeds the next layer
    x, y = torch.zeros(1, 1), torch.tensor([1])
    speeds = stacked_speeds(StackedMLPs([model]), x, y)[0].tolist()
    for k in range(layers - 1):
        assert speeds[k] / speeds[k + 1] == pytest.approx(0.25, rel=1e-6)
    assert speeds[0] / speeds[-1] == pytest.approx(sigmoid_chain_bound(layers - 1), rel=1e-6)
    torch.manual_seed(0)  # any weights in [-1, 1] and biases: never above the bound
    with torch.no_grad():
        for layer in model.hidden:
            layer.weight.uniform_(-1, 1)
            layer.bias.normal_()
    speeds = stacked_speeds(StackedMLPs([model]), x, y)[0].tolist()
    assert all(speeds[k] <= 0.25 * speeds[k + 1] + 1e-12 for k in range(layers - 1))


def test_stacked_mlps_train_as_each_net_would_alone():
    """k nets of one shape trained as one stacked model: each gets its own batches (its seed's order), its
    own gradient and SGD step, so its curve and speeds equal a lone run's (the stack of one) to rounding."""
    generator = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 1, 3, 3, generator=generator), torch.randint(0, 4, (40,), generator=generator)
    test = (torch.randn(12, 1, 3, 3, generator=generator), torch.randint(0, 4, (12,), generator=generator))
    for activation, residual in (("sigmoid", False), ("relu", False), ("sigmoid", True)):
        def nets(seeds):
            out = []
            for seed in seeds:
                torch.manual_seed(seed)
                out.append(MLP(9, 5, 3, 4, activation, residual))
            return out

        seeds = [3, 11, 10_003]
        rows, speeds = train_mlps(nets(seeds), (x, y), test, epochs=3, batch_size=7, lr=0.5, seeds=seeds)
        for i, seed in enumerate(seeds):
            alone_rows, alone_speeds = train_mlps(nets([seed]), (x, y), test, epochs=3, batch_size=7, lr=0.5,
                                                  seeds=[seed])
            assert [r["epoch"] for r in rows[i]] == [0, 1, 2, 3] and len(speeds[i]) == 4 * 3
            for got, want in zip(rows[i], alone_rows[0]):
                assert got["test_accuracy"] == want["test_accuracy"]
                assert got["train_loss"] == pytest.approx(want["train_loss"], rel=1e-5)
            for got, want in zip(speeds[i], alone_speeds[0]):
                assert got["speed"] == pytest.approx(want["speed"], rel=1e-4, abs=1e-7)
        assert rows[0][-1]["train_loss"] != rows[1][-1]["train_loss"]  # the nets differ: their own seeds


def test_appended_training_leaves_the_shallow_net_frozen_and_unchanged():
    shallow = trained_like("plain", depth=8)
    before = {k: v.clone() for k, v in shallow.state_dict().items()}
    x, y = torch.randn(40, 1, 8, 8), torch.randint(0, 10, (40,))
    rows = train_appended(shallow, x, y, k=2, residual=True, epochs=2, lr=0.05, batch_size=16, seed=0)
    assert [r["epoch"] for r in rows] == [0, 1, 2]
    assert all(0 <= r["train_error"] <= 1 for r in rows)
    assert all(torch.equal(before[k], v) for k, v in shallow.state_dict().items())
    assert all(p.requires_grad for p in shallow.parameters())


def test_rank_initializations_come_from_the_profiles_seeds():
    from resbench.families.signal.plan import seed_rounds
    assert seed_rounds([0, 1, 2, 3, 4], 5) == [0, 1, 2, 3, 4]
    assert seed_rounds([5, 6], 5) == [5, 6, 10_005, 10_006, 20_005]
    assert not set(seed_rounds([0, 1, 2, 3, 4], 5)) & set(seed_rounds([5, 6, 7, 8, 9], 5))
