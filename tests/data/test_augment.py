import torch

from resbench.data import augment_batch, iterate_batches
from resbench.data.batches import epoch_generator


def test_crop_is_a_shifted_window_of_the_padded_image():
    x = torch.arange(2 * 1 * 6 * 6, dtype=torch.float32).reshape(2, 1, 6, 6) + 1
    out = augment_batch(x, torch.Generator().manual_seed(0), pad=2, flip=False)
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(2):
        windows = [padded[i, :, dy:dy + 6, dx:dx + 6] for dy in range(5) for dx in range(5)]
        assert any(torch.equal(out[i], w) for w in windows)


def test_flip_mirrors_about_half_of_a_large_batch():
    x = torch.randn(4000, 1, 4, 4)
    out = augment_batch(x, torch.Generator().manual_seed(1), pad=0, flip=True)
    flipped = (out == x.flip(3)).flatten(1).all(1) & ~(out == x).flatten(1).all(1)
    assert 0.45 < flipped.float().mean() < 0.55


def test_augmentation_is_reproducible_from_the_generator():
    x = torch.randn(8, 3, 8, 8)
    a = augment_batch(x, torch.Generator().manual_seed(3))
    b = augment_batch(x, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_batches_cover_every_example_once_per_epoch():
    x, y = torch.arange(10.0)[:, None], torch.arange(10)
    seen = torch.cat([yb for _, yb in iterate_batches(x, y, 4, epoch_generator(0, 0))])
    assert sorted(seen.tolist()) == list(range(10))
    order_epoch1 = torch.cat([yb for _, yb in iterate_batches(x, y, 4, epoch_generator(0, 1))])
    assert not torch.equal(seen, order_epoch1)


def test_a_trailing_batch_of_one_is_dropped_in_training_only():
    x, y = torch.zeros(9, 1), torch.arange(9)
    assert [len(b) for _, b in iterate_batches(x, y, 4, epoch_generator(0, 0))] == [4, 4]
    assert [len(b) for _, b in iterate_batches(x, y, 4)] == [4, 4, 1]
