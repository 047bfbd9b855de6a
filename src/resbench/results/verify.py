"""Re-check result folders without waiting for a job to read them. Every file the suite wrote is read
back: by its format (a table parses with its header's width in every row, JSON parses, a checkpoint's
sha256 matches its content) and by content (its digest equals the one its folder's ledger recorded when
it was written: reports, figures and landscape directions included). A file the ledger lists that is gone
is reported missing. What fails is set aside as `<name>.corrupt` and the next `snakemake` run makes it
again with everything downstream; where the file belongs to a bigger output — a folder Snakemake made as
one (a family's figures) or an archive entry — that output is set aside too, so its job runs again."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorruptFileError
from .io import CORRUPT, LEDGER, SET_ASIDE_SUFFIXES, STALE, file_digest, ledger, set_aside, verify_written

CHECKPOINTS = ("model.pt", "resume.pt", "resume.pt.prev")  # written by train.checkpoint.save_atomic
FOLDER_OUTPUT = ".snakemake_timestamp"  # what Snakemake leaves in a directory() output
ENTRY = "manifest.json"  # an archive entry's last file: the archive rule's declared output


@dataclass
class Verification:
    checked: int = 0
    damaged: list[tuple[Path, str]] = field(default_factory=list)  # (file set aside, why)
    missing: list[Path] = field(default_factory=list)  # written once, gone now
    outputs: list[Path] = field(default_factory=list)  # bigger outputs set aside so their job reruns


def _reader(path: Path, load_checkpoint: Callable[[Path], object]) -> Callable[[Path], object] | None:
    """How to check a file's format, or None for files with no format check (figures, reports, logs,
    landscape directions: their digest covers them)."""
    if path.suffix in (".csv", ".json"):
        return verify_written
    if path.name in CHECKPOINTS:
        return load_checkpoint
    return None


def _ours(path: Path) -> bool:
    """A file of results, not a ledger, a temporary file, Snakemake's marker or one already set aside."""
    return not path.name.startswith(".") and path.suffix not in SET_ASIDE_SUFFIXES and ".replaced-" not in str(path)


def _check(path: Path, record: dict | None, load_checkpoint) -> str | None:
    """Why `path` is damaged, or None."""
    read = _reader(path, load_checkpoint)
    try:
        if read is not None:
            read(path)
    except CorruptFileError as exc:
        return str(exc)
    if record is not None and "sha256" in record and file_digest(path) != record["sha256"]:
        return f"{path} differs from what was written there (sha256 recorded in {path.parent / LEDGER})"
    return None


def _folders(root: Path) -> list[Path]:
    """`root` and every folder of results below it (none when `root` is not a folder)."""
    return [root, *sorted(p for p in root.rglob("*") if p.is_dir() and _ours(p))] if root.is_dir() else []


def _gone(path: Path, record: dict) -> bool:
    """Written (its ledger has a digest), not there, and not set aside (that one is known already)."""
    return ("sha256" in record and not path.exists()
            and not any(path.with_name(path.name + s).exists() for s in SET_ASIDE_SUFFIXES))


def _containing_output(path: Path, root: Path) -> Path | None:
    """The bigger output `path` belongs to: the nearest folder below `root` (or root itself) that
    Snakemake made as one, or the manifest of the archive entry it is in."""
    for folder in [p for p in path.parents if p == root or root in p.parents]:
        if (folder / FOLDER_OUTPUT).exists():
            return folder
        if (folder / ENTRY).exists() and path != folder / ENTRY:
            return folder / ENTRY
    return None


def _set_aside_output(output: Path) -> None:
    """A figures folder becomes `<folder>.corrupt` (an older one of that name goes); an archive entry's
    manifest becomes `manifest.json.stale`: either way the job that made it runs again."""
    if output.is_dir():
        old = output.with_name(output.name + CORRUPT)
        if old.exists():
            shutil.rmtree(old)
        output.rename(old)
    elif output.exists():
        set_aside(output, STALE)


def verify_tree(root: Path, load_checkpoint: Callable[[Path], object]) -> Verification:
    """Check every file below `root` (format and recorded digest) and every file its ledgers list;
    `load_checkpoint` reads a checkpoint and raises CorruptFileError on a bad digest
    (train.checkpoint.load: passed in, since the training package writes through this one)."""
    root, result = Path(root), Verification()
    for folder in _folders(root):
        records = ledger(folder)
        for path in sorted(p for p in folder.iterdir() if p.is_file() and _ours(p)):
            if _reader(path, load_checkpoint) is None and path.name not in records:
                continue  # neither a format nor a digest to check it by (a log, a benchmark's tsv)
            result.checked += 1
            why = _check(path, records.get(path.name), load_checkpoint)
            if why is not None:
                set_aside(path)  # a table's reader has moved it already (then a no-op)
                result.damaged.append((path, why))
        result.missing += [folder / name for name, record in records.items() if _gone(folder / name, record)]
    for path in [p for p, _ in result.damaged] + result.missing:
        output = _containing_output(path, root)
        if output is not None and output not in result.outputs and output.exists():
            _set_aside_output(output)
            result.outputs.append(output)
    return result


def lost_members(output: Path) -> list[Path]:
    """Files of a bigger output (a figures folder, an archive entry's folder) that its ledgers say were
    written and that are gone: a cheap existence check, no digest read."""
    return [folder / name for folder in _folders(Path(output))
            for name, record in ledger(folder).items() if _gone(folder / name, record)]


def mark_for_rebuild(output: Path) -> list[Path]:
    """Where a figures folder or an archive entry lost a file (removed from outside: Snakemake only sees the
    folder, or the manifest it declared), set the output aside so its job runs again; the lost files."""
    output = Path(output)
    lost = lost_members(output)
    if lost and (output / FOLDER_OUTPUT).exists():
        _set_aside_output(output)
    elif lost and (output / ENTRY).exists():
        _set_aside_output(output / ENTRY)
    return lost  # (a lost manifest needs nothing: it is the archive rule's output, asked for again)
