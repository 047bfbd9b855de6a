"""What the config check knows of each dataset before anything is loaded (torch-free): its training and
test image counts and classes, and how a split size (a fraction or a count) becomes a count, so a split
that scikit-learn's stratified splitter would refuse inside a job is refused up front, naming the key
(and a root that is a file, not a folder)."""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError

# name -> (training images, official test images or None where test_size carves them, classes)
SIZES = {"digits": (1797, None, 10), "cifar10": (50_000, 10_000, 10), "cifar100": (50_000, 10_000, 100),
         "mnist": (60_000, 10_000, 10), "fashion_mnist": (60_000, 10_000, 10)}


def split_count(size: float, n: int) -> int:
    """A split size given as a fraction (< 1) or an absolute count."""
    return int(round(size * n)) if size < 1 else int(size)


def _held_out(key: str, value, count: int, n: int, classes: int, name: str) -> None:
    if not classes <= count <= n - classes:
        raise ConfigError(f"config key '{key}' is {value}: that holds out {count} of the {n} {name} images, but a "
                          f"stratified split needs at least {classes} (one per class) on each side: give a count "
                          f"between {classes} and {n - classes}, or a fraction that makes one")


def check_root(dataset: dict) -> None:
    """A torchvision dataset's root must be a folder (or not exist yet: the data step says where to put
    the files); a file there would fail inside a job."""
    root = Path(dataset["root"])
    if dataset["name"] != "digits" and root.exists() and not root.is_dir():
        raise ConfigError(f"config key 'dataset.root' is {str(root)!r}, which is a file, not a folder: point it at the "
                          f"folder that holds (or will hold) the {dataset['name']} files")


def check_split_sizes(dataset: dict) -> None:
    """The test split (digits), the training subset (`limit_train`) and the validation split each leave
    at least one image per class on both sides, as build_splits will cut them."""
    name = dataset["name"]
    n, official_test, classes = SIZES[name]
    if official_test is None:
        test = split_count(dataset["test_size"], n)
        _held_out("dataset.test_size", dataset["test_size"], test, n, classes, name)
        n -= test
    limit = dataset["limit_train"]
    if limit is not None and limit < n:
        _held_out("dataset.limit_train", limit, limit, n, classes, name)
        n = limit
    val = split_count(dataset["val_size"], n)
    if val:
        _held_out("dataset.val_size", dataset["val_size"], val, n, classes, name)
