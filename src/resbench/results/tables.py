"""Tidy tables: one row per run x epoch (epochs.csv) and one summary row per run (runs.csv).
Every row carries the run's identity and where it came from."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .io import read_json, read_table, write_json_atomic, write_table_atomic

ID_COLUMNS = ["profile", "dataset", "arch", "variant", "depth", "seed", "shortcut", "run_id", "config_hash",
              "git_commit", "git_dirty"]


def run_identity(spec: dict, prov: dict) -> dict:
    return {
        "profile": spec["profile"], "dataset": spec["dataset"]["name"], "arch": spec["arch"],
        "variant": spec.get("variant", ""),
        "depth": spec["depth"], "seed": spec["seed"], "shortcut": spec["shortcut"], "run_id": spec["run_id"],
        "config_hash": spec["config_hash"], "git_commit": prov["git_commit"], "git_dirty": prov["git_dirty"],
    }


def summarize(history: list[dict]) -> dict:
    """Final-epoch metrics, and the test error at the best validation epoch (never chosen on test)."""
    if not history:
        return {k: math.nan for k in ("final_train_loss", "final_train_error", "final_val_error",
                                      "final_test_loss", "final_test_error", "best_val_epoch",
                                      "test_error_at_best_val", "images_per_second")}
    last = history[-1]
    finite_val = [h for h in history if math.isfinite(h["val_error"])]
    best = min(finite_val, key=lambda h: (h["val_error"], -h["epoch"])) if finite_val else last
    return {
        "final_train_loss": last["train_loss"], "final_train_error": last["train_error"],
        "final_val_error": last["val_error"], "final_test_loss": last["test_loss"],
        "final_test_error": last["test_error"], "best_val_epoch": best["epoch"],
        "test_error_at_best_val": best["test_error"],
        "images_per_second": sum(h["images_per_second"] for h in history) / len(history),
    }


def run_tables(spec: dict, result: dict, prov: dict) -> tuple[pd.DataFrame, dict]:
    """(per-epoch table, summary row) of one finished or diverged run."""
    identity = run_identity(spec, prov)
    epochs = pd.DataFrame([{**identity, **row} for row in result["history"]])
    summary = {**identity, "status": result["status"], "epochs_completed": len(result["history"]),
               "epochs_planned": spec["train"]["epochs"], "params": result["params"],
               **summarize(result["history"]),
               "final_train_loss_eval": result.get("eval_train_loss", math.nan),
               "final_train_error_eval": result.get("eval_train_error", math.nan),
               "wall_seconds": prov["wall_seconds"],
               "device": result["device"], "peak_memory_mb": result["peak_memory_mb"],
               **{f"n_{k}": v for k, v in result["split_sizes"].items()}}
    if result["status"] == "diverged":
        # A diverged run has no meaningful final error: record NaN, never a number that looks real.
        for key in ("final_train_loss", "final_train_error", "final_val_error", "final_test_loss",
                    "final_test_error", "test_error_at_best_val", "final_train_loss_eval", "final_train_error_eval"):
            summary[key] = math.nan
    return epochs, summary


def benchmark_seconds(benchmark_dir: Path) -> pd.DataFrame:
    """Snakemake benchmark files (one TSV per job) as rows of rule, job and wall seconds."""
    rows = []
    for path in sorted(Path(benchmark_dir).rglob("*.tsv")):
        rule = path.parent.name if path.parent != Path(benchmark_dir) else path.stem
        try:
            seconds = float(pd.read_csv(path, sep="\t")["s"].iloc[-1])
        except (KeyError, IndexError, ValueError, pd.errors.ParserError):
            continue
        rows.append({"rule": rule, "job": path.stem, "seconds": seconds})
    return pd.DataFrame(rows, columns=["rule", "job", "seconds"])


def probe_table(spec: dict, rows: list[dict], prov: dict) -> pd.DataFrame:
    """The rows a training probe took (e.g. per-block statistics), each stamped with the run's identity."""
    identity = run_identity(spec, prov)
    return pd.DataFrame([{**identity, **row} for row in rows])


def concat_files(paths: list[str | Path]) -> pd.DataFrame:
    """One table from per-run files: CSV tables, or JSON records (one row each, nested keys flattened)."""
    frames = [pd.json_normalize(read_json(p)) if str(p).endswith(".json") else read_table(p) for p in paths]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def aggregate_runs(summary_paths: list[Path], out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Collect runs into out_dir/runs.csv and out_dir/epochs.csv; merge provenance. Every run's
    metrics.csv and provenance.json are read and verified (declared outputs of its training job): a
    missing or damaged one fails the job naming the file (a damaged one is set aside, so the next run
    retrains it), never a table with the run's epochs silently left out."""
    summaries, epochs, provenance = [], [], {}
    for path in sorted(summary_paths):
        summaries.append(read_json(path))
        for name in ("metrics.csv", "provenance.json"):
            if not (path.parent / name).exists():
                raise FileNotFoundError(f"{path.parent / name} is missing: rerun the workflow to retrain "
                                        f"{summaries[-1]['run_id']}")
        epochs.append(read_table(path.parent / "metrics.csv"))
        provenance[summaries[-1]["run_id"]] = read_json(path.parent / "provenance.json")
    runs = pd.DataFrame(summaries)
    epoch_table = pd.concat(epochs, ignore_index=True) if epochs else pd.DataFrame(columns=ID_COLUMNS)
    write_table_atomic(runs, out_dir / "runs.csv")
    write_table_atomic(epoch_table, out_dir / "epochs.csv")
    write_json_atomic(provenance, out_dir / "provenance.json")
    return runs, epoch_table
