"""One training run, top to bottom: data on the device, a plain SGD loop, per-epoch metrics,
atomic checkpoints every epoch, exact resume, and divergence recorded rather than raised."""
from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import timm
import torch
import torch.nn.functional as F

from ..data import load_splits
from ..data.batches import epoch_generator, iterate_batches
from ..models import count_parameters
from ..trained import evaluate, model_entry
from . import checkpoint
from .device import amp_dtype, configure_determinism, describe, eval_batch_size, select_device, use_channels_last
from .schedule import lr_at

log = logging.getLogger("resbench.train")
RESUME_FILE = "resume.pt"


def _rng_state(device: torch.device) -> dict:
    """Every random stream a training step draws from besides the data order (which is derived
    from seed and epoch): the CPU generator and, on a GPU, that device's generator."""
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["cpu"].cpu())
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"].cpu(), device)


def _progress(epochs: int, start: int, label: str):
    """tqdm bar on a terminal; None (plain log lines) when output goes to a file."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=epochs, initial=start, desc=label, unit="epoch", leave=False)


@dataclass
class Setup:
    """What every run of one spec shares before its first step: device and its fast-path choices, the
    evaluation batch, and the data on the device."""
    device: torch.device
    amp: torch.dtype | None
    autocast: Callable
    eval_batch: int
    channels_last: bool
    memory_format: torch.memory_format
    data: object

    @classmethod
    def of(cls, spec: dict, threads: int) -> Setup:
        train = spec["train"]
        torch.set_num_threads(threads)
        device = select_device(spec["device"])
        configure_determinism(spec["deterministic"], device)
        amp = amp_dtype(train["amp"], device)
        channels_last = use_channels_last(train["channels_last"], device)
        return cls(device, amp, (lambda: torch.autocast(device.type, dtype=amp)) if amp else nullcontext,
                   eval_batch_size(train["eval_batch_size"], device), channels_last,
                   torch.channels_last if channels_last else torch.contiguous_format,
                   load_splits(spec["dataset"]).to(device))

    def facts(self) -> dict:
        """The run facts every result carries."""
        return {"device": describe(self.device), "amp": str(self.amp).replace("torch.", "") if self.amp else "off",
                "eval_batch_size": self.eval_batch, "channels_last": self.channels_last,
                "peak_memory_mb": (torch.cuda.max_memory_allocated(self.device) / 2**20
                                   if self.device.type == "cuda" else None),
                "split_sizes": self.data.sizes()}


def load_resume(spec: dict, out_dir: Path, device: torch.device) -> dict | None:
    """The run's verified resume state, or None (start from scratch); one written for another config
    or run is ignored with a warning."""
    path = out_dir / RESUME_FILE
    state, source = checkpoint.load_latest(path, map_location=device)
    if state is None:
        return None
    if state.get("run_id") == spec["run_id"] and state.get("config_hash") == spec["config_hash"]:
        log.info("%s: resuming after epoch %d from %s", spec["run_id"], int(state["epoch"]), source)
        return state
    log.warning("%s: ignoring %s written for another config", spec["run_id"], source)
    return None


def save_resume(spec: dict, out_dir: Path, epoch: int, model_state: dict, optimizer_state: dict, history: list,
                probe_rows: dict, device: torch.device) -> None:
    """The run's state after `epoch`, atomically, keeping the previous one as the fallback."""
    checkpoint.save_atomic({"run_id": spec["run_id"], "config_hash": spec["config_hash"], "epoch": epoch,
                            "model": model_state, "optimizer": optimizer_state, "history": history,
                            "probes": probe_rows, "rng": _rng_state(device)},
                           out_dir / RESUME_FILE, keep_previous=True)


def active_probes(spec: dict, probes: dict[str, Callable] | None, data, memory_format) -> dict[str, tuple]:
    """name -> (every, probe) for the measurements the spec asks for, built from the passed factories."""
    missing = set(spec.get("probes", {})) - set(probes or {})
    if missing:
        raise ValueError(f"spec asks for probes {sorted(missing)} that were not passed to the training loop")
    return {name: (every, probes[name](data.train_x, data.train_y, memory_format))
            for name, every in spec.get("probes", {}).items() if every}


def train_run(
    spec: dict,
    out_dir: str | Path,
    threads: int = 1,
    on_epoch_end: Callable[[dict], None] | None = None,
    probes: dict[str, Callable] | None = None,
) -> dict:
    """Train the run described by `spec` (see config.run_spec), resuming from `out_dir/resume.pt`.

    `probes` maps a name in spec["probes"] (name -> every how many epochs) to a factory
    `factory(train_x, train_y, memory_format)` returning `probe(model, epoch) -> rows`, run at
    initialization, every that many epochs and at the end; the loop knows no probe by name.

    Returns a dict with the model's final state (`state_dict`), per-epoch `history`, `status`
    ("completed" or "diverged"), and run facts (params, device, seconds). Writes only the resume
    checkpoint; the CLI writes the result files.
    """
    out_dir = Path(out_dir)
    train = spec["train"]
    setup = Setup.of(spec, threads)
    device, amp, autocast, eval_batch, data = setup.device, setup.amp, setup.autocast, setup.eval_batch, setup.data
    memory_format = setup.memory_format
    torch.manual_seed(spec["seed"])
    model_name, model_kwargs = model_entry(spec, data.in_chans, data.num_classes)
    model = timm.create_model(model_name, **model_kwargs)
    model = model.to(device, memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=train["lr"], momentum=train["momentum"],
                                weight_decay=train["weight_decay"], nesterov=train["nesterov"])
    scaler = torch.amp.GradScaler(enabled=amp == torch.float16)
    step_model = torch.compile(model) if train["compile"] and device.type == "cuda" else model

    history, probe_rows, start_epoch, status = [], {}, 0, "completed"
    resume_path = out_dir / RESUME_FILE
    state = load_resume(spec, out_dir, device)
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        history, start_epoch = list(state["history"]), int(state["epoch"])
        probe_rows = {k: list(v) for k, v in state.get("probes", {}).items()}
        _set_rng_state(state["rng"], device)  # drop-path, dropout: the stream goes on where it stopped

    active = active_probes(spec, probes, data, memory_format)
    if start_epoch == 0:  # at initialization; probes leave training bit-identical
        for name, (_, probe) in active.items():
            probe_rows[name] = probe(model, 0)
    iters_per_epoch = math.ceil((len(data.train_y) - 1) / train["batch_size"])
    bar = _progress(train["epochs"], start_epoch, spec["run_id"])
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for epoch in range(start_epoch, train["epochs"]):
        model.train()
        t0 = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        wrong = torch.zeros((), device=device)
        seen, iteration, lr = 0, epoch * iters_per_epoch, train["lr"]
        generator = epoch_generator(spec["seed"], epoch)
        for xb, yb in iterate_batches(data.train_x, data.train_y, train["batch_size"], generator,
                                      augment=spec["dataset"]["augment"]):
            lr = lr_at(iteration, iters_per_epoch, train, spec["depth"])
            for group in optimizer.param_groups:
                group["lr"] = lr
            xb = xb.contiguous(memory_format=memory_format)
            with autocast():
                logits = step_model(xb)
                loss = F.cross_entropy(logits.float(), yb, label_smoothing=train["label_smoothing"])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            loss_sum += loss.detach() * len(yb)
            wrong += (logits.detach().argmax(1) != yb).sum()
            seen += len(yb)
            iteration += 1
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - t0
        train_loss = loss_sum.item() / seen
        val_loss, val_error = evaluate(model, data.val_x, data.val_y, eval_batch, autocast)
        test_loss, test_error = evaluate(model, data.test_x, data.test_y, eval_batch, autocast)
        row = {
            "epoch": epoch + 1, "lr": lr, "train_loss": train_loss, "train_error": wrong.item() / seen,
            "val_loss": val_loss, "val_error": val_error, "test_loss": test_loss, "test_error": test_error,
            "seconds": seconds, "images_per_second": seen / seconds,
        }
        history.append(row)
        if not math.isfinite(train_loss):
            status = "diverged"
            log.warning("%s: loss is %s at epoch %d; recording the run as diverged", spec["run_id"], train_loss, epoch + 1)
            break
        for name, (every, probe) in active.items():
            if (epoch + 1) % every == 0 or epoch + 1 == train["epochs"]:
                probe_rows[name] = probe_rows.get(name, []) + probe(model, epoch + 1)
        save_resume(spec, out_dir, epoch + 1, model.state_dict(), optimizer.state_dict(), history, probe_rows, device)
        message = (f"epoch {epoch + 1}/{train['epochs']} loss {train_loss:.4f} train_err {row['train_error']:.4f} "
                   f"val_err {val_error:.4f} test_err {test_error:.4f} lr {lr:.4g} {seconds:.2f}s")
        if bar is not None:
            bar.set_postfix_str(f"loss {train_loss:.3f} train_err {row['train_error']:.3f} test_err {test_error:.3f}")
            bar.update(1)
        else:
            log.info("%s: %s", spec["run_id"], message)
        if on_epoch_end is not None:
            on_epoch_end(row)
    if bar is not None:
        bar.close()
    # The trained net on its own training set in eval mode: the same measurement for every variant
    # (the running train-mode loss is inflated by dropout or drop-path by construction).
    eval_train_loss, eval_train_error = (evaluate(model, data.train_x, data.train_y, eval_batch, autocast)
                                         if status == "completed" else (math.nan, math.nan))
    return {
        "eval_train_loss": eval_train_loss, "eval_train_error": eval_train_error,
        "state_dict": model.state_dict(), "model_name": model_name, "model_kwargs": model_kwargs,
        "history": history,
        "probes": probe_rows,
        "status": status,
        "params": count_parameters(model),
        **setup.facts(),
        "resume_path": resume_path,
    }
