"""Training throughput of resbench's step on CIFAR-size data, side by side in one process.

Compares, for each depth, the configurations the GPU fast path chooses between (fp32 NCHW vs
AMP + channels_last, optionally torch.compile) on device-resident random CIFAR-shaped tensors, and
prints images/s, the ratio to the fp32 baseline, and peak GPU memory. Ratios, not seconds, are the
result: this machine's speed drifts.

    python benchmarks/train_throughput.py --depths 20 56 110 --steps 50
"""
from __future__ import annotations

import argparse
import time
from contextlib import nullcontext

import torch
import torch.nn.functional as F

from resbench.data import augment_batch
from resbench.models import create_model
from resbench.train.device import amp_dtype, select_device


def measure(depth: int, device, amp, channels_last: bool, compile_model: bool, steps: int, batch: int) -> dict:
    torch.manual_seed(0)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = create_model("resnet", depth).to(device, memory_format=fmt)
    step_model = torch.compile(model) if compile_model else model
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(batch * 4, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (batch * 4,), device=device)
    gen = torch.Generator().manual_seed(0)
    autocast = (lambda: torch.autocast(device.type, dtype=amp)) if amp else nullcontext

    def step(i):
        idx = slice((i % 4) * batch, (i % 4 + 1) * batch)
        xb = augment_batch(x[idx], gen).contiguous(memory_format=fmt)
        with autocast():
            loss = F.cross_entropy(step_model(xb).float(), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(5 if not compile_model else 10):  # warm-up (and compilation)
        step(i)
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else float("nan")
    return {"images_per_second": steps * batch / seconds, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", type=int, nargs="+", default=[20, 56])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile")
    args = parser.parse_args()
    device = select_device("auto")
    torch.backends.cudnn.benchmark = device.type == "cuda"
    fast_amp = amp_dtype("auto", device) if device.type == "cuda" else None
    variants = [("fp32 NCHW", None, False, False), ("channels_last", None, True, False)]
    if device.type == "cuda":
        variants.append((f"{str(fast_amp).replace('torch.', '')} + channels_last", fast_amp, True, False))
        if args.compile:
            variants.append(("... + torch.compile", fast_amp, True, True))
    print(f"device: {torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}; batch {args.batch}; "
          f"{args.steps} timed steps; torch {torch.__version__}")
    print(f"{'depth':>5}  {'variant':<32} {'img/s':>9} {'ratio':>6} {'peak MB':>8}")
    for depth in args.depths:
        base = None
        for name, amp, cl, comp in variants:
            r = measure(depth, device, amp, cl, comp, args.steps, args.batch)
            base = base or r["images_per_second"]
            print(f"{depth:>5}  {name:<32} {r['images_per_second']:>9.0f} {r['images_per_second'] / base:>6.2f} "
                  f"{r['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
