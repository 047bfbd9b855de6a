"""Seconds per loss-surface grid point: resbench's in-place evaluation vs the per-point work of the
reference implementation (tomgoldstein/loss-landscape, plot_surface.py: a perturbed state dict loaded
into a fresh copy of the model, the images read through a DataLoader with per-image transforms,
batch 128), side by side in one process on the same points, interleaved.

    python benchmarks/landscape_speed.py --data cifar --depth 20 --points 16 --subset 1000
    python benchmarks/landscape_speed.py --data digits --depth 20 --points 25 --subset 1000

`cifar` is CIFAR-shaped (32x32x3 uint8 images through PIL, ToTensor and Normalize per image, as
torchvision's CIFAR10 gives them); `digits` is the embedded default. Prints seconds per point for
both and the ratio; both must give the same losses (asserted). A fourth row evaluates each grid row's
points as one fused model (`surface_rows(fuse=True)`, the GPU default): `--device cuda` runs resbench's
rows on the GPU, where fused against one point per pass is the ratio that matters.
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image
from torch.utils.data import DataLoader, Dataset, TensorDataset

from resbench.hub.profile import validate_config
from resbench.data import load_splits
from resbench.families.landscape.measure import fast_layout, filter_normalized_direction, surface_rows
from resbench.models import create_model
from resbench.train.device import eval_batch_size

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class ImageArray(Dataset):
    """torchvision's CIFAR10.__getitem__: a uint8 HWC array -> PIL image -> transform, per image."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def cifar_shaped(n: int) -> tuple[DataLoader, torch.Tensor, torch.Tensor, int]:
    """(reference loader, the same images as one normalized tensor, labels, channels)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n)
    transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    loader = DataLoader(ImageArray(images, labels, transform), batch_size=128, shuffle=False)
    x = torch.stack([transform(Image.fromarray(im)) for im in images])
    return loader, x, torch.as_tensor(labels), 3


@torch.no_grad()
def naive_point(model, center, d1, d2, alpha, beta, loader) -> float:
    """What the reference does per point: new weights into a copied model, DataLoader evaluation."""
    net = copy.deepcopy(model)
    state = copy.deepcopy(net.state_dict())
    for (name, _), c, a, b in zip(model.named_parameters(), center, d1, d2):
        state[name] = c + alpha * a + beta * b
    net.load_state_dict(state)
    net.eval()
    total, count = 0.0, 0
    for xb, yb in loader:
        total += F.cross_entropy(net(xb), yb, reduction="sum").item()
        count += len(yb)
    return total / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=("cifar", "digits"), default="cifar")
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--subset", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="where resbench's rows run (the reference stays on CPU)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.data == "cifar":
        loader, x, y, chans = cifar_shaped(args.subset)
    else:
        data = load_splits(validate_config({})["dataset"])
        x, y, chans = data.train_x[:args.subset], data.train_y[:args.subset], data.in_chans
        loader = DataLoader(TensorDataset(x, y), batch_size=128)
    torch.manual_seed(0)
    model = create_model("resnet", args.depth, in_chans=chans).eval()
    d1, d2 = (filter_normalized_direction(model, s) for s in (0, 1))
    center = [p.detach().clone() for p in model.parameters()]
    fast_model, fast_x = fast_layout(copy.deepcopy(model).to(args.device), x.to(args.device))  # what `resbench landscape` evaluates
    dev_dirs = [[t.to(args.device) for t in d] for d in (d1, d2)]
    y_dev = y.to(args.device)
    side = max(2, round(args.points ** 0.5))  # a side x side grid, evaluated row by row as a chunk does
    axis = np.linspace(-1, 1, side)
    names = ("reference (fresh model + load + DataLoader)", "resbench, BatchNorm unfolded",
             "resbench (in place, channels_last, folded)", "resbench, a grid row per pass (fused)")
    times = dict.fromkeys(names, 0.0)
    for i in range(side):  # interleaved row by row, so drift hits all alike
        t = time.perf_counter()
        naive = [naive_point(model, center, d1, d2, axis[i], beta, loader) for beta in axis]
        times[names[0]] += time.perf_counter() - t
        for name, fold, fuse in ((names[1], False, False), (names[2], True, False), (names[3], False, True)):
            t = time.perf_counter()
            ours = [r["loss"] for r in surface_rows(fast_model, fast_x, y_dev, dev_dirs, axis, axis, rows=[i], fold=fold,
                                                    fuse=fuse)]
            if args.device != "cpu":
                torch.cuda.synchronize()
            times[name] += time.perf_counter() - t
            assert np.allclose(naive, ours, rtol=1e-4, atol=1e-4), (naive, ours)
    args.points = side * side
    print(f"ResNet-{args.depth}, {args.data}-shaped, {args.points} grid points, {len(y)} images, "
          f"{args.threads} thread(s), evaluation batch {eval_batch_size(None, x.device)}")
    for name, seconds in times.items():
        print(f"  {name:<44} {seconds / args.points:7.3f} s per point")
    naive_s, unfolded_s, ours_s, fused_s = times.values()
    print(f"  speed-up over the reference: {naive_s / ours_s:.2f}x (folding alone: {unfolded_s / ours_s:.2f}x); "
          f"a row per pass vs a point per pass (unfolded): {unfolded_s / fused_s:.2f}x")

if __name__ == "__main__":
    main()
