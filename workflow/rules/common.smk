# Shared planning: paths, the runs to train, generic input functions. Knows no experiment family by
# name: each family's rule file plans its own jobs and says which tables it makes (FAMILY_TABLES).
import hashlib
import json
import shlex
from pathlib import Path

from resbench.config import config_subset, run_id
from resbench.families import REPORT_MODULES, table_paths
from resbench.hub.profile import grid_specs
from resbench.results.archive import archive_key
from resbench.results.io import SET_ASIDE_SUFFIXES

PROFILE = config["profile"]
RESULTS = f"results/{PROFILE}"
REPORTS = f"reports/{PROFILE}"
LOGS = f"logs/{PROFILE}"
GRID_RUNS = {spec["run_id"]: spec for spec in grid_specs(config)}
# Every training run by id: the grid's, and those a family's rule file adds (e.g. the variants).
RUNS = dict(GRID_RUNS)
DATASET = config["dataset"]

# The data rule's marker lives under .resbench/ keyed by a hash of dataset.root: free text from the
# config never becomes part of an output pattern (its braces would be wildcards).
DATA_MARKERS = f".resbench/datasets/{hashlib.sha1(str(DATASET['root']).encode()).hexdigest()[:12]}"


# Where this run's summary tables are archived for `resbench compare`: commit (+ a hash of the
# uncommitted changes) and a hash of everything that makes two result sets differ.
ARCHIVE_KEY = archive_key(workflow.basedir, config)
# The report reruns when its code changes: the renderer (the hub), the report kit, the verdict statistics, and every family's
# report side (declaration, claims, figures, section template).
_SRC = Path(workflow.basedir, "src/resbench")
REPORT_SOURCES = sorted(
    str(p)
    for p in [
        *(q for q in (_SRC / "report").rglob("*") if q.suffix in {".py", ".j2", ".css"}),
        *(_SRC / "hub").glob("*.py"),
        _SRC / "stats.py",
        *(_SRC / "families").glob("*.py"),
        *(_SRC / "families").glob("*/section.html.j2"),
        *(q for name in REPORT_MODULES for q in (_SRC / "families").glob(f"*/{name}.py")),
    ]
)
# Tables each family's rule file says this profile makes (family -> table keys), filled by the
# included rule files; the report reads every one of them.
FAMILY_TABLES = {}
# `--fuse` only where the profile overrides `fuse_seeds: auto` (the CLI's default), so the training
# rules' commands, and with them Snakemake's rerun triggers, stay as they were.
FUSE_FLAG = "" if config["fuse_seeds"] == "auto" else f" --fuse {config['fuse_seeds']}"
# The grid's architectures as a wildcard pattern (longest first: resnet_sd before resnet).
ARCH_PATTERN = "|".join(sorted(config["model"]["archs"], key=len, reverse=True))


wildcard_constraints:
    run=rf"({ARCH_PATTERN})\d+_s\d+",
    variant=r"[a-z0-9_]+",
    seed=r"\d+",
    chunk=r"\d+",
    arch=ARCH_PATTERN,
    depth=r"\d+",


def get_final_targets():
    return [f"{REPORTS}/report.html", f"{REPORTS}/report.pdf", f"{REPORTS}/claims.json", f"archive/{ARCHIVE_KEY}/manifest.json"]


def get_set_aside_targets(wildcards):
    """Files a job set aside that are still missing and that a rule makes, asked for again by `all`.
    Snakemake does not rebuild a missing intermediate file while the outputs downstream of it are
    present and newer; asked for, the file's job reruns and every job that reads it follows as
    "updated input" (the resume checkpoints a job reads itself are made by no rule: left out)."""
    makers = [r for r in workflow.rules if r.name != "all"]
    wanted = set()
    for folder in (Path(RESULTS), Path(REPORTS)):
        for bad in folder.rglob("*") if folder.is_dir() else []:
            if bad.suffix in SET_ASIDE_SUFFIXES:
                original = bad.with_name(bad.name[: -len(bad.suffix)])
                if not original.exists() and any(r.is_producer(str(original)) for r in makers):
                    wanted.add(str(original))
    return sorted(wanted)


TABLES = table_paths()  # key -> path under RESULTS, as each family declares it (FAMILY.tables)


def table(key):
    """Where a family's declared table lives: the rule that makes it names it by its key, so the path
    is written once, in the family's declaration."""
    return f"{RESULTS}/{TABLES[key]}"


def get_family_tables(wildcards):
    """Every table the profile's families make, by key (the report rule's inputs)."""
    return {key: table(key) for keys in FAMILY_TABLES.values() for key in keys}


def config_json(*keys):
    """A function giving the validated config, or only `keys` of it (dotted for part of a block:
    "model.depths"), as JSON, for verbs that take it: a job depends on what it reads, not on the whole
    profile. A function, not a string: Snakemake would read braces in a string param (a report title
    "Depths {8, 20}") as wildcards."""
    part = config_subset(config, keys)
    return lambda wildcards: json.dumps(part, sort_keys=True)


def train_args(runs):
    """--spec/--out pairs: one process trains these runs in turn."""
    return " ".join(f"--spec {shlex.quote(json.dumps(RUNS[run], sort_keys=True))} --out {RESULTS}/runs/{run}" for run in runs)


def grid_job_runs(wildcards):
    """The grid runs one training job trains: one run, or every seed of an (arch, depth)."""
    if hasattr(wildcards, "run"):
        return [wildcards.run]
    return grid_seeds(wildcards.arch, wildcards.depth)


def grid_seeds(arch, depth):
    """The grid runs of every seed of one (arch, depth)."""
    return [run for run, s in GRID_RUNS.items() if s["arch"] == arch and s["depth"] == int(depth)]


def model_paths(runs):
    return [f"{RESULTS}/runs/{run}/model.pt" for run in runs]


def run_hash(run):
    """The config hash a consumer of this run's model.pt expects (a stale model is set aside)."""
    return RUNS[run]["config_hash"]


def get_dataset_marker(wildcards):
    """The data rule's marker for torchvision datasets; digits ships with scikit-learn."""
    if DATASET["name"] == "digits":
        return []
    return f"{DATA_MARKERS}/{DATASET['name']}.ready"


def train_runtime_min(runs):
    """A generous wall-time limit for the scheduler, scaled by depth, epochs and runs per job."""
    return sum(_runtime_min(RUNS[run]) for run in runs)


def _runtime_min(spec):
    per_epoch_s = 0.03 * spec["depth"] if DATASET["name"] == "digits" else 0.5 * spec["depth"]
    return max(10, int(3 * per_epoch_s * spec["train"]["epochs"] / 60))


def get_train_mem_mb(wildcards):
    return 2000 if DATASET["name"] == "digits" else 6000


def get_train_gpus(wildcards):
    return 1 if config["device"] == "cuda" else 0
