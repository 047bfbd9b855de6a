import json
from pathlib import Path

from resbench.config import run_specs

PROFILE = config["profile"]
RESULTS = f"results/{PROFILE}"
REPORTS = f"reports/{PROFILE}"
LOGS = f"logs/{PROFILE}"
RUNS = {spec["run_id"]: spec for spec in run_specs(config)}
DATASET = config["dataset"]
REPORT_SOURCES = sorted(
    str(p)
    for p in Path(workflow.basedir, "src/resbench/report").rglob("*")
    if p.suffix in {".py", ".j2", ".css"}
)


wildcard_constraints:
    run=r"(plain|resnet)\d+_s\d+",


def get_final_targets():
    return [f"{REPORTS}/report.html", f"{REPORTS}/report.pdf", f"{REPORTS}/claims.json"]


def get_run_summaries(wildcards):
    return [f"{RESULTS}/runs/{run}/summary.json" for run in RUNS]


def get_run_spec(wildcards):
    return json.dumps(RUNS[wildcards.run], sort_keys=True)


def get_dataset_marker(wildcards):
    """The data rule's marker for torchvision datasets; digits ships with scikit-learn."""
    if DATASET["name"] == "digits":
        return []
    return f"{DATASET['root']}/.resbench/{DATASET['name']}.ready"


def get_train_runtime_min(wildcards):
    """A generous wall-time limit for the scheduler, scaled by depth and epochs."""
    spec = RUNS[wildcards.run]
    per_epoch_s = 0.03 * spec["depth"] if DATASET["name"] == "digits" else 0.5 * spec["depth"]
    return max(10, int(3 * per_epoch_s * spec["train"]["epochs"] / 60))


def get_train_mem_mb(wildcards):
    return 2000 if DATASET["name"] == "digits" else 6000


def get_train_gpus(wildcards):
    return 1 if config["device"] == "cuda" else 0
