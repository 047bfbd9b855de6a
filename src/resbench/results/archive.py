"""Archives of completed runs' small tables, keyed by commit and config hash, and the ways to name
one for `resbench compare`: an archive key, a git revision, a folder, or an exported bundle."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .io import read_json, write_json_atomic, write_table_atomic
from .provenance import provenance
from .tables import benchmark_seconds

# Small summary tables only: never checkpoints.
ARCHIVED = ("depth/runs.csv", "depth/epochs.csv", "depth/provenance.json", "variants/runs.csv", "lesion/lesion.csv",
            "landscape/curvature.csv", "signal/identity.json", "signal/appended.csv")
DEFAULT_ROOT = Path("archive")


def archive_key(commit: str, dirty: bool | None, config_hash: str) -> str:
    return f"{commit[:12]}{'-dirty' if dirty else ''}-{config_hash[:8]}"


def write_archive(results: Path, claims: Path, config: dict, key: str, root: Path = DEFAULT_ROOT) -> Path:
    """Copy the summary tables, claims, config and per-job times of `results` to root/key/; the
    manifest (written last) marks a complete archive."""
    folder = root / key
    folder.mkdir(parents=True, exist_ok=True)
    for rel in ARCHIVED:
        if (results / rel).exists():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(results / rel, folder / rel)
    shutil.copyfile(claims, folder / "claims.json")
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
            matches = [k for k in matches if k.endswith(prefer_hash[:8])] or matches
        if len(matches) >= 1:
            return root / sorted(matches, key=lambda k: read_json(root / k / "manifest.json")["created"])[-1]
        raise FileNotFoundError(f"revision {name!r} ({commit[:12]}) has no archived results under {root}/; check it "
                                f"out and run the suite (`snakemake --cores all`), or pass a folder or bundle")
    raise FileNotFoundError(f"{name!r} is not a folder, a .tar.gz bundle, an archive key or a git revision; "
                            f"archived keys: {', '.join(keys) or '(none)'}")
