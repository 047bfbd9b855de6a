"""What each classic net costs and what deleting one of its blocks does (torch side, no file I/O).

Cost: parameters, multiply-adds per image (torch's FLOP counter), training and inference images/s
measured side by side (every net once per round, rounds interleaved, so a slow moment of a noisy
machine hits all nets alike; the median round is kept), and training memory per batch: the bytes
autograd saves for the backward pass plus weights, gradients and momentum (on CUDA also the
allocator's peak). Deletion: each block that keeps its input's shape, bypassed in turn, through the
same surgery the lesion family uses."""
from __future__ import annotations

import copy
import statistics
import time

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ...models.flops import multiply_adds
from ...models.surgery import deletable_blocks, error_rate, prefix_cache


def saved_activation_bytes(model: nn.Module, x: torch.Tensor) -> int:
    """Bytes autograd keeps from one training forward pass of `x` for the backward pass (each storage
    counted once, the weights left out): what a batch costs in memory beyond the weights."""
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}  # saved too, but counted apart
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in weights:
            seen[ptr] = max(seen.get(ptr, 0), t.untyped_storage().nbytes())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x).sum()
    return sum(seen.values())


def _timed(step, iters: int, sync) -> float:
    step()  # warm-up: first-call allocation and kernel selection
    sync()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    sync()
    return time.perf_counter() - t0


def cost_table(models: dict[str, nn.Module], input_shape: tuple[int, ...], num_classes: int, batch: int,
               rounds: int, iters: int = 3) -> pd.DataFrame:
    """One row per net: params, multiply_adds, train/inference images/s (median over rounds), memory."""
    device = next(next(iter(models.values())).parameters()).device
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    x = torch.randn(batch, *input_shape, device=device)
    y = torch.randint(0, num_classes, (batch,), device=device)
    nets = {name: copy.deepcopy(m).train() for name, m in models.items()}  # training steps change weights
    optims = {name: torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9) for name, m in nets.items()}
    speed: dict[str, dict[str, list[float]]] = {name: {"train": [], "infer": []} for name in nets}

    def train_step(name):
        def step():
            optims[name].zero_grad(set_to_none=True)
            F.cross_entropy(nets[name](x), y).backward()
            optims[name].step()
        return step

    def infer_step(name):
        @torch.no_grad()
        def step():
            nets[name].eval()(x)
            nets[name].train()
        return step

    for _ in range(rounds):
        for name in nets:
            speed[name]["train"].append(batch * iters / _timed(train_step(name), iters, sync))
            speed[name]["infer"].append(batch * iters / _timed(infer_step(name), iters, sync))
    rows = []
    for name, model in models.items():
        params = sum(p.numel() for p in model.parameters())
        param_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
        net = nets[name]
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        activations = saved_activation_bytes(net, x)
        optims[name].zero_grad(set_to_none=True)
        peak = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None
        rows.append({"net": name, "params": params, "multiply_adds": multiply_adds(copy.deepcopy(model).cpu(), input_shape),
                     "train_images_per_second": statistics.median(speed[name]["train"]),
                     "inference_images_per_second": statistics.median(speed[name]["infer"]),
                     "activation_mb": activations / 2**20, "train_memory_mb": (activations + 3 * param_bytes) / 2**20,
                     "cuda_peak_mb": peak, "batch": batch, "rounds": rounds, "device": device.type})
    return pd.DataFrame(rows)


def deletion_table(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> pd.DataFrame:
    """Test error of the intact net (block -1) and with each shape-keeping block bypassed: a residual
    block keeps its shortcut, a dense layer passes its input on with its own features zero, a plain
    layer or an inception module becomes the identity. Blocks that change the shape are not deleted."""
    model.eval()
    cache = prefix_cache(model, x)
    rows = [{"block": -1, "block_type": "none", "test_error": error_rate(model, x, y, batch_size, cache=cache)}]
    for i in deletable_blocks(model):
        rows.append({"block": i, "block_type": type(model.blocks[i]).__name__,
                     "test_error": error_rate(model, x, y, batch_size, bypassed={i}, cache=cache)})
    return pd.DataFrame(rows).assign(n_blocks=len(model.blocks))


def bottleneck_example() -> dict:
    """The sources' Inception example, counted on real modules: a 5x5 convolution from 192 to 32
    channels on a 28x28 map, without and with a 1x1 reduction to 16 channels first."""
    direct = nn.Conv2d(192, 32, 5, padding=2, bias=False)
    reduced = nn.Sequential(nn.Conv2d(192, 16, 1, bias=False), nn.Conv2d(16, 32, 5, padding=2, bias=False))
    shape = (192, 28, 28)
    without, with_reduction = multiply_adds(direct, shape), multiply_adds(reduced, shape)
    return {"without_reduction": without, "with_reduction": with_reduction, "ratio": without / with_reduction,
            "published_without": 120_000_000, "published_with": 12_400_000}
