"""Loss landscapes after Li et al. (2018): filter-normalized random directions, 2-D surfaces
evaluated in place (no model copies), and the Hessian's extreme eigenvalues at the centre."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack, contextmanager, nullcontext

import numpy as np
import torch
import torch.nn.functional as F

from ...train.device import eval_batch_size, use_channels_last
from ...train.fused import FusedModels, evaluate_fused
from ...trained import evaluate, loss_and_error  # noqa: F401  (re-exported)
from .fold import fold_batchnorm

FOLD_MIN_SIZE = 16  # image side from which folding BatchNorm into the convolutions speeds points up


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


def fast_layout(model: torch.nn.Module, x: torch.Tensor) -> tuple[torch.nn.Module, torch.Tensor]:
    """Model and images in channels_last where the training loop would use it (the `auto` rule):
    1.35x faster surface points on this CPU (benchmarks/landscape_speed.py), same losses to 1e-6."""
    if not use_channels_last("auto", x.device) or x.dim() != 4:
        return model, x
    return model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)


@torch.no_grad()
def fused_row(model, x, y, directions: Sequence[list[torch.Tensor]], alpha: float,
              betas: np.ndarray) -> list[tuple[float, float]]:
    """(loss, error) at theta* + alpha*d1 + beta*d2 for every beta of one grid row in one pass per
    batch: the row's points as the copies of one fused model (resbench.train.fused; eval mode, the
    trained BatchNorm statistics shared), so each kernel launch evaluates the whole row."""
    fused = FusedModels([model] * len(betas)).eval()
    params, _ = fused.stacked()
    d1, d2 = directions
    beta = torch.as_tensor(np.asarray(betas, dtype=np.float32), device=x.device)
    for (name, p), a, b in zip(model.named_parameters(), d1, d2):
        params[name].copy_(p + alpha * a + beta.view(-1, *[1] * p.dim()) * b)
    return evaluate_fused(fused, x, y, eval_batch_size(None, x.device), nullcontext)


@torch.no_grad()
def surface_rows(model, x, y, directions: Sequence[list[torch.Tensor]], alphas: np.ndarray, betas: np.ndarray,
                 rows: Sequence[int], on_row: Callable[[int, list[dict]], None] | None = None,
                 fold: bool | None = None, fuse: bool | None = None) -> list[dict]:
    """Loss and error at theta* + alpha*d1 + beta*d2 for every (alphas[i], beta), i in `rows`.

    The parameters are overwritten in place point by point and restored at the end; the model stays
    in eval mode with its trained BatchNorm statistics. `on_row(i, row_records)` is called after each
    row (for atomic per-row writes and resume). `fold` evaluates a copy with BatchNorm folded into the
    convolutions (same losses to float rounding); None folds for images of 16 pixels or more, where
    it pays (benchmarks/landscape_speed.py: 1.21x at 32x32, 0.96x at 8x8 on a 2-core CPU). `fuse`
    evaluates each row's points in one pass (`fused_row`, the weights untouched); None fuses on a GPU,
    where one point per pass leaves it waiting on kernel launches.
    """
    model.eval()
    if fuse is None:
        fuse = x.device.type == "cuda"
    with ExitStack() as stack:
        if fuse:
            def row_values(alpha: float) -> list[tuple[float, float]]:
                return fused_row(model, x, y, directions, alpha, betas)
        else:
            if fold is None:
                fold = x.dim() == 4 and x.shape[-1] >= FOLD_MIN_SIZE
            folded = fold_batchnorm(model) if fold else None
            evaluated, refresh = folded if folded is not None else (model, lambda: None)
            move_to = stack.enter_context(_in_place(model, directions))

            def row_values(alpha: float) -> list[tuple[float, float]]:
                values = []
                for beta in betas:
                    move_to(alpha, float(beta))
                    refresh()
                    values.append(loss_and_error(evaluated, x, y))
                return values

        out = []
        for i in rows:
            alpha = float(alphas[i])
            records = [{"i": i, "j": j, "alpha": alpha, "beta": float(beta), "loss": loss, "error": error}
                       for j, (beta, (loss, error)) in enumerate(zip(betas, row_values(alpha)))]
            if on_row is not None:
                on_row(i, records)
            out += records
    return out


@contextmanager
def _in_place(model, directions: Sequence[list[torch.Tensor]]):
    """Yields move_to(alpha, beta), which overwrites the parameters with theta* + alpha*d1 + beta*d2;
    theta* is restored on exit, also after an error."""
    params = list(model.parameters())
    center = [p.detach().clone() for p in params]
    d1, d2 = directions

    def move_to(alpha: float, beta: float) -> None:
        with torch.no_grad():
            for p, c, a, b in zip(params, center, d1, d2):
                p.data.copy_(c).add_(a, alpha=alpha).add_(b, alpha=beta)  # keeps p's memory layout

    try:
        yield move_to
    finally:
        with torch.no_grad():
            for p, c in zip(params, center):
                p.data.copy_(c)


def _hvp(model, x, y, vector: list[torch.Tensor]) -> list[torch.Tensor]:
    params = [p for p in model.parameters() if p.requires_grad]
    loss = F.cross_entropy(model(x).float(), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vector))
    return [h.detach() for h in torch.autograd.grad(dot, params)]


def hessian_extremes(model, x, y, iters: int = 20, seed: int = 0) -> dict:
    """Largest and smallest Hessian eigenvalues of the loss at the current weights and |min/max|.

    Lanczos on Hessian-vector products with full reorthogonalization: `iters` HVPs give both ends of
    the spectrum at once, and the small negative end converges far faster than power iteration on a
    shifted Hessian, which at 10-20 steps only finds the near-zero bulk.
    """
    model.eval()
    params = [p for p in model.parameters() if p.requires_grad]
    n = sum(p.numel() for p in params)
    generator = torch.Generator().manual_seed(seed)
    v = torch.randn(n, generator=generator).to(params[0].device)
    basis = [v / v.norm()]
    alphas, betas = [], []
    for k in range(min(iters, n)):
        w = torch.cat([h.reshape(-1) for h in _hvp(model, x, y, _unflatten(basis[-1], params))])
        alphas.append(float(w @ basis[-1]))
        stack = torch.stack(basis)
        w = w - stack.T @ (stack @ w)  # full reorthogonalization (twice is enough)
        w = w - stack.T @ (stack @ w)
        beta = float(w.norm())
        if k == min(iters, n) - 1 or beta < 1e-8 * max(1.0, abs(alphas[-1])):
            break
        betas.append(beta)
        basis.append(w / beta)
    tridiagonal = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
    ritz = np.linalg.eigvalsh(tridiagonal)
    lam_min, lam_max = float(ritz[0]), float(ritz[-1])
    return {"lambda_max": lam_max, "lambda_min": lam_min,
            "curvature_ratio": abs(lam_min / lam_max) if lam_max else float("nan")}


def _unflatten(vector: torch.Tensor, like: list[torch.Tensor]) -> list[torch.Tensor]:
    out, k = [], 0
    for p in like:
        out.append(vector[k:k + p.numel()].view_as(p))
        k += p.numel()
    return out


def curvature_map(model, x, y, directions: Sequence[list[torch.Tensor]], axis: np.ndarray, iters: int,
                  seed: int = 0) -> list[dict]:
    """Hessian extreme eigenvalues and |lambda_min/lambda_max| at every (alpha, beta) of a coarse grid
    (Li et al. 2018, Fig. 8): where the ratio is large the surface is markedly non-convex."""
    out = []
    with _in_place(model, directions) as move_to:
        for i, alpha in enumerate(axis):
            for j, beta in enumerate(axis):
                move_to(float(alpha), float(beta))
                out.append({"i": i, "j": j, "alpha": float(alpha), "beta": float(beta),
                            **hessian_extremes(model, x, y, iters, seed)})
    return out


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
