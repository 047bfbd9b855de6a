"""A finished run's files, from its training result: model.pt, metrics.csv, probe tables,
provenance.json and summary.json (the outputs the training rules declare)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from ..results import provenance, write_json_atomic, write_table_atomic
from ..results.tables import probe_table, run_tables
from . import checkpoint

log = logging.getLogger("resbench")


def write_run(spec: dict, out: Path, result: dict, wall: float, threads: int) -> None:
    """One run's files from its training result: model.pt, metrics.csv, probe tables, provenance.json,
    summary.json (`wall`: the seconds of the process that trained it, shared by fused seeds)."""
    prov = {**provenance(), "dataset_verified": spec["dataset"]["name"] == "digits" or spec["dataset"].get("verify", True),
            "wall_seconds": wall, "device": result["device"], "threads": threads,
            "amp": result["amp"], "channels_last": result["channels_last"], "eval_batch_size": result["eval_batch_size"],
            "peak_memory_mb": result["peak_memory_mb"], "fused_seeds": result.get("fused_seeds", 1)}
    epochs, summary = run_tables(spec, result, prov)
    checkpoint.save_atomic({"spec_json": json.dumps(spec), "model_name": result["model_name"],
                            "model_kwargs": json.dumps(result["model_kwargs"]), "model": result["state_dict"],
                            "status": result["status"]}, out / "model.pt")
    write_table_atomic(epochs, out / "metrics.csv")
    for name in spec.get("probes", {}):
        write_table_atomic(probe_table(spec, result["probes"].get(name, []), prov), out / f"{name}.csv")
    write_json_atomic(prov, out / "provenance.json")
    write_json_atomic(summary, out / "summary.json")
    log.info("%s: %s; final train error %.4f, test error %.4f (%.1f s)", spec["run_id"], summary["status"],
             summary["final_train_error"], summary["final_test_error"], wall)
