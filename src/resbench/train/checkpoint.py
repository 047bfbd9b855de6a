"""Verified checkpoints: written atomically (temporary file, fsync, rename) with a sha256 of their
content inside, loaded with weights_only=True and checked against that sha256 before use.

A truncated, zeroed or garbled file, or one without resbench's checksum, raises CorruptFileError
with a one-line reason; `set_aside` moves such a file out of the way (to `<name>.corrupt`), so
a rerun recomputes it instead of tripping over it again.
"""
from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import torch

from ..errors import CorruptFileError
from ..results.io import remove_recorded, rename_recorded, set_aside, write_bytes_atomic

log = logging.getLogger("resbench.checkpoint")
DIGEST_KEY = "sha256"


def _feed(h, obj) -> None:
    """Canonical walk of a checkpoint (dicts sorted by key, tensors by dtype, shape and bytes)."""
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(obj, dict):
        h.update(b"{")
        for key in sorted(obj, key=repr):
            h.update(repr(key).encode())
            _feed(h, obj[key])
        h.update(b"}")
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for item in obj:
            _feed(h, item)
        h.update(b"]")
    else:
        h.update(f"{type(obj).__name__}:{obj!r}".encode())


def digest(obj) -> str:
    h = hashlib.sha256()
    _feed(h, obj)
    return h.hexdigest()


def save_atomic(obj: dict, path: str | Path, keep_previous: bool = False) -> None:
    """Write `obj` with its sha256; `keep_previous` first renames an existing file to
    `<name>.prev`, the fallback `load_latest` uses when the newest state is damaged."""
    path = Path(path)
    buffer = io.BytesIO()
    torch.save({**obj, DIGEST_KEY: digest(obj)}, buffer)
    if keep_previous and path.exists():
        rename_recorded(path, previous(path))
    write_bytes_atomic(buffer.getvalue(), path)


def previous(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".prev")


def load(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Load and verify a checkpoint written by `save_atomic`; CorruptFileError if it fails."""
    path = Path(path)
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # torch raises RuntimeError, UnpicklingError, EOFError, ... on damage
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise CorruptFileError(f"{path} is not a readable checkpoint ({type(exc).__name__}: {reason})") from None
    if not isinstance(state, dict) or DIGEST_KEY not in state:
        raise CorruptFileError(f"{path} carries no resbench checksum (not written by resbench, or by an older version)")
    expected = state.pop(DIGEST_KEY)
    if digest(state) != expected:
        raise CorruptFileError(f"{path} fails its sha256 check (its content was changed after it was written)")
    return state


def load_latest(path: str | Path, map_location: str | torch.device = "cpu") -> tuple[dict, Path] | tuple[None, None]:
    """The newest verified state among `path` and its `.prev`, and the file it came from; damaged ones
    are set aside with a one-line warning. (None, None) when neither is usable (start from scratch)."""
    for candidate in (Path(path), previous(path)):
        if not candidate.exists():
            continue
        try:
            return load(candidate, map_location), candidate
        except CorruptFileError as exc:
            moved = set_aside(candidate)
            log.warning("%s; set aside as %s", exc, moved.name)
    return None, None


def remove(path: str | Path) -> None:
    """Delete a checkpoint and its `.prev` (once the run's final outputs are written)."""
    for candidate in (Path(path), previous(path)):
        remove_recorded(candidate)
