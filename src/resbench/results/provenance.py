"""What produced a result: code version, packages, hardware."""
from __future__ import annotations

import functools
import hashlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("resbench", "torch", "torchvision", "timm", "numpy", "pandas", "scikit-learn", "snakemake")


@functools.cache
def git_info(repo: str | Path | None = None) -> dict:
    """Commit and dirty flag of the repository holding the resbench sources ("unknown" outside git)."""
    repo = Path(repo or Path(__file__).resolve().parents[3])

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
        diff = git("diff", "HEAD", "--no-color", "--no-ext-diff") if dirty else ""
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": "unknown", "git_dirty": None, "git_diff_hash": ""}
    return {"git_commit": commit, "git_dirty": dirty,
            "git_diff_hash": hashlib.sha256(diff.encode()).hexdigest()[:12] if dirty else ""}


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _cpuinfo(field: str) -> str | None:
    """The first `field : value` line of /proc/cpuinfo (Linux), or None."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_model() -> str:
    return _cpuinfo("model name") or platform.processor() or platform.machine()


SPEED_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")  # what CPU timings depend on


def cpu_features() -> list[str]:
    """The vector-unit flags among SPEED_FLAGS this CPU reports (Linux); [] where unknown. Timings
    from a CPU with native bf16 (avx512_bf16, amx_bf16) and one without are not comparable."""
    flags = set((_cpuinfo("flags") or "").split())
    return [f for f in SPEED_FLAGS if f in flags]


def hardware() -> dict:
    info = {"platform": platform.platform(), "cpu": cpu_model(), "cpu_count": os.cpu_count(),
            "cpu_features": cpu_features()}
    try:
        import torch

        info["cuda"] = torch.version.cuda if torch.cuda.is_available() else None
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    return info


def provenance() -> dict:
    """Code version, packages, hardware, and the scheduler job this process ran in (if any)."""
    return {**git_info(), "versions": package_versions(), "hardware": hardware(),
            "slurm_job_id": os.environ.get("SLURM_JOB_ID")}
