"""Re-check a results tree without waiting for a job to read it: every table, JSON record and training
checkpoint the suite wrote is read back and verified (a table parses with its header's width in every
row, JSON parses, a checkpoint's sha256 matches its content). What fails is set aside as
`<name>.corrupt`, so the next `snakemake` run makes it again with everything downstream (the `all`
rule asks for set-aside files): bit rot that kept an old mtime is found here, not by a later job."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import CorruptFileError
from .io import set_aside, verify_written

CHECKPOINTS = ("model.pt", "resume.pt", "resume.pt.prev")  # written by train.checkpoint.save_atomic


def _reader(path: Path, load_checkpoint: Callable[[Path], object]) -> Callable[[Path], object] | None:
    """How to verify a file the suite writes, or None for files it does not check (benchmarks, logs,
    landscape directions, files already set aside)."""
    if path.suffix in (".csv", ".json"):
        return verify_written
    if path.name in CHECKPOINTS:
        return load_checkpoint
    return None


def verify_tree(root: Path, load_checkpoint: Callable[[Path], object]) -> tuple[int, list[tuple[Path, str]]]:
    """(files checked, [(file set aside, why)]) over every file below `root`. `load_checkpoint` reads a
    checkpoint and raises CorruptFileError on a bad digest (train.checkpoint.load: passed in, since the
    training package writes through this one)."""
    checked, bad = 0, []
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        read = _reader(path, load_checkpoint)
        if read is None:
            continue
        checked += 1
        try:
            read(path)
        except CorruptFileError as exc:
            set_aside(path)  # a checkpoint's reader does not move it; a table's already has (then a no-op)
            bad.append((path, str(exc)))
    return checked, bad
