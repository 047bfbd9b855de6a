"""torchvision's real dataset classes, read from a local root; a missing dataset is a clear error."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torchvision import datasets as tvd

from ..errors import DatasetMissingError
from .arrays import to_float_nchw

# name -> (torchvision class, folder under root, files that must exist, download page, classes)
DATASETS = {
    "cifar10": (tvd.CIFAR10, "cifar-10-batches-py",
                [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"],
                "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", 10),
    "cifar100": (tvd.CIFAR100, "cifar-100-python", ["train", "test", "meta"],
                 "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz", 100),
    "mnist": (tvd.MNIST, "MNIST/raw",
              ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
              "https://ossci-datasets.s3.amazonaws.com/mnist/", 10),
    "fashion_mnist": (tvd.FashionMNIST, "FashionMNIST/raw",
                      ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
                      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", 10),
}


def missing_files(name: str, root: str | Path) -> list[Path]:
    _, folder, expected, _, _ = DATASETS[name]
    base = Path(root) / folder
    return [base / f for f in expected if not (base / f).exists()]


def check_dataset(name: str, root: str | Path) -> None:
    """Raise DatasetMissingError, saying what goes where, unless all files of `name` are present."""
    missing = missing_files(name, root)
    if not missing:
        return
    _, folder, expected, url, _ = DATASETS[name]
    raise DatasetMissingError(
        f"dataset '{name}' not found: expected {', '.join(expected)} in {Path(root) / folder}/ "
        f"(missing: {', '.join(p.name for p in missing)}).\n"
        f"On a machine with internet run `resbench data {name} --root {root} --download` "
        f"(torchvision downloads and checks it), or fetch it from {url}, extract it under {root}/, "
        f"and copy the {root}/ folder to this machine."
    )


def _unverified(cls):
    """A subclass that skips the md5 checks, for fabricated test files in the real format."""
    class Unverified(cls):
        def _check_integrity(self) -> bool:
            return True

    if hasattr(cls, "meta"):
        Unverified.meta = {**cls.meta, "md5": None}
    return Unverified


def download_dataset(name: str, root: str | Path) -> None:
    """Fetch `name` with torchvision (which verifies checksums); offline, say what to do instead."""
    cls = DATASETS[name][0]
    try:
        cls(root, train=True, download=True)
        cls(root, train=False, download=True)
    except Exception as exc:  # network errors come in many types (URLError, HTTPError, timeouts)
        try:
            check_dataset(name, root)
        except DatasetMissingError as missing:
            raise DatasetMissingError(f"download failed ({type(exc).__name__}: {exc}).\n{missing}") from None
    check_dataset(name, root)


def open_dataset(name: str, root: str | Path, verify: bool = True):
    """torchvision's (train, test) datasets of `name` under `root`: the one check the data step and
    training share. Files must be present; with `verify` (the default, `dataset.verify`) they must
    also pass torchvision's md5 checks, else DatasetMissingError says what to do."""
    if name not in DATASETS:
        raise DatasetMissingError(f"unknown dataset '{name}'; allowed: digits, {', '.join(DATASETS)}")
    cls = DATASETS[name][0]
    check_dataset(name, root)
    cls = cls if verify else _unverified(cls)
    try:
        return cls(root, train=True), cls(root, train=False)
    except RuntimeError as exc:
        raise DatasetMissingError(
            f"dataset '{name}' under {root}/ failed torchvision's integrity check ({exc}): these are not the official "
            f"files. Re-download them (`resbench data {name} --root {root} --download`), or, for a deliberately "
            "different copy (re-packed, a subset), set dataset.verify: false in the profile (the report's "
            "Limitations will say so)") from None
    except Exception as exc:  # unpickling / format errors from a damaged file
        raise DatasetMissingError(f"dataset '{name}' under {root}/ could not be read ({type(exc).__name__}: "
                                  f"{str(exc)[:200]}); re-download it") from None


def read_vision_dataset(name: str, root: str | Path, verify: bool = True):
    """Return (train_x, train_y, test_x, test_y, num_classes), images as float NCHW in [0, 1].

    `verify=False` skips torchvision's md5 checks (`dataset.verify: false`, and tests that
    fabricate tiny files in the real format); real data keeps them.
    """
    train, test = open_dataset(name, root, verify)
    num_classes = DATASETS[name][4]

    def arrays(ds):
        data = ds.data.numpy() if isinstance(ds.data, torch.Tensor) else np.asarray(ds.data)
        return to_float_nchw(data, 255.0), np.asarray(ds.targets, dtype=np.int64)

    train_x, train_y = arrays(train)
    test_x, test_y = arrays(test)
    return train_x, train_y, test_x, test_y, num_classes
