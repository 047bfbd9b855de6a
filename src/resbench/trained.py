"""A trained model: build it from its run spec, load it from its verified model.pt, evaluate it.

Experiments and CLI verbs that measure trained models import this module, never the training loop.
"""
from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import timm
import torch

from . import models  # noqa: F401  (registers resbench's nets in timm's registry)
from .errors import CorruptFileError
from .models.entry import model_entry
from .results.io import STALE
from .train import checkpoint
from .train.device import eval_batch_size
from .train.evaluate import evaluate


def build_model(spec: dict, in_chans: int, num_classes: int) -> torch.nn.Module:
    """The run's model, freshly initialized from the current RNG state, through timm's registry."""
    name, kwargs = model_entry(spec, in_chans, num_classes)
    return timm.create_model(name, **kwargs)


def load_trained(path: str | Path, device: torch.device | str = "cpu",
                 config_hash: str | None = None) -> tuple[torch.nn.Module, dict]:
    """(model in eval mode with its trained weights and BN statistics, run spec) from a model.pt.

    The file is verified (checksum, structure, and `config_hash` when given). A bad file is set
    aside as `model.pt.corrupt` (or `.stale` for another config's model) and CorruptFileError
    raised, so the workflow retrains it on its next run instead of failing on it again.
    """
    path = Path(path)
    if not path.exists():  # e.g. set aside a moment ago by another job that read the same damaged file
        raise CorruptFileError(f"{path} is missing (set aside as damaged by another job, or never trained); rerun "
                               "the workflow to train it")
    try:
        state = checkpoint.load(path, map_location=device)
        if not {"spec_json", "model"} <= set(state):
            raise CorruptFileError(f"{path} is a checkpoint but not a trained model (no spec or weights)")
        spec = json.loads(state["spec_json"])
        weights = state["model"]
        if "model_name" in state:  # the registered name and arguments it was built with
            model = timm.create_model(state["model_name"], **json.loads(state["model_kwargs"]))
        else:  # written before model.pt stored them: the depth grid's and variants' CIFAR nets
            model = build_model(spec, weights["stem.0.weight"].shape[1], weights["head.weight"].shape[0])
        model.load_state_dict(weights)
    except CorruptFileError as exc:
        moved = checkpoint.set_aside(path)
        raise CorruptFileError(f"{exc}; moved to {moved.name}, rerun the workflow to retrain it") from None
    if config_hash is not None and spec.get("config_hash") != config_hash:
        moved = checkpoint.set_aside(path, STALE)
        raise CorruptFileError(f"{path} was trained with config {spec.get('config_hash')}, not this profile's "
                               f"{config_hash}; moved to {moved.name}, rerun the workflow to retrain it")
    return model.to(device).eval(), spec


def loss_and_error(model, x, y) -> tuple[float, float]:
    """Mean loss and error rate in full precision: the training loop's own evaluation, in the
    device's evaluation batch (on CPU 128: 1.9x faster than 1,024 on CIFAR-shaped images)."""
    return evaluate(model, x, y, eval_batch_size(None, x.device), nullcontext)
