"""Archives of completed runs' small tables, keyed by commit and config hash, and the ways to name
one for `resbench compare`: an archive key, a git revision, a folder, or an exported bundle."""
from __future__ import annotations

import datetime as dt
import subprocess
import tarfile
import tempfile
import logging
from pathlib import Path

from .io import (
    file_digest,
    ledger,
    read_json,
    verify_written,
    write_bytes_atomic,
    write_json_atomic,
    write_table_atomic,
)
from .provenance import git_info, provenance
from .tables import benchmark_seconds

log = logging.getLogger("resbench")


DEFAULT_ROOT = Path("archive")


# Keys that change how results look or are scheduled, never what they are. CPU threads and seed
# fusion change the numbers (float reductions in another order), so they are part of the key.
PRESENTATION_KEYS = ("report", "group_seeds")


def data_fingerprint(dataset: dict) -> dict:
    """Sizes of the files under a torchvision dataset's root (digits ships inside scikit-learn,
    whose version provenance records): a re-packed or subset copy gets another archive key."""
    if dataset["name"] == "digits":
        return {}
    root = Path(dataset["root"])
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".resbench" not in p.parts)[:10_000]
    return {str(p.relative_to(root)): p.stat().st_size for p in files}


def results_hash(config: dict) -> str:
    """Hash of everything that makes two result sets differ: the whole profile (name, seeds, grid,
    recipe, every family's section, data settings, threads and seed fusion) and the data files, not its
    title or how its seeds are grouped into jobs."""
    from ..config import stable_hash

    kept = {k: v for k, v in config.items() if k not in PRESENTATION_KEYS}
    return stable_hash({"config": kept, "data": data_fingerprint(config["dataset"])})


def archive_key(repo: str | Path | None, config: dict) -> str:
    """<commit>[-dirty<hash of the uncommitted diff>]-<results hash>: two different result sets, or
    runs of two different uncommitted trees, never share a folder."""
    git = git_info(repo)
    dirty = f"-dirty{git['git_diff_hash'][:8]}" if git["git_dirty"] else ""
    return f"{git['git_commit'][:12]}{dirty}-{results_hash(config)[:12]}"


def _copy_verified(source: Path, target: Path) -> None:
    """Copy a file into the archive after checking it as a job reading it would (`io.verify_written`): a
    damaged one is set aside (so the job that makes it runs again) and the archive job fails in one
    line naming it, never archiving it."""
    verify_written(source)
    write_bytes_atomic(source.read_bytes(), target)  # atomic, and in the archive folder's ledger


def _keep_other_results(folder: Path, incoming: list[tuple[Path, str]]) -> None:
    """An archive folder is never overwritten with other results: when one of the tables or the claims it
    holds differs from what would be copied (a nondeterministic rerun, a hand-edited table), or one it
    held is gone and the digest its ledger recorded differs from what would be copied, the folder is moved
    to `<key>.replaced-<its creation time>` first, with a warning. A file gone whose recorded digest equals
    the incoming one is written again (a repair: `resbench verify` set it aside, or it was removed). The
    guard reads the archived files and the ledger, not the manifest: Snakemake deletes the manifest (the
    archive rule's output) before it reruns the rule."""
    def differs(source: Path, rel: str) -> bool:
        held = folder / rel
        if held.exists():
            return held.read_bytes() != source.read_bytes()
        record = ledger(held.parent).get(held.name, {})
        return "sha256" in record and record["sha256"] != file_digest(source)

    held = [(folder / rel) for _, rel in incoming if (folder / rel).exists()]
    if not held:
        return  # a new folder
    changed = [rel for source, rel in incoming if differs(source, rel)]
    if not changed:
        return  # the same results again (with what was lost written back)
    manifest = folder / "manifest.json"
    created = (str(read_json(manifest, set_aside_bad=False).get("created", "unknown")) if manifest.exists() else
               dt.datetime.fromtimestamp(min(p.stat().st_mtime for p in held), dt.timezone.utc).isoformat())
    kept = folder.with_name(f"{folder.name}.replaced-{created.replace(':', '').replace('+', '_')}")
    folder.rename(kept)
    log.warning("archive %s held other results (%s differ); kept them as %s", folder, ", ".join(changed[:3]), kept)


def write_archive(results: Path, claims: Path, config: dict, key: str, tables: tuple[str, ...],
                  root: Path = DEFAULT_ROOT) -> Path:
    """Copy the summary `tables` (paths under `results`; the hub passes what families declare archived),
    claims, config and per-job times of `results` to root/key/, each verified first; the manifest
    (written last) marks a complete archive."""
    folder = root / key
    incoming = [(results / rel, rel) for rel in tables if (results / rel).exists()] + [(claims, "claims.json")]
    for source, _ in incoming:
        verify_written(source)  # a damaged file fails here, before anything in the archive moves
    _keep_other_results(folder, incoming)
    folder.mkdir(parents=True, exist_ok=True)
    for rel in tables:
        if (results / rel).exists():
            _copy_verified(results / rel, folder / rel)
    _copy_verified(claims, folder / "claims.json")
    write_json_atomic(config, folder / "config.json")
    write_table_atomic(benchmark_seconds(results / "benchmarks"), folder / "rule_times.csv")
    manifest = {"key": key, "profile": config["profile"], "created": dt.datetime.now(dt.timezone.utc).isoformat(),
                **provenance()}
    write_json_atomic(manifest, folder / "manifest.json")
    return folder


def export_bundle(folder: Path, out: Path) -> Path:
    """One tar.gz of an archive folder, to send to a colleague."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tarfile.open(tmp, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    tmp.replace(out)
    return out


def _git_commit(rev: str) -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def resolve(name: str, root: Path = DEFAULT_ROOT, prefer_hash: str | None = None) -> Path:
    """The folder a compare argument names: a folder, a .tar.gz bundle (unpacked to a temporary
    folder), an archive key, or a git revision with an archive (the one matching `prefer_hash`, the
    other side's config hash, when the commit was run with several configs)."""
    path = Path(name)
    if path.is_dir():
        return path
    if path.is_file() and name.endswith((".tar.gz", ".tgz")):
        target = Path(tempfile.mkdtemp(prefix="resbench-bundle-"))
        with tarfile.open(path) as tar:
            tar.extractall(target, filter="data")
        inner = [p for p in target.iterdir() if p.is_dir()]
        return inner[0] if len(inner) == 1 else target
    if (root / name / "manifest.json").exists():
        return root / name
    keys = sorted(p.name for p in root.glob("*") if (p / "manifest.json").exists()) if root.is_dir() else []
    commit = _git_commit(name)
    if commit:
        matches = [k for k in keys if read_json(root / k / "manifest.json").get("git_commit") == commit]
        if prefer_hash:
            matches = [k for k in matches if k.endswith(prefer_hash[:12])] or matches
        if len(matches) >= 1:
            return root / sorted(matches, key=lambda k: read_json(root / k / "manifest.json")["created"])[-1]
        raise FileNotFoundError(f"revision {name!r} ({commit[:12]}) has no archived results under {root}/; check it "
                                f"out and run the suite (`snakemake --cores all`), or pass a folder or bundle")
    raise FileNotFoundError(f"{name!r} is not a folder, a .tar.gz bundle, an archive key or a git revision; "
                            f"archived keys: {', '.join(keys) or '(none)'}")
