# Shared planning: paths, the runs to train, generic input functions. Knows no experiment family by
# name: each family's rule file plans its own jobs and says whether it makes its declared tables
# (makes_tables; FAMILY_TABLES).
import hashlib
import json
import os
import shlex
import sys
from pathlib import Path

from resbench.config import config_subset, run_id
from resbench.families import REPORT_MODULES, family, table_paths
from resbench.hub.profile import grid_specs
from resbench.results.archive import archive_key
from resbench.results.io import SET_ASIDE_SUFFIXES
from resbench.results.verify import mark_for_rebuild

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
        _SRC / "calibration.py",
        *(_SRC / "families").glob("*.py"),
        *(_SRC / "families").glob("*/section.html.j2"),
        *(q for name in REPORT_MODULES for q in (_SRC / "families").glob(f"*/{name}.py")),
    ]
)
# Tables each family's rule file says this profile makes (family -> table keys), filled by the
# included rule files through makes_tables; the report reads every one of them.
FAMILY_TABLES = {}


def makes_tables(name, made=True, keys=None):
    """Family `name` makes its declared tables (FAMILY.tables) in this profile, or only `keys` of them
    (a part it does not run makes none), or none when not `made`."""
    declared = family(name).tables
    unknown = sorted(set(keys or ()) - set(declared))
    if unknown:
        raise ValueError(f"family {name} does not declare the tables {unknown} (FAMILY.tables: {sorted(declared)})")
    FAMILY_TABLES[name] = (list(declared) if keys is None else list(keys)) if made else []
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


RUN_FILES = ("summary.json", "metrics.csv", "provenance.json", "model.pt")  # every run folder's files
PLANNED = []  # files of planned jobs beyond run folders and family tables: each rule file adds its own
PLANNED_LATER = []  # functions giving files planned once a checkpoint has run (a later round's runs)
LOOK_TABLES = []  # functions: round -> {table key: per-run files} a sequential claim reads at that look
_LEFTOVERS_SAID = set()


def planned_files():
    """Every file the profile's planned jobs write: each run's folder (its probes too), every family table
    of the profile, what the rule files add (per-model lesion tables, landscape chunks and surfaces) and
    the final targets. A file of an earlier plan (another grid) is not among them."""
    files = [f for name in RUN_FILES for f in run_files(RUNS, name)]
    files += [f for probe in PROBES for f in run_files(GRID_RUNS, f"{probe}.csv")]
    files += [table(key) for keys in FAMILY_TABLES.values() for key in keys]
    files += [f for planned_later in PLANNED_LATER for f in planned_later()]
    return [*files, *PLANNED, *figure_dirs(), *get_final_targets()]


def figure_dirs(wildcards=None):
    """Each figure folder of the profile: one per family it runs (that family's figures job)."""
    return [f"{REPORTS}/figures/{name}" for name, keys in FAMILY_TABLES.items() if keys]


def figure_sources(wildcards):
    """What a family's figures are drawn by: the report kit and hub, and that family's own report side
    (an edit to one family's figures.py redraws that family only)."""
    others = [f"/families/{f}/" for f in FAMILY_TABLES if f != wildcards.family]
    return [p for p in REPORT_SOURCES if not p.endswith((".j2", ".css")) and not any(o in p for o in others)]


def get_missing_targets(wildcards):
    """Planned files that are missing, whatever removed them (a full disk, `rm`, a job that set a damaged
    one aside), asked for again by `all`. Snakemake does not rebuild a missing intermediate file while
    the outputs downstream of it are present and newer; asked for, the file's job reruns and every job
    that reads it follows as "updated input". A file set aside from an earlier plan (another grid) is
    not asked for: its folder is a leftover, said in one line."""
    planned = set(planned_files())
    for folder in (Path(RESULTS), Path(REPORTS)):
        for bad in folder.rglob("*") if folder.is_dir() else []:
            if bad.suffix not in SET_ASIDE_SUFFIXES:
                continue
            original = str(bad.with_name(bad.name[: -len(bad.suffix)]))
            if original not in planned and not Path(original).exists() and str(bad) not in _LEFTOVERS_SAID:
                _LEFTOVERS_SAID.add(str(bad))
                print(f"resbench: {bad} is left from an earlier plan (this profile makes no {original}); "
                      "not rebuilt, delete it when you no longer need it", file=sys.stderr)
    return sorted(p for p in planned if not os.path.exists(p))


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


def spec_of(run):
    """A run's spec: a planned run's, or a later round's (ROUND_SPECS, depth.smk)."""
    return RUNS[run] if run in RUNS else ROUND_SPECS[run]


def train_args(runs):
    """--spec/--out pairs: one process trains these runs in turn."""
    return " ".join(f"--spec {shlex.quote(json.dumps(spec_of(run), sort_keys=True))} --out {run_dir(run)}"
                    for run in runs)


# A family's training jobs by the wildcard that names them (e.g. "variant" -> {name: its runs}); the
# shared training rule (depth.smk's `train`) finds a job's runs here, or in the grid.
TRAIN_JOBS = {}


def job_runs(wildcards):
    """The runs one training job trains, whichever family's rule it is."""
    for key, jobs in TRAIN_JOBS.items():
        if hasattr(wildcards, key):
            return jobs[getattr(wildcards, key)]
    return grid_job_runs(wildcards)


def grid_job_runs(wildcards):
    """The grid runs one training job trains: one run, or every seed of an (arch, depth)."""
    if hasattr(wildcards, "run"):
        return [wildcards.run]
    return grid_seeds(wildcards.arch, wildcards.depth)


def grid_seeds(arch, depth):
    """The grid runs of every seed of one (arch, depth)."""
    return [run for run, s in GRID_RUNS.items() if s["arch"] == arch and s["depth"] == int(depth)]


def model_paths(runs):
    return run_files(runs, "model.pt")


def run_hash(run):
    """The config hash a consumer of this run's model.pt expects (a stale model is set aside)."""
    return spec_of(run)["config_hash"]


def get_dataset_marker(wildcards):
    """The data rule's marker for torchvision datasets; digits ships with scikit-learn."""
    if DATASET["name"] == "digits":
        return []
    return f"{DATA_MARKERS}/{DATASET['name']}.ready"


def train_runtime_min(runs):
    """A generous wall-time limit for the scheduler, scaled by depth, epochs and runs per job."""
    return sum(_runtime_min(spec_of(run)) for run in runs)


def _runtime_min(spec):
    per_epoch_s = 0.03 * spec["depth"] if DATASET["name"] == "digits" else 0.5 * spec["depth"]
    return max(10, int(3 * per_epoch_s * spec["train"]["epochs"] / 60))


def get_train_mem_mb(wildcards):
    return 2000 if DATASET["name"] == "digits" else 6000


def get_train_gpus(wildcards):
    return 1 if config["device"] == "cuda" else 0


# Seeds in rounds (depth.smk plans the rounds; a look is a checkpoint, so these read its output when called).
def read_look(r):
    """Round r's look (waits for its checkpoint)."""
    return json.loads(Path(checkpoints.look.get(round=r).output[0]).read_text())


def scheduled_rounds(through=None):
    """(the grid's runs of every round the looks scheduled, the round of the last look): through round
    `through`, or until a look stops every claim when None. Reading a look waits for its checkpoint."""
    runs, r = list(GRID_RUNS), 1
    while r < ROUNDS and (through is None or r < through):
        look = read_look(r)
        if not look["next_groups"]:
            break
        r += 1
        groups = {(a, int(d)) for a, d in look["next_groups"]}
        runs += [run for run, s in ROUND_RUNS[r].items() if (s["arch"], s["depth"]) in groups]
    return runs, r


def continued_runs(claim_id, runs):
    """Of later rounds' `runs`, those of a round that the look before it sent `claim_id` on to."""
    out = []
    for r, round_runs in ROUND_RUNS.items():
        chosen = [run for run in runs if run in round_runs]
        if chosen:
            sent_on = read_look(r - 1)["claims"].get(claim_id, {}).get("stop") == "next round"
            out += chosen if sent_on else []
    return out


def scheduled_grid_runs(through=None):
    return scheduled_rounds(through)[0]


def run_dir(run):
    """A run's folder (a run id, or a wildcard pattern for one): the one place its layout is written."""
    return f"{RESULTS}/runs/{run}"


def run_files(runs, name):
    """One file of each run's folder."""
    return [f"{run_dir(run)}/{name}" for run in runs]


# A training job's outputs and an aggregate's inputs by name (RUN_FILES in that order).
RUN_OUTPUT_NAMES = ("summaries", "metrics", "provenance", "models")


def run_outputs(run, seeds=None, probes=()):
    """Every file a training job writes: each run folder's files (RUN_FILES) and its probes. `run` is
    one run id or a pattern with wildcards; with `seeds`, its `{seed}` takes each (one job, its seeds)."""
    runs = [run.replace("{seed}", str(s)) for s in seeds] if seeds is not None else [run]
    out = {key: run_files(runs, name) for key, name in zip(RUN_OUTPUT_NAMES, RUN_FILES)}
    return out | ({"probes": [f for p in probes for f in run_files(runs, f"{p}.csv")]} if probes else {})


def run_inputs(runs):
    """An aggregate's inputs: each run's summary, metrics and provenance."""
    return {key: run_files(runs, name) for key, name in zip(RUN_OUTPUT_NAMES[:3], RUN_FILES)}


def later_round_files():
    """Every file of the later rounds' runs the looks scheduled (planned once the looks have run)."""
    later = [run for run in scheduled_grid_runs() if run not in GRID_RUNS]
    return [f for name in (*RUN_FILES, *(f"{p}.csv" for p in PROBES)) for f in run_files(later, name)]


def _round_job_runs(r):
    """A later round's training job: every seed of that round for one (arch, depth)."""
    return lambda wildcards: [
        run
        for run, s in ROUND_RUNS[r].items()
        if s["arch"] == wildcards.arch and s["depth"] == int(wildcards.depth)
    ]
