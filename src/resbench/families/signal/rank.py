"""Rank collapse at initialization: how the effective and stable rank of a batch's representation
evolve layer by layer in plain vs residual stacks, with and without BatchNorm (claim 4)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ...models.surgery import batch_statistics

ACTIVATIONS = {"linear": lambda t: t, "relu": F.relu, "tanh": torch.tanh}


def singular_values(matrix: torch.Tensor) -> torch.Tensor:
    return torch.linalg.svdvals(matrix.detach().double().reshape(matrix.shape[0], -1))


def _effective(s: torch.Tensor) -> float:
    if float(s.sum()) == 0.0:
        return 0.0
    p = s / s.sum()
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def _stable(s: torch.Tensor) -> float:
    return float((s * s).sum() / (s[0] * s[0])) if float(s[0]) > 0 else 0.0


def effective_rank(matrix: torch.Tensor) -> float:
    """exp of the Shannon entropy of the normalized singular values (Roy & Vetterli 2007): between 1
    (rank one) and min(n, m) (all singular values equal)."""
    return _effective(singular_values(matrix))


def stable_rank(matrix: torch.Tensor) -> float:
    """||A||_F^2 / ||A||_2^2: a continuous, noise-robust lower bound of the rank."""
    return _stable(singular_values(matrix))


def ranks(matrix: torch.Tensor) -> dict:
    """Effective and stable rank from one singular value decomposition."""
    s = singular_values(matrix)
    return {"effective_rank": _effective(s), "stable_rank": _stable(s)}


def rank_by_layer(x: torch.Tensor, depth: int, width: int, activation: str, residual: bool, batchnorm: bool,
                  seed: int, branch_scale: float = 1.0) -> list[dict]:
    """Ranks of the representation after each of `depth` fully connected layers of `width` units at
    initialization (layer 0 = the input).

    A layer is h <- act(BN(W h)) (plain) or h <- h + branch_scale * act(BN(W h)) (residual; the first
    layer has no shortcut when it changes the width; Daneshmand et al. scale branches by 1/sqrt(depth)), W Gaussian with variance gain/fan_in (He for ReLU), BN
    normalizing each unit over the batch. Since layer l of a deep stack sees what a depth-l stack
    would output, one deep forward gives the rank-vs-depth curve.
    """
    generator = torch.Generator().manual_seed(seed)
    act = ACTIVATIONS[activation]
    h = x.double().reshape(len(x), -1)
    gain = 2.0 if activation == "relu" else 1.0
    rows = [{"layer": 0, **ranks(h)}]
    for layer in range(1, depth + 1):
        fan_in = h.shape[1]
        w = torch.randn(width, fan_in, generator=generator, dtype=torch.float64) * math.sqrt(gain / fan_in)
        z = h @ w.T
        if residual and layer == 1 and fan_in != width:
            h = torch.zeros(len(h), width, dtype=h.dtype)  # the first layer changes the width: no shortcut
        if batchnorm:
            z = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-5)
        out = act(z)
        h = h + branch_scale * out if residual else out
        rows.append({"layer": layer, **ranks(h)})
    return rows


def block_ranks(model: torch.nn.Module, x: torch.Tensor) -> list[dict]:
    """Effective and stable rank of the flattened representation (images x features) after the stem
    and after every block of a CIFAR-style net, in training mode (BatchNorm on batch statistics) as at
    the first step."""
    outputs = []
    hooks = [model.stem.register_forward_hook(lambda m, i, o: outputs.append(o.detach()))]
    hooks += [b.register_forward_hook(lambda m, i, o: outputs.append(o.detach())) for b in model.blocks]
    try:
        with batch_statistics(model), torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return [{"layer": k, **ranks(o)}
            for k, o in enumerate(outputs)]


def weight_spectrum_rows(model: torch.nn.Module) -> list[dict]:
    """Per conv/linear weight (reshaped to out x in*k*k): its effective and stable rank, relative to
    the full rank min(out, in*k*k), and the largest singular value."""
    rows = []
    for name, p in model.named_parameters():
        if p.dim() < 2:
            continue
        s = singular_values(p)  # of the weight reshaped to out x in*k*k, computed once
        rows.append({"weight": name, "effective_rank": _effective(s), "stable_rank": _stable(s),
                     "full_rank": int(min(p.shape[0], p[0].numel())), "sigma_max": float(s[0])})
    return rows
