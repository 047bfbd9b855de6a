"""Stochastic depth checked against Huang et al. (2016) before its claim is judged: survival 1 is the
ResNet, survival decays linearly to p_L, a block's branch is dropped with its rate while training,
and the eval-time net is the training-time net in expectation (Huang scale the branch by p_l at test
time; timm's DropPath scales it by 1/p_l while training instead, the same expectation).

One difference is kept and stated: Huang et al. drop a block for the whole mini-batch, timm's DropPath
for each sample on its own (the same survival rate per sample; less gradient noise per step)."""
import torch

from resbench.models import create_model


def test_survival_one_is_the_resnet_exactly_in_training_too():
    torch.manual_seed(0)
    sd = create_model("resnet_sd", 20, in_chans=1, drop_path_rate=0.0)
    torch.manual_seed(0)
    resnet = create_model("resnet", 20, in_chans=1)
    x = torch.randn(8, 1, 8, 8)
    sd.train(), resnet.train()
    assert torch.equal(sd(x), resnet(x))


def test_survival_decays_linearly_from_one_to_p_l():
    """Huang et al. Eq. 4: p_l = 1 - l / L (1 - p_L), l = 1..L."""
    model = create_model("resnet_sd", 56, drop_path_rate=0.5)
    rates = [b.drop_path.drop_prob for b in model.blocks]
    blocks = len(rates)
    assert blocks == 27
    for l, rate in enumerate(rates, start=1):
        assert abs((1 - rate) - (1 - l / blocks * (1 - 0.5))) < 1e-12


def test_a_block_is_dropped_at_its_rate_while_training_and_never_in_eval():
    model = create_model("resnet_sd", 20, in_chans=1, drop_path_rate=0.5)
    last = model.blocks[-1].drop_path
    ones = torch.ones(20_000, 4, 2, 2)
    torch.manual_seed(0)
    last.train()
    kept = (last(ones)[:, 0, 0, 0] != 0).float().mean().item()
    assert abs(kept - 0.5) < 0.02  # survival p_L = 0.5
    out = last(ones)
    assert torch.all(out[out != 0] == 2.0)  # a kept branch is scaled by 1/p_l ...
    assert abs(out.mean().item() - 1.0) < 0.03  # ... so its expectation is the eval-time branch (Huang: p_l f at test)
    last.eval()
    assert torch.equal(last(ones), ones)
