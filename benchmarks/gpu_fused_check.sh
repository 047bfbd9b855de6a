#!/usr/bin/env bash
# Issue 17's GPU figures in one run (about 5 minutes on an H100): fused seeds and CUDA graphs against
# one seed at a time, a landscape row per pass against a point per pass, and a fused training job on
# CUDA that must match separate runs' first-epoch losses. Run from the repository root on the GPU
# machine; paste the output into the issue's note.
#   bash benchmarks/gpu_fused_check.sh
set -euo pipefail
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python benchmarks/train_throughput.py --depths 20 110 --steps 40 --fuse 5 --compile
python benchmarks/landscape_speed.py --data cifar --depth 20 --points 25 --subset 2000 --device cuda
python -m pytest -q -p no:cacheprovider tests/train/test_fused.py tests/train/test_fused_loop.py \
  2>&1 | tail -3   # the numerics on this machine, for the record
python - <<'PY'
import json, tempfile, time
from resbench.hub.profile import grid_spec, validate_config
from resbench.train.loop import train_fused, train_run

config = validate_config({"profile": "gpu", "seeds": [0, 1, 2, 3, 4], "device": "cuda",
                          "train": {"epochs": 3, "warmup_epochs": 0}})
specs = [grid_spec(config, "resnet", 20, seed) for seed in config["seeds"]]
for spec in specs:
    spec.pop("probes", None)
root = tempfile.mkdtemp()
t = time.perf_counter()
fused = train_fused(specs, [f"{root}/f{s['seed']}" for s in specs])
fused_s = time.perf_counter() - t
t = time.perf_counter()
alone = [train_run(s, f"{root}/a{s['seed']}") for s in specs]
alone_s = time.perf_counter() - t
gap = max(abs(f["history"][0]["train_loss"] / a["history"][0]["train_loss"] - 1) for f, a in zip(fused, alone))
print(json.dumps({"digits ResNet-20 x5, 3 epochs: fused s": round(fused_s, 1), "one at a time s": round(alone_s, 1),
                  "speed-up": round(alone_s / fused_s, 2), "largest first-epoch loss gap (relative)": gap}))
PY
