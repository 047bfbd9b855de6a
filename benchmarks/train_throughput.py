"""Training throughput of resbench's step on CIFAR-size data, side by side in one process.

For each depth, first the straightforward reference loop (uint8 images through a torch DataLoader
with torchvision's RandomCrop(32, 4) + RandomHorizontalFlip + ToTensor + Normalize, fp32 NCHW model),
then resbench's step (device-resident tensors, the same augmentation as tensor ops) in the
configurations the fast path chooses between: fp32 NCHW, channels_last, AMP + channels_last on a GPU,
optionally torch.compile (default mode, and "reduce-overhead": CUDA graphs); with `--fuse K`, K seeds
trained one at a time against K seeds fused into one vmapped model (resbench.train.fused), as
aggregate images/s. Prints images/s, the ratio to the reference loop, and peak GPU memory.
Same model, batch and optimizer everywhere. Ratios, not seconds, are the result: this machine's
speed drifts. `--profile` prints where resbench's CPU step spends its time.

    python benchmarks/train_throughput.py --depths 20 56 --steps 20
    python benchmarks/train_throughput.py --depths 20 --profile
    python benchmarks/train_throughput.py --depths 20 110 --fuse 5
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
from resbench.train.fused import FusedModels, fused_loss


def timed_steps(step, device, steps: int, images: int, warmup: int = 5) -> dict:
    """Images/s of `steps` calls of step(i) after `warmup` (first-call allocation, compilation), and
    the peak GPU memory of the timed part."""
    for i in range(warmup):
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
    return {"images_per_second": images / seconds, "peak_mb": peak}


def measure(depth: int, device, amp, channels_last: bool, compile_model, steps: int, batch: int) -> dict:
    """resbench's step; compile_model: False, True (default mode) or a torch.compile mode name."""
    torch.manual_seed(0)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = create_model("resnet", depth).to(device, memory_format=fmt)
    mode = compile_model if isinstance(compile_model, str) else None
    step_model = torch.compile(model, mode=mode) if compile_model else model
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

    return timed_steps(step, device, steps, steps * batch, warmup=5 if not compile_model else 10)


def measure_fused(depth: int, device, amp, k: int, steps: int, batch: int) -> dict:
    """k seeds as one fused model (each copy its own batch of `batch` images); aggregate images/s."""
    models = []
    for seed in range(k):
        torch.manual_seed(seed)
        models.append(create_model("resnet", depth))
    model = FusedModels(models).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(4, k, batch, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (4, k, batch), device=device)
    gens = [torch.Generator().manual_seed(seed) for seed in range(k)]
    alive = torch.ones(k, dtype=torch.bool, device=device)
    autocast = (lambda: torch.autocast(device.type, dtype=amp)) if amp else nullcontext

    def step(i):
        xb = torch.stack([augment_batch(x[i % 4, j], gens[j]) for j in range(k)])
        with autocast():
            loss, _ = fused_loss(model(xb), y[i % 4], alive)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return timed_steps(step, device, steps, k * steps * batch)


def measure_reference(depth: int, device, steps: int, batch: int, workers: int) -> dict:
    """The loop most CIFAR training scripts use: PIL images, torchvision transforms, a DataLoader."""
    import numpy as np
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms
    from PIL import Image

    class Images(Dataset):
        def __init__(self, n):
            rng = np.random.default_rng(0)
            self.data = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
            self.labels = rng.integers(0, 10, n)
            self.transform = transforms.Compose([
                transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return self.transform(Image.fromarray(self.data[i])), int(self.labels[i])

    torch.manual_seed(0)
    model = create_model("resnet", depth).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    loader = DataLoader(Images(batch * (steps + 5)), batch_size=batch, shuffle=True, num_workers=workers,
                        drop_last=True, pin_memory=device.type == "cuda")
    t0 = None
    for i, (xb, yb) in enumerate(loader):
        if i == 5:  # after warm-up
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return {"images_per_second": steps * batch / (time.perf_counter() - t0), "peak_mb": float("nan")}


def profile_step(depth: int, device, batch: int) -> None:
    """torch.profiler table of resbench's step (channels_last): where the time goes."""
    from torch.profiler import ProfilerActivity, profile

    torch.manual_seed(0)
    model = create_model("resnet", depth).to(device, memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x, y = torch.randn(batch, 3, 32, 32, device=device), torch.randint(0, 10, (batch,), device=device)
    gen = torch.Generator().manual_seed(0)

    def step():
        xb = augment_batch(x, gen).contiguous(memory_format=torch.channels_last)
        loss = F.cross_entropy(model(xb), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(5):
            step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", type=int, nargs="+", default=[20, 56])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers of the reference loop")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    parser.add_argument("--profile", action="store_true", help="print a profile of resbench's step and stop")
    parser.add_argument("--fuse", type=int, default=0, metavar="K",
                        help="also train K seeds fused into one model (aggregate images/s; one seed at a time is "
                             "the fp32 row, which is what K separate runs get each)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = select_device("auto")
    torch.backends.cudnn.benchmark = device.type == "cuda"
    fast_amp = amp_dtype("auto", device) if device.type == "cuda" else None
    variants = [("fp32 NCHW", None, False, False), ("channels_last", None, True, False)]
    if device.type == "cuda":
        variants.append((f"{str(fast_amp).replace('torch.', '')} + channels_last", fast_amp, True, False))
        if args.compile:
            variants.append(("... + torch.compile", fast_amp, True, True))
            variants.append(("... + CUDA graphs (reduce-overhead)", fast_amp, True, "reduce-overhead"))
    if args.profile:
        profile_step(args.depths[0], device, args.batch)
        return
    print(f"device: {torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}; batch {args.batch}; "
          f"{args.steps} timed steps; torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'depth':>5}  {'variant':<40} {'img/s':>9} {'vs ref':>6} {'peak MB':>8}")
    for depth in args.depths:
        ref = measure_reference(depth, device, args.steps, args.batch, args.workers)
        base = ref["images_per_second"]
        print(f"{depth:>5}  {'reference: DataLoader + torchvision':<40} {base:>9.0f} {1:>6.2f} {'':>8}", flush=True)
        for name, amp, cl, comp in variants:
            r = measure(depth, device, amp, cl, comp, args.steps, args.batch)
            print(f"{depth:>5}  {'resbench ' + name:<40} {r['images_per_second']:>9.0f} "
                  f"{r['images_per_second'] / base:>6.2f} {r['peak_mb']:>8.0f}", flush=True)
        for amp in ([None, fast_amp] if device.type == "cuda" else [None]) if args.fuse else []:
            r = measure_fused(depth, device, amp, args.fuse, args.steps, args.batch)
            name = f"resbench {args.fuse} seeds fused, {str(amp).replace('torch.', '') if amp else 'fp32'}"
            print(f"{depth:>5}  {name:<40} {r['images_per_second']:>9.0f} {r['images_per_second'] / base:>6.2f} "
                  f"{r['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
