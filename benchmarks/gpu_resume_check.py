"""GPU check of exact resume: on a CUDA device, a run killed after epoch 2 and resumed from its
resume.pt ends with exactly the history and weights of an uninterrupted run. Stochastic depth and
the dropout shortcut draw from the CUDA generator at every step, so this checks that its state is
saved and restored (the CPU tests cannot). Also checks that two uninterrupted runs agree (without
that, a resume mismatch could not be told from nondeterminism) and that a verified checkpoint of
CUDA tensors loads back. Prints one line per model; exit status 1 on any mismatch.

    python benchmarks/gpu_resume_check.py [--epochs 4] [--depth 20]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

from resbench.hub.profile import grid_spec, validate_config
from resbench.families.variants.plan import variant_specs
from resbench.train import checkpoint
from resbench.train.loop import train_run

VOLATILE = ("seconds", "images_per_second")


class Interrupt(Exception):
    pass


def stable(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in history]


def same(a: dict, b: dict) -> bool:
    return stable(a["history"]) == stable(b["history"]) and all(
        torch.equal(v, b["state_dict"][k]) for k, v in a["state_dict"].items())


def check(spec: dict, root: Path) -> dict:
    spec = {k: v for k, v in spec.items() if k != "probes"}  # training alone: no grid measurements
    t0 = time.perf_counter()
    full = train_run(spec, root / "full")
    again = train_run(spec, root / "again")

    def kill_after_second_epoch(row):
        if row["epoch"] == 2:
            raise Interrupt

    try:
        train_run(spec, root / "killed", on_epoch_end=kill_after_second_epoch)
    except Interrupt:
        pass
    resumed = train_run(spec, root / "killed")
    state = checkpoint.load(root / "killed" / "resume.pt", map_location="cuda")  # verified, on the GPU
    return {"rerun_equal": same(full, again), "resume_equal": same(full, resumed),
            "checkpoint_on_cuda": next(iter(state["model"].values())).is_cuda,
            "final_train_error": full["history"][-1]["train_error"], "device": full["device"], "amp": full["amp"],
            "seconds": time.perf_counter() - t0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--depth", type=int, default=20)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 2
    config = validate_config({"profile": "gpu", "seeds": [0], "device": "cuda", "dataset": {"limit_train": 600},
                              "model": {"depths": [args.depth], "archs": ["resnet", "resnet_sd"]},
                              "train": {"epochs": args.epochs, "warmup_epochs": 0},
                              "variants": {"depth": args.depth, "names": ["dropout", "gate_exclusive"]}})
    specs = [grid_spec(config, "resnet", args.depth, 0), grid_spec(config, "resnet_sd", args.depth, 0),
             *variant_specs(config)]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            result = check(spec, Path(tmp) / spec["run_id"])
            ok = result["rerun_equal"] and result["resume_equal"] and result["checkpoint_on_cuda"]
            failures += not ok
            print(f"{spec['run_id']:<28} rerun equal {result['rerun_equal']!s:<5} resume equal "
                  f"{result['resume_equal']!s:<5} train err {result['final_train_error']:.4f} "
                  f"({result['device']}, amp {result['amp']}, {result['seconds']:.1f} s)", flush=True)
    print(f"{len(specs) - failures} of {len(specs)} models resume exactly on CUDA")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
