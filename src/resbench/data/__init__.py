"""Datasets as device-resident tensors: the embedded digits set and torchvision's image sets."""
from .splits import Splits, load_splits
from .augment import augment_batch
from .batches import iterate_batches

__all__ = ["Splits", "load_splits", "augment_batch", "iterate_batches"]
