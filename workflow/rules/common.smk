import json
import shlex
from pathlib import Path

from resbench.config import config_hash, run_specs, variant_specs
from resbench.results.archive import archive_key

PROFILE = config["profile"]
RESULTS = f"results/{PROFILE}"
REPORTS = f"reports/{PROFILE}"
LOGS = f"logs/{PROFILE}"
GRID_RUNS = {spec["run_id"]: spec for spec in run_specs(config)}
VARIANT_RUNS = {spec["run_id"]: spec for spec in variant_specs(config)}
RUNS = {**GRID_RUNS, **VARIANT_RUNS}
DATASET = config["dataset"]
# Consumers of a model.pt refuse one trained with another config (and set it aside to be retrained).
CONFIG_HASH = config_hash(config)
# Where this run's summary tables are archived for `resbench compare`: commit (+ a hash of the
# uncommitted changes) and a hash of everything that makes two result sets differ.
ARCHIVE_KEY = archive_key(workflow.basedir, config)
# The report reruns when its code changes: templates, figures, claims and the verdict statistics.
REPORT_SOURCES = sorted(
    [str(p) for p in Path(workflow.basedir, "src/resbench/report").rglob("*") if p.suffix in {".py", ".j2", ".css"}]
    + [str(Path(workflow.basedir, "src/resbench/stats.py"))]
)


# (arch, depth) pairs that were trained, e.g. "resnet56"; the lesion family runs one job per pair.
LESION_MODELS = sorted({f"{s['arch']}{s['depth']}" for s in GRID_RUNS.values()}) if config["lesion"]["enabled"] else []


# Trained models whose loss surface is mapped, e.g. "resnet56_s0" (plain and residual only).
_LANDSCAPE = config["landscape"]
LANDSCAPE_MODELS = (
    sorted(
        f"{s['arch']}{s['depth']}_s{s['seed']}"
        for s in GRID_RUNS.values()
        if s["arch"] in ("plain", "resnet")
        and s["seed"] in _LANDSCAPE["seeds"]
        and (_LANDSCAPE["depths"] is None or s["depth"] in _LANDSCAPE["depths"])
    )
    if _LANDSCAPE["enabled"]
    else []
)


# Signal family: the shallowest trained plain net (first seed) is extended with identity blocks, and
# every seed's is appended to; the deeper plain nets are the trained-from-scratch comparison; the
# deepest plain and ResNet give weight spectra.
_SIGNAL_SEED = config["seeds"][0]
_PLAIN_DEPTHS = sorted(config["model"]["depths"]) if "plain" in config["model"]["archs"] else []
SIGNAL = config["signal"]["enabled"]
SIGNAL_CONSTRUCT = SIGNAL and len(_PLAIN_DEPTHS) >= 2
SIGNAL_SHALLOW = (
    [f"{RESULTS}/runs/plain{_PLAIN_DEPTHS[0]}_s{seed}/model.pt" for seed in config["seeds"]] if SIGNAL_CONSTRUCT else []
)
SIGNAL_DEEP = [f"{RESULTS}/runs/plain{d}_s{_SIGNAL_SEED}/model.pt" for d in _PLAIN_DEPTHS[1:]]
SIGNAL_SPECTRA = [
    f"{RESULTS}/runs/{arch}{max(config['model']['depths'])}_s{_SIGNAL_SEED}/model.pt"
    for arch in ("plain", "resnet")
    if arch in config["model"]["archs"]
]


wildcard_constraints:
    run=r"(plain|resnet|resnet_sd)\d+_s\d+",
    variant=r"[a-z0-9_]+",
    seed=r"\d+",
    chunk=r"\d+",
    arch=r"plain|resnet|resnet_sd",
    depth=r"\d+",


def get_final_targets():
    return [f"{REPORTS}/report.html", f"{REPORTS}/report.pdf", f"{REPORTS}/claims.json", f"archive/{ARCHIVE_KEY}/manifest.json"]


def get_family_tables(wildcards):
    """Aggregated tables of the optional experiment families this profile runs (report inputs)."""
    tables = {}
    if LESION_MODELS:
        tables["lesion"] = f"{RESULTS}/lesion/lesion.csv"
        tables["lesion_paths"] = f"{RESULTS}/lesion/paths.csv"
    if LANDSCAPE_MODELS:
        tables["landscape"] = f"{RESULTS}/landscape/surfaces.csv"
        tables["landscape_curvature"] = f"{RESULTS}/landscape/curvature.csv"
        tables["landscape_interpolation"] = f"{RESULTS}/landscape/interpolation.csv"
        tables["landscape_ratio_map"] = f"{RESULTS}/landscape/ratio_map.csv"
    if SIGNAL:
        tables["signal_layers"] = f"{RESULTS}/signal/layers.csv"
        tables["signal_mlp"] = f"{RESULTS}/signal/mlp_epochs.csv"
        tables["signal_speeds"] = f"{RESULTS}/signal/mlp_speeds.csv"
        tables["signal_rank"] = f"{RESULTS}/signal/rank.csv"
    if SIGNAL_CONSTRUCT:
        tables["signal_identity"] = f"{RESULTS}/signal/identity.json"
        tables["signal_appended"] = f"{RESULTS}/signal/appended.csv"
        tables["signal_spectra"] = f"{RESULTS}/signal/spectra.csv"
    if VARIANT_RUNS:
        tables["variant_runs"] = f"{RESULTS}/variants/runs.csv"
        tables["variant_epochs"] = f"{RESULTS}/variants/epochs.csv"
    return tables


def get_lesion_models(wildcards):
    """Trained model.pt of every seed of one (arch, depth)."""
    return [
        f"{RESULTS}/runs/{run}/model.pt"
        for run, spec in GRID_RUNS.items()
        if spec["arch"] == wildcards.arch and spec["depth"] == int(wildcards.depth)
    ]


def get_run_summaries(wildcards):
    return [f"{RESULTS}/runs/{run}/summary.json" for run in GRID_RUNS]


def get_run_layer_tables(wildcards):
    return [f"{RESULTS}/runs/{run}/layers.csv" for run in GRID_RUNS]


def get_variant_summaries(wildcards):
    return [f"{RESULTS}/runs/{run}/summary.json" for run in VARIANT_RUNS]


VARIANT_DEPTH = config["variants"]["depth"]


def get_config_json(wildcards):
    """The validated config for verbs that take it whole. A function, not a string: Snakemake would
    read braces in a string param (e.g. a report title "Depths {8, 20}") as wildcards."""
    return json.dumps(config, sort_keys=True)


def _train_args(runs):
    """--spec/--out pairs: one process trains these runs in turn."""
    return " ".join(f"--spec {shlex.quote(json.dumps(RUNS[run], sort_keys=True))} --out {RESULTS}/runs/{run}" for run in runs)


def get_grid_runs(wildcards):
    """The depth-grid runs of one job: one run, or every seed of an (arch, depth) (group_seeds)."""
    if hasattr(wildcards, "run"):
        return [wildcards.run]
    return [f"{wildcards.arch}{wildcards.depth}_s{seed}" for seed in config["seeds"]]


def get_grid_train_args(wildcards):
    return _train_args(get_grid_runs(wildcards))


def get_variant_runs(variant):
    return [run for run, spec in VARIANT_RUNS.items() if spec["variant"] == variant]


def get_variant_train_args(wildcards):
    return _train_args(get_variant_runs(wildcards.variant))


def get_dataset_marker(wildcards):
    """The data rule's marker for torchvision datasets; digits ships with scikit-learn."""
    if DATASET["name"] == "digits":
        return []
    return f"{DATASET['root']}/.resbench/{DATASET['name']}.ready"


def get_train_runtime_min(wildcards):
    """A generous wall-time limit for the scheduler, scaled by depth, epochs and runs per job."""
    runs = get_variant_runs(wildcards.variant) if hasattr(wildcards, "variant") else get_grid_runs(wildcards)
    return sum(_runtime_min(RUNS[run]) for run in runs)


def _runtime_min(spec):
    per_epoch_s = 0.03 * spec["depth"] if DATASET["name"] == "digits" else 0.5 * spec["depth"]
    return max(10, int(3 * per_epoch_s * spec["train"]["epochs"] / 60))


def get_train_mem_mb(wildcards):
    return 2000 if DATASET["name"] == "digits" else 6000


def get_train_gpus(wildcards):
    return 1 if config["device"] == "cuda" else 0


def landscape_args():
    c = config["landscape"]
    return (
        f"--resolution {c['resolution']} --extent {c['extent']} --subset {c['subset']} "
        f"--direction-seed {c['direction_seed']} --device {config['device']} --config-hash {CONFIG_HASH}"
    )


def get_landscape_rows(wildcards):
    """The half-open band of grid rows of one chunk."""
    n, k = config["landscape"]["resolution"], config["landscape"]["chunks"]
    size = -(-n // k)
    start = int(wildcards.chunk) * size
    return f"{start}:{min(n, start + size)}"


def get_landscape_partner(wildcards):
    """Another seed's model of the same net, the far end of the 1-D interpolation (if the profile has one)."""
    others = [s for s in config["seeds"] if s != int(wildcards.seed)]
    if not others:
        return {}
    return {"partner": f"{RESULTS}/runs/{wildcards.arch}{wildcards.depth}_s{others[0]}/model.pt"}
