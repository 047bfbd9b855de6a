"""Write-once, atomic result files: a reader never sees half a table. Reading back verifies them:
a damaged table or JSON file raises CorruptFileError naming it, and is set aside so the job that
wrote it runs again."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CorruptFileError

log = logging.getLogger("resbench.results")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Each folder's ledger of what the suite wrote there: one JSON line per write (name, sha256, size) or
# removal, appended, the last line for a name counting. `resbench verify` checks files against it, so
# damage that keeps a file's size, format and mtime is found, and so is a file removed from outside.
LEDGER = ".digests"


def _append_ledger(folder: Path, record: dict) -> None:
    """One line appended in one write (O_APPEND): jobs writing into one folder at once do not mix lines."""
    fd = os.open(folder / LEDGER, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666 & ~_umask())
    try:
        os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode())
    finally:
        os.close(fd)


def ledger(folder: str | Path) -> dict[str, dict]:
    """name -> its last record in `folder`'s ledger (a removed file's record says so); a line cut by a
    crash is skipped. Empty where the folder has none."""
    try:
        lines = (Path(folder) / LEDGER).read_text(errors="replace").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    out = {}
    for line in lines:
        try:
            record = json.loads(line)
            out[record["name"]] = record
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return out


def file_digest(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_bytes_atomic(data: bytes, path: str | Path) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it (readers see old or new), and
    record its digest in the folder's ledger (first: a crash between the two leaves a ledger that
    disagrees with the file, which `resbench verify` sets aside to be made again, never the reverse)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; results are meant to be shared
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _append_ledger(path.parent, {"name": path.name, "sha256": hashlib.sha256(data).hexdigest(),
                                     "size": len(data)})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def rename_recorded(path: str | Path, target: str | Path) -> None:
    """Rename a file the suite wrote within its folder, its ledger record following it."""
    path, target = Path(path), Path(target)
    record = ledger(path.parent).get(path.name)
    os.replace(path, target)
    if record is not None and "sha256" in record:
        _append_ledger(target.parent, {**record, "name": target.name})
        _append_ledger(path.parent, {"name": path.name, "removed": True})


def remove_recorded(path: str | Path) -> None:
    """Delete a file the suite wrote and no longer needs (a finished run's resume state), saying so in
    its folder's ledger: `resbench verify` then does not report it missing."""
    path = Path(path)
    if path.exists():
        path.unlink()
        _append_ledger(path.parent, {"name": path.name, "removed": True})


def write_text_atomic(text: str, path: str | Path) -> None:
    write_bytes_atomic(text.encode(), path)


def _clean(obj: Any) -> Any:
    """JSON has no NaN: write non-finite floats as null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def write_json_atomic(obj: Any, path: str | Path) -> None:
    write_text_atomic(json.dumps(_clean(obj), indent=2, sort_keys=False, default=str) + "\n", path)


# What `set_aside` appends: a damaged file, and a checkpoint trained for another config. The workflow's
# `all` rule asks again for files set aside under either (workflow/rules/common.smk).
CORRUPT, STALE = ".corrupt", ".stale"
SET_ASIDE_SUFFIXES = (CORRUPT, STALE)


def set_aside(path: str | Path, suffix: str = CORRUPT) -> Path:
    """Move a bad file out of the way (kept for inspection), so the workflow recomputes it."""
    path = Path(path)
    target = path.with_name(path.name + suffix)
    try:
        os.replace(path, target)
    except FileNotFoundError:  # another job that read the same damaged file set it aside first
        pass
    return target


class _Damaged(Exception):
    pass


def _verified(path: Path, parse, set_aside_bad: bool):
    """parse(text) for a UTF-8 file; on damage CorruptFileError, the file set aside unless told not to
    (an archive or a colleague's bundle is never touched)."""
    try:
        data = path.read_bytes()
        if not data:
            raise _Damaged("zero bytes")
        try:
            text = data.decode()
        except UnicodeDecodeError as exc:
            raise _Damaged(f"not UTF-8 text at byte {exc.start}") from None
        return parse(text)
    except _Damaged as exc:
        if not set_aside_bad:
            raise CorruptFileError(f"{path} is damaged ({exc})") from None
        moved = set_aside(path)
        raise CorruptFileError(f"{path} is damaged ({exc}); moved to {moved.name}, rerun the workflow to "
                               "recompute it") from None


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Damaged(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None


def _parse_csv(text: str, sep: str) -> pd.DataFrame:
    if not text.endswith("\n"):
        raise _Damaged("no final newline, as in a cut-off file")
    if text == "\n":
        return pd.DataFrame()
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
        bad = next((k for k, row in enumerate(rows[1:], start=2) if len(row) != len(rows[0])), None)
        if bad is not None:
            raise _Damaged(f"line {bad} has {len(rows[bad - 1])} fields, the header {len(rows[0])}")
        return pd.read_csv(io.StringIO(text), sep=sep)
    except (csv.Error, pd.errors.ParserError) as exc:
        raise _Damaged(f"not a CSV table: {str(exc).splitlines()[0]}") from None


def read_json(path: str | Path, set_aside_bad: bool = True) -> Any:
    """A JSON file written by `write_json_atomic`, parsed strictly."""
    return _verified(Path(path), _parse_json, set_aside_bad)


def read_if_present(path: str | Path, set_aside_bad: bool = True) -> pd.DataFrame | Any | None:
    """A table (CSV) or record (JSON, by its suffix) written by this package, verified, or None where
    the file is absent or empty."""
    path = Path(path)
    if not path.exists() or path.stat().st_size <= 1:
        return None
    return read_json(path, set_aside_bad) if path.suffix == ".json" else read_table(path, set_aside_bad=set_aside_bad)


def verify_written(path: str | Path) -> None:
    """Check a table (CSV) or record (JSON) this package wrote, as a job reading it would: CorruptFileError
    and the file set aside when damaged. An empty table as the package writes it ("\n") passes; a
    zero-byte file does not (no write of ours leaves one)."""
    path = Path(path)
    if path.suffix == ".json":
        read_json(path)
    elif path.read_bytes() != b"\n":
        read_table(path)


def read_table(path: str | Path, sep: str = ",", set_aside_bad: bool = True) -> pd.DataFrame:
    """A CSV table written by `write_table_atomic`, verified before use: UTF-8, ends with a newline
    (a cut-off write does not), and every row has the header's number of fields. A file cut exactly
    at the end of a row still reads as a shorter table: writes are atomic, so only damage from
    outside the suite (a disk, a copy) can do that."""
    return _verified(Path(path), lambda text: _parse_csv(text, sep), set_aside_bad)


def write_table_atomic(frame: pd.DataFrame, path: str | Path) -> None:
    """CSV (portable, diffable); NaN is written as an empty field."""
    write_text_atomic(frame.to_csv(index=False), path)
