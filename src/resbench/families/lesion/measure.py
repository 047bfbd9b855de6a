"""Lesion study after Veit et al. (2016): delete one block, delete k blocks, reorder blocks, and
the gradient carried by paths of each length. Works on the loaded model in place (no copies),
with BatchNorm's trained running statistics."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy import stats

from ...models.surgery import deletable_blocks, error_rate, forward_single_path, prefix_cache, swappable_pairs

def kendall_tau(order: list[int]) -> float:
    """Kendall's tau between `order` and the identity order 0..n-1 (scipy's; 1 for fewer than two blocks)."""
    if len(order) < 2:
        return 1.0
    return float(stats.kendalltau(np.arange(len(order)), np.asarray(order)).statistic)


def k_grid(n: int, max_points: int) -> list[int]:
    """Up to `max_points` values of k from 1 to n, geometrically spaced (dense where error changes
    fastest, at small k), always including 1 and n."""
    if n < 1:
        return []
    return sorted({int(round(v)) for v in np.geomspace(1, n, min(n, max_points))})


def _row(kind: str, k: int, draw: int, blocks, error: float, **extra) -> dict:
    return {"kind": kind, "k": k, "draw": draw, "blocks": ";".join(map(str, blocks)), "test_error": error, **extra}


def lesion_table(model, x, y, draws: int, seed: int, batch_size: int = 1024, max_k_points: int = 8) -> pd.DataFrame:
    """Every lesion of one model: rows of kind none / delete_one / delete_k / reorder.

    delete_one covers every block (downsampling ones flagged); delete_k draws k of the deletable
    (in-stage) blocks; reorder applies k random swaps of same-shape blocks and records Kendall's tau
    between the new order and the original. k runs over at most `max_k_points` values.
    """
    model.eval()
    rng = np.random.default_rng(seed)
    n = len(model.blocks)
    cache = prefix_cache(model, x)

    def error(order=None, bypassed=()):
        return error_rate(model, x, y, batch_size, order, bypassed, cache)

    rows = [_row("none", 0, 0, [], error(), downsampling=False)]
    for i, block in enumerate(model.blocks):
        rows.append(_row("delete_one", 1, 0, [i], error(bypassed={i}),
                         downsampling=bool(block.downsample)))
    deletable = deletable_blocks(model)
    for k in k_grid(len(deletable), max_k_points):
        for draw in range(draws if k < len(deletable) else 1):
            chosen = sorted(rng.choice(deletable, size=k, replace=False).tolist())
            rows.append(_row("delete_k", k, draw, chosen, error(bypassed=set(chosen)),
                             downsampling=False))
    pairs = swappable_pairs(model)
    for k in k_grid(len(deletable) // 2, max_k_points) if pairs else []:
        for draw in range(draws):
            order = list(range(n))
            for pick in rng.choice(len(pairs), size=k, replace=True):
                a, b = pairs[pick]
                order[a], order[b] = order[b], order[a]
            tau = kendall_tau(order)
            rows.append(_row("reorder", k, draw, order, error(order=order),
                             downsampling=False, kendall_tau=tau))
    return pd.DataFrame(rows)


def path_gradient_table(model, x, y, samples: int, seed: int) -> pd.DataFrame:
    """Gradient norm at the first block's input through single paths of each length k (Veit Fig. 6).

    For each k, `samples` random sets of k residual branches are made the only route for gradient
    (the other blocks contribute only their shortcuts). Columns: k, n_paths = C(n, k),
    path_fraction = C(n, k) / 2^n, grad_norm (mean over samples), grad_norm_std, and
    total_gradient = n_paths * grad_norm, the share of gradient paths of length k carry.
    """
    if not all(getattr(b, "residual", False) for b in model.blocks):
        return pd.DataFrame(columns=["k", "n_paths", "path_fraction", "grad_norm", "grad_norm_std", "total_gradient"])
    model.eval()
    rng = np.random.default_rng(seed)
    n = len(model.blocks)
    rows = []
    for k in range(n + 1):
        norms = []
        for _ in range(samples if 0 < k < n else 1):
            active = set(rng.choice(n, size=k, replace=False).tolist())
            stem_out = model.stem(x).detach().requires_grad_(True)
            logits = forward_single_path(model, stem_out, active)
            (grad,) = torch.autograd.grad(F.cross_entropy(logits, y), stem_out)
            norms.append(grad.flatten(1).norm(dim=1).mean().item())
        rows.append({"k": k, "n_paths": math.comb(n, k), "path_fraction": math.comb(n, k) / 2 ** n,
                     "grad_norm": float(np.mean(norms)), "grad_norm_std": float(np.std(norms))})
    table = pd.DataFrame(rows)
    table["total_gradient"] = table["n_paths"] * table["grad_norm"]
    return table

