"""Fused seeds (resbench.train.fused): k copies in one vmapped module must train exactly as k separate
models, up to float rounding. Tolerance: 1e-5 absolute on logits and on weights, momentum and BN
statistics after an SGD step (fp32; the vmapped convolution is one grouped convolution, which sums
in another order than k single ones: measured differences after one step are 1e-8 to 4e-7). Over more
steps the rounding grows chaotically (measured: 1e-7, then 1e-5, then 5e-3 in ResNeXt-29's stem after
three steps at batch 16), as it does between two runs of one seed on two kinds of hardware, so the
test compares one step, where a wrong gradient, optimizer or BN update would show at full size."""
import copy

import pytest
import timm
import torch

import resbench.models  # noqa: F401  (registers resbench's nets in timm)
from resbench.train.fused import FusedModels, fused_loss

TOL = 1e-5
NETS = [("plain_cifar", {"depth": 8}), ("resnet_cifar", {"depth": 8}), ("resnet_gate_shortcut_cifar", {"depth": 8}),
        ("resnext29_c2_budget_cifar", {})]


def _models(name: str, kwargs: dict, k: int = 3) -> list[torch.nn.Module]:
    out = []
    for seed in range(k):  # each copy initialized as its own seed's run would be
        torch.manual_seed(seed)
        out.append(timm.create_model(name, in_chans=1, num_classes=10, **kwargs))
    return out


def _sgd(params):
    return torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4)


@pytest.mark.parametrize("name,kwargs", NETS)
def test_fused_training_equals_separate_training(name, kwargs):
    models = _models(name, kwargs)
    fused = FusedModels(copy.deepcopy(models)).train()
    opt_fused = _sgd(fused.parameters())
    opts = [_sgd(m.parameters()) for m in models]
    g = torch.Generator().manual_seed(0)
    alive = torch.ones(3, dtype=torch.bool)
    for _ in range(1):
        x, y = torch.randn(3, 32, 1, 8, 8, generator=g), torch.randint(0, 10, (3, 32), generator=g)
        for m, opt, xb, yb in zip(models, opts, x, y):  # each copy its own batch
            m.train()
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(xb), yb).backward()
            opt.step()
        total, per_copy = fused_loss(fused(x), y, alive)
        opt_fused.zero_grad()
        total.backward()
        opt_fused.step()
    for i, m in enumerate(models):
        state = fused.copy_state_dict(i)
        for key, value in m.state_dict().items():  # weights, momentum-moved, and BN running statistics
            assert torch.allclose(state[key].float(), value.float(), atol=TOL), (name, i, key)
    x = torch.randn(20, 1, 8, 8)
    fused.eval()
    shared = fused(x, shared=True)
    for i, m in enumerate(models):
        assert torch.allclose(shared[i], m.eval()(x), atol=TOL)
        assert torch.allclose(fused.unfused(i)(x), m(x), atol=TOL)


def test_a_diverged_copy_is_masked_and_the_others_go_on():
    models = _models("resnet_cifar", {"depth": 8})
    reference = copy.deepcopy(models[0])
    fused = FusedModels(models).train()
    with torch.no_grad():  # copy 1 has diverged: NaN weights
        getattr(fused, "stem__0__weight")[1].fill_(float("nan"))
    opt, ref_opt = _sgd(fused.parameters()), _sgd(reference.parameters())
    g = torch.Generator().manual_seed(1)
    for _ in range(2):
        x, y = torch.randn(3, 8, 1, 8, 8, generator=g), torch.randint(0, 10, (3, 8), generator=g)
        total, per_copy = fused_loss(fused(x), y, alive=torch.isfinite(torch.tensor([0.0, float("nan"), 0.0])))
        assert torch.isfinite(total) and not torch.isfinite(per_copy[1])
        opt.zero_grad()
        total.backward()
        opt.step()
        ref_opt.zero_grad()
        torch.nn.functional.cross_entropy(reference(x[0]), y[0]).backward()
        ref_opt.step()
    for key, value in reference.state_dict().items():  # copy 0 never felt copy 1's NaN
        assert torch.allclose(fused.copy_state_dict(0)[key].float(), value.float(), atol=TOL), key
    assert all(torch.isfinite(t).all() for t in fused.copy_state_dict(2).values())


def test_stochastic_depth_copies_draw_their_own_masks():
    models = _models("resnet_cifar", {"depth": 14, "drop_path_rate": 0.5})
    for m in models[1:]:  # identical weights: any difference between copies comes from the drop masks
        m.load_state_dict(models[0].state_dict())
    fused = FusedModels(models).eval()
    x = torch.randn(8, 1, 8, 8)
    out = fused(x, shared=True)  # no drop at evaluation: the copies agree exactly
    assert torch.allclose(out[0], out[1]) and torch.allclose(out[1], out[2])
    out = fused.train()(torch.stack([x] * 3))
    assert not torch.allclose(out[0], out[1]) or not torch.allclose(out[1], out[2])


def test_copy_states_round_trip_for_resume():
    models = _models("resnet_cifar", {"depth": 8})
    fused = FusedModels(models)
    other = timm.create_model("resnet_cifar", depth=8, in_chans=1, num_classes=10)
    fused.load_copy_state_dict(2, other.state_dict())
    for key, value in other.state_dict().items():
        assert torch.equal(fused.copy_state_dict(2)[key], value)
    with pytest.raises(KeyError, match="does not match"):
        fused.load_copy_state_dict(0, {"stem.0.weight": other.state_dict()["stem.0.weight"]})
