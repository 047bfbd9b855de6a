"""Atomic checkpoints: write to a temporary file beside the target, fsync, rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch


def save_atomic(obj: dict, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Load a checkpoint written by `save_atomic` (tensors and plain containers only)."""
    return torch.load(path, map_location=map_location, weights_only=True)
