import numpy as np
import torch

from resbench.data import load_splits
from resbench.data.splits import stratified_split
from resbench.hub.profile import validate_config


def digits(**overrides):
    return load_splits(validate_config({"dataset": overrides})["dataset"])


def test_digits_split_is_fixed_disjoint_and_complete():
    a, b = digits(), digits()
    assert a.sizes() == {"train": 1294, "val": 144, "test": 359}
    assert sum(a.sizes().values()) == 1797
    for split in ("train_x", "val_x", "test_x"):
        assert torch.equal(getattr(a, split), getattr(b, split))
    rows = lambda x: {tuple(r.tolist()) for r in x.flatten(1)}  # noqa: E731
    assert not rows(a.train_x) & rows(a.test_x)
    assert a.in_chans == 1 and a.image_size == 8 and a.num_classes == 10


def test_split_is_stratified():
    s = digits()
    for y in (s.train_y, s.val_y, s.test_y):
        counts = torch.bincount(y, minlength=10).float()
        assert counts.min() / counts.max() > 0.85


def test_normalization_uses_training_statistics_only():
    s = digits()
    assert abs(s.train_x.mean().item()) < 1e-5 and abs(s.train_x.std().item() - 1) < 1e-3
    assert abs(s.test_x.mean().item()) > 1e-4  # test is normalized with train's numbers, not its own


def test_image_size_and_limit_train():
    s = digits(image_size=16, limit_train=300)
    assert s.image_size == 16 and s.test_x.shape[-1] == 16
    assert s.sizes()["train"] + s.sizes()["val"] == 300


def test_stratified_split_accepts_counts_and_fractions():
    labels = np.repeat(np.arange(5), 20)
    keep, held = stratified_split(labels, 10)
    assert len(held) == 10 and len(keep) == 90 and not set(keep) & set(held)
    keep, held = stratified_split(labels, 0.2)
    assert len(held) == 20
    keep, held = stratified_split(labels, 0)
    assert len(held) == 0 and len(keep) == 100
