"""Loss landscapes after Li et al. (2018): filter-normalized random directions, 2-D surfaces
evaluated in place (no model copies), and the Hessian's extreme eigenvalues at the centre."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext

import numpy as np
import torch
import torch.nn.functional as F

from ..train.loop import evaluate

EVAL_BATCH = 1024  # images per forward pass on the loss surface


def filter_normalized_direction(model: torch.nn.Module, seed: int, ignore_bias_bn: bool = True) -> list[torch.Tensor]:
    """A Gaussian direction with every filter rescaled to the norm of the matching weight filter.

    A filter is one output slice of a conv or linear weight. 1-D parameters (biases, BatchNorm
    weights and biases) are set to zero when `ignore_bias_bn` (the paper's default), else kept at
    the norm of the parameter itself.
    """
    generator = torch.Generator().manual_seed(seed)
    direction = []
    for p in model.parameters():
        d = torch.randn(p.shape, generator=generator, dtype=torch.float32).to(p.device, p.dtype)
        if p.dim() <= 1:
            d = torch.zeros_like(p) if ignore_bias_bn else d * (p.detach().norm() / (d.norm() + 1e-10))
        else:
            dims = tuple(range(1, p.dim()))
            norm = lambda t: torch.linalg.vector_norm(t, dim=dims, keepdim=True)  # noqa: E731
            d = d * (norm(p.detach()) / (norm(d) + 1e-10))
        direction.append(d)
    return direction


def grid_axis(resolution: int, extent: float) -> np.ndarray:
    return np.linspace(-extent, extent, resolution)


def loss_and_error(model, x, y) -> tuple[float, float]:
    """Mean loss and error rate in full precision: the training loop's own evaluation."""
    return evaluate(model, x, y, EVAL_BATCH, nullcontext)


@torch.no_grad()
def surface_rows(model, x, y, directions: Sequence[list[torch.Tensor]], alphas: np.ndarray, betas: np.ndarray,
                 rows: Sequence[int], on_row: Callable[[int, list[dict]], None] | None = None) -> list[dict]:
    """Loss and error at theta* + alpha*d1 + beta*d2 for every (alphas[i], beta), i in `rows`.

    The parameters are overwritten in place point by point and restored at the end; the model stays
    in eval mode with its trained BatchNorm statistics. `on_row(i, row_records)` is called after each
    row (for atomic per-row writes and resume).
    """
    model.eval()
    params = list(model.parameters())
    center = [p.detach().clone() for p in params]
    d1, d2 = directions
    out = []
    try:
        for i in rows:
            records = []
            for j, beta in enumerate(betas):
                alpha = float(alphas[i])
                for p, c, a, b in zip(params, center, d1, d2):
                    torch.add(c, a, alpha=alpha, out=p.data)
                    p.data.add_(b, alpha=float(beta))
                loss, error = loss_and_error(model, x, y)
                records.append({"i": i, "j": j, "alpha": alpha, "beta": float(beta), "loss": loss, "error": error})
            if on_row is not None:
                on_row(i, records)
            out += records
    finally:
        for p, c in zip(params, center):
            p.data.copy_(c)
    return out


def _hvp(model, x, y, vector: list[torch.Tensor]) -> list[torch.Tensor]:
    params = [p for p in model.parameters() if p.requires_grad]
    loss = F.cross_entropy(model(x).float(), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vector))
    return [h.detach() for h in torch.autograd.grad(dot, params)]


def _power(matvec, shapes_like: list[torch.Tensor], iters: int, seed: int) -> float:
    generator = torch.Generator().manual_seed(seed)
    v = [torch.randn(p.shape, generator=generator).to(p.device) for p in shapes_like]
    eig = 0.0
    for _ in range(iters):
        norm = torch.sqrt(sum((t * t).sum() for t in v))
        v = [t / norm for t in v]
        hv = matvec(v)
        eig = float(sum((a * b).sum() for a, b in zip(v, hv)))
        v = hv
    return eig


def hessian_extremes(model, x, y, iters: int = 20, seed: int = 0) -> dict:
    """Largest and most negative Hessian eigenvalues of the loss at the current weights, by power
    iteration on Hessian-vector products (the second run on H - lambda_max I), and |min/max|."""
    model.eval()
    params = [p for p in model.parameters() if p.requires_grad]
    lam_max = _power(lambda v: _hvp(model, x, y, v), params, iters, seed)
    shifted = _power(lambda v: [h - lam_max * t for h, t in zip(_hvp(model, x, y, v), v)], params, iters, seed + 1)
    lam_min = shifted + lam_max
    return {"lambda_max": lam_max, "lambda_min": lam_min,
            "curvature_ratio": abs(lam_min / lam_max) if lam_max else float("nan")}


def nonconvex_fraction(loss: np.ndarray) -> float:
    """Share of interior grid points where the discrete Laplacian of the loss is negative: 0 for a
    convex bowl, larger for chaotic surfaces (a roughness measure that compares across runs)."""
    lap = loss[2:, 1:-1] + loss[:-2, 1:-1] + loss[1:-1, 2:] + loss[1:-1, :-2] - 4 * loss[1:-1, 1:-1]
    return float((lap < 0).mean()) if lap.size else float("nan")


@torch.no_grad()
def interpolation_rows(model, state_a: dict, state_b: dict, x, y, ts: Sequence[float]) -> list[dict]:
    """Loss and error along the line (1 - t) theta_a + t theta_b between two trained solutions.

    Two kinds (Li et al. 2018, Sec. 4): `states` interpolates every floating-point entry of the state
    dict, BatchNorm running statistics included; `weights` interpolates the parameters only and keeps
    solution A's BatchNorm statistics. Outside [0, 1] a running variance can extrapolate below
    zero; it is clamped at zero (BatchNorm's eps keeps the division finite). The model ends with
    state A loaded.
    """
    model.eval()
    param_names = {name for name, _ in model.named_parameters()}
    out = []
    try:
        for kind in ("states", "weights"):
            for t in ts:
                mixed = {k: (1 - t) * a + t * state_b[k]
                         if a.is_floating_point() and (kind == "states" or k in param_names) else a
                         for k, a in state_a.items()}
                for k in mixed:
                    if k.endswith("running_var"):
                        mixed[k] = mixed[k].clamp_min(0)
                model.load_state_dict(mixed)
                loss, error = loss_and_error(model, x, y)
                out.append({"kind": kind, "t": float(t), "loss": loss, "error": error})
    finally:
        model.load_state_dict(state_a)
    return out
