"""Train/val/test splits as float tensors, normalized with training-set statistics only."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split

from ..data_sizes import split_count
from .arrays import to_float_nchw

SPLIT_SEED = 0  # fixed: every run of a profile sees the same split, whatever its training seed


@dataclass
class Splits:
    """Normalized NCHW float tensors and int64 labels for each split (val may be empty)."""

    name: str
    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    num_classes: int
    mean: list[float]
    std: list[float]

    @property
    def in_chans(self) -> int:
        return self.train_x.shape[1]

    @property
    def image_size(self) -> int:
        return self.train_x.shape[-1]

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train_y), "val": len(self.val_y), "test": len(self.test_y)}

    def to(self, device: torch.device | str) -> "Splits":
        for field in ("train_x", "train_y", "val_x", "val_y", "test_x", "test_y"):
            setattr(self, field, getattr(self, field).to(device))
        return self


def stratified_split(labels: np.ndarray, size: float, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices (keep, held_out) with `size` (fraction or count) held out, stratified by label."""
    index = np.arange(len(labels))
    count = split_count(size, len(labels))
    if count == 0:
        return index, index[:0]
    keep, held = train_test_split(index, test_size=count, stratify=labels, random_state=seed)
    return np.sort(keep), np.sort(held)


def build_splits(
    name: str,
    train_x: torch.Tensor,
    train_y: np.ndarray,
    test_x: torch.Tensor,
    test_y: np.ndarray,
    num_classes: int,
    val_size: float,
    image_size: int | None = None,
    limit_train: int | None = None,
) -> Splits:
    """Carve val from train (stratified, fixed seed), resize, normalize by train mean/std per channel."""
    train_y = np.asarray(train_y)
    if limit_train is not None and limit_train < len(train_y):
        _, keep = stratified_split(train_y, limit_train)
        train_x, train_y = train_x[keep], train_y[keep]
    fit, val = stratified_split(train_y, val_size)
    val_x, val_y = train_x[val], train_y[val]
    train_x, train_y = train_x[fit], train_y[fit]
    if image_size is not None and image_size != train_x.shape[-1]:
        resize = lambda x: F.interpolate(x, size=(image_size, image_size), mode="bilinear", align_corners=False)  # noqa: E731
        train_x, val_x, test_x = resize(train_x), resize(val_x), resize(test_x)
    mean = train_x.mean(dim=(0, 2, 3), keepdim=True)
    std = train_x.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    norm = lambda x: (x - mean) / std  # noqa: E731
    as_labels = lambda y: torch.as_tensor(np.asarray(y), dtype=torch.int64)  # noqa: E731
    return Splits(
        name=name,
        train_x=norm(train_x), train_y=as_labels(train_y),
        val_x=norm(val_x), val_y=as_labels(val_y),
        test_x=norm(test_x), test_y=as_labels(test_y),
        num_classes=num_classes,
        mean=mean.flatten().tolist(), std=std.flatten().tolist(),
    )


def load_digits_splits(val_size: float, test_size: float, image_size: int | None, limit_train: int | None) -> Splits:
    """scikit-learn's 8x8 digits (1797 images, 16 grey levels), shipped with the package."""
    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    images = images.reshape(-1, 8, 8)
    train, test = stratified_split(labels, test_size)
    x = to_float_nchw(images, 16.0)
    return build_splits("digits", x[train], labels[train], x[test], labels[test], 10,
                        val_size, image_size, limit_train)


def load_splits(dataset: dict, verify: bool | None = None) -> Splits:
    """Load the dataset described by the `dataset` config section (on the CPU); `verify` defaults
    to its `verify` key (torchvision's md5 checks)."""
    verify = dataset.get("verify", True) if verify is None else verify
    name = dataset["name"]
    if name == "digits":
        return load_digits_splits(dataset["val_size"], dataset["test_size"], dataset["image_size"], dataset["limit_train"])
    from .vision import read_vision_dataset

    train_x, train_y, test_x, test_y, num_classes = read_vision_dataset(name, dataset["root"], verify=verify)
    return build_splits(name, train_x, train_y, test_x, test_y, num_classes,
                        dataset["val_size"], dataset["image_size"], dataset["limit_train"])
