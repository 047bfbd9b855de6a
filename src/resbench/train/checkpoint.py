"""Atomic checkpoints (temporary file, fsync, rename) loaded with weights_only=True."""
from __future__ import annotations

import io
from pathlib import Path

import torch

from ..results.io import write_bytes_atomic


def save_atomic(obj: dict, path: str | Path) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_bytes_atomic(buffer.getvalue(), path)


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Load a checkpoint written by `save_atomic` (tensors and plain containers only)."""
    return torch.load(path, map_location=map_location, weights_only=True)
