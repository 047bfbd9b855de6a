"""Device, precision and memory-format choices: CUDA with AMP and channels_last when present."""
from __future__ import annotations

import os

import torch

from ..errors import ResbenchError


def select_device(preference: str = "auto") -> torch.device:
    """CUDA when present (auto) or asked for; with several visible GPUs, the one with the most free
    memory, so concurrent jobs of a workstation run (`--resources gpu=N`) spread over the GPUs. Under
    SLURM each job sees only its own GPU(s), so this is cuda:0 there."""
    if preference == "cuda" and not torch.cuda.is_available():
        raise ResbenchError("device: cuda was requested but no CUDA device is visible; use device: auto or cpu")
    if preference == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    count = torch.cuda.device_count()
    if count <= 1:
        return torch.device("cuda", 0)
    free = [torch.cuda.mem_get_info(i)[0] for i in range(count)]
    return torch.device("cuda", max(range(count), key=lambda i: free[i]))


def amp_dtype(preference: str, device: torch.device) -> torch.dtype | None:
    """Autocast dtype, or None for full fp32. auto: bf16 on CUDA that supports it, fp16 on older GPUs."""
    if preference == "off" or (preference == "auto" and device.type != "cuda"):
        return None
    if preference == "fp16" or (preference == "auto" and not torch.cuda.is_bf16_supported()):
        return torch.float16
    return torch.bfloat16


def use_channels_last(preference: str, device: torch.device) -> bool:
    """auto: on. Measured ~1.2x faster training steps on CPU for 8x8 and 32x32 inputs (benchmarks/README.md);
    on an H100 at batch 128 it was within noise (these small nets are launch-bound there)."""
    del device  # kept in the signature: the choice may depend on the device again
    return preference in ("on", "auto")


EVAL_BATCH = {"cpu": 128, "cuda": 1024}  # measured defaults (config schema: train.eval_batch_size)


def eval_batch_size(setting: int | None, device: torch.device | str) -> int:
    """Images per evaluation forward pass: the config's number, or the device's measured default.
    Large batches are slowest on a CPU (caches), fastest on a GPU (fewer launches)."""
    if setting:
        return int(setting)
    return EVAL_BATCH["cuda" if torch.device(device).type == "cuda" else "cpu"]


def configure_determinism(deterministic: bool, device: torch.device) -> None:
    """Deterministic kernels (exact reruns); otherwise let cuDNN pick the fastest algorithms."""
    if device.type == "cuda":
        if deterministic:
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.benchmark = not deterministic
        torch.backends.cudnn.deterministic = deterministic
        torch.backends.cuda.matmul.allow_tf32 = not deterministic
        torch.backends.cudnn.allow_tf32 = not deterministic
    # warn_only on CUDA: a few index kernels have no deterministic backward there.
    torch.use_deterministic_algorithms(deterministic, warn_only=device.type == "cuda")


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads)"
