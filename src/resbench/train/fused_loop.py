"""Training the seeds of one net as one fused model (resbench.train.fused): the same loop as
train_run, every step for k copies at once, with per-seed resume files, histories, probes and
results exactly as k separate runs write them.

Copies advance in lock-step (one learning-rate schedule), so seeds that resume from different
epochs train in groups of equal start epoch. A copy that diverges is recorded as diverged (its
state at that epoch kept) and masked; the others go on."""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import timm
import torch

from ..data.batches import epoch_generator, iterate_batches
from ..models import count_parameters
from ..trained import model_entry
from .fused import FusedModels, copy_optimizer_state, evaluate_fused, fused_loss, stacked_momentum
from .loop import RESUME_FILE, Setup, _progress, _set_rng_state, active_probes, load_resume, save_resume
from .schedule import lr_at

log = logging.getLogger("resbench.train")
SEED_FREE = ("run_id", "seed", "config_hash")  # what may differ between the runs of one fused group


def fusable(specs: list[dict]) -> bool:
    """Whether these runs are seeds of one training recipe (everything equal but seed and name)."""
    if len(specs) < 2 or len({s["seed"] for s in specs}) != len(specs):
        return False
    strip = [{k: v for k, v in s.items() if k not in SEED_FREE} for s in specs]
    return all(s == strip[0] for s in strip[1:]) and len({s["config_hash"] for s in specs}) == 1


def fuse_wanted(setting: str, device: torch.device) -> bool:
    """`auto` fuses on a GPU only: on this project's CPUs one fused step measured no faster than the
    channels_last step of one seed (benchmarks/train_throughput.py --fuse)."""
    return setting == "on" or (setting == "auto" and device.type == "cuda")


def train_fused(specs: list[dict], out_dirs: list[str | Path], threads: int = 1,
                probes: dict[str, Callable] | None = None) -> list[dict]:
    """Train the runs `specs` (seeds of one recipe, see `fusable`) as fused groups; return one result
    per run, in order, shaped as train_run's."""
    if not fusable(specs):
        raise ValueError("train_fused needs two or more seeds of one recipe")
    setup = Setup.of(specs[0], threads)
    out_dirs = [Path(o) for o in out_dirs]
    states = [load_resume(s, o, setup.device) for s, o in zip(specs, out_dirs)]
    starts = [int(st["epoch"]) if st else 0 for st in states]
    results: list[dict | None] = [None] * len(specs)
    for start in sorted(set(starts)):
        group = [i for i, s in enumerate(starts) if s == start]
        for i, result in zip(group, _train_group([specs[i] for i in group], [out_dirs[i] for i in group],
                                                 [states[i] for i in group], start, setup, probes or {})):
            results[i] = result
    return results


def _train_group(specs, out_dirs, states, start_epoch: int, setup: Setup, probes: dict) -> list[dict]:
    k, spec0, train = len(specs), specs[0], specs[0]["train"]
    device, data, autocast = setup.device, setup.data, setup.autocast
    model_name, model_kwargs = model_entry(spec0, data.in_chans, data.num_classes)
    models = []
    for spec, state in zip(specs, states):
        torch.manual_seed(spec["seed"])  # each copy initialized as its own run would be
        model = timm.create_model(model_name, **model_kwargs)
        if state is not None:
            model.load_state_dict(state["model"])
        models.append(model)
    fused = FusedModels(models).to(device)
    optimizer = torch.optim.SGD(fused.parameters(), lr=train["lr"], momentum=train["momentum"],
                                weight_decay=train["weight_decay"], nesterov=train["nesterov"])
    momentum = stacked_momentum(fused, [st["optimizer"] if st else None for st in states])
    if momentum is not None:
        params, _ = fused._state()
        for name, buf in momentum.items():
            optimizer.state[params[name]]["momentum_buffer"] = buf
    scaler = torch.amp.GradScaler(enabled=setup.amp == torch.float16)
    histories = [list(st["history"]) if st else [] for st in states]
    probe_rows = [{n: list(v) for n, v in st.get("probes", {}).items()} if st else {} for st in states]
    if states[0] is not None:
        _set_rng_state(states[0]["rng"], device)  # the group's one stream (drop path, dropout)
    else:
        torch.manual_seed(spec0["seed"])
    active = active_probes(spec0, probes, data, setup.memory_format)
    if start_epoch == 0:
        for i in range(k):
            for name, (_, probe) in active.items():
                probe_rows[i][name] = probe(fused.unfused(i), 0)
    alive = torch.ones(k, dtype=torch.bool, device=device)
    status, final = ["completed"] * k, [None] * k
    iters_per_epoch = math.ceil((len(data.train_y) - 1) / train["batch_size"])
    label = f"{spec0['run_id']} (+{k - 1} fused)"
    bar = _progress(train["epochs"], start_epoch, label)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for epoch in range(start_epoch, train["epochs"]):
        if not alive.any():
            break
        fused.train()
        t0 = time.perf_counter()
        loss_sum, wrong = torch.zeros(k, device=device), torch.zeros(k, device=device)
        seen, iteration, lr = 0, epoch * iters_per_epoch, train["lr"]
        batches = [iterate_batches(data.train_x, data.train_y, train["batch_size"], epoch_generator(s["seed"], epoch),
                                   augment=s["dataset"]["augment"]) for s in specs]
        for per_copy in zip(*batches):  # each copy its own data order and augmentation
            xb, yb = torch.stack([b[0] for b in per_copy]), torch.stack([b[1] for b in per_copy])
            lr = lr_at(iteration, iters_per_epoch, train, spec0["depth"])
            for group in optimizer.param_groups:
                group["lr"] = lr
            with autocast():
                logits = fused(xb)
                loss, losses = fused_loss(logits, yb, alive, train["label_smoothing"])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            loss_sum += losses * yb.shape[1]
            wrong += (logits.detach().argmax(-1) != yb).sum(1)
            seen += yb.shape[1]
            iteration += 1
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - t0
        val = evaluate_fused(fused, data.val_x, data.val_y, setup.eval_batch, autocast)
        test = evaluate_fused(fused, data.test_x, data.test_y, setup.eval_batch, autocast)
        for i, spec in enumerate(specs):
            if not alive[i]:
                continue
            train_loss = loss_sum[i].item() / seen
            row = {"epoch": epoch + 1, "lr": lr, "train_loss": train_loss, "train_error": wrong[i].item() / seen,
                   "val_loss": val[i][0], "val_error": val[i][1], "test_loss": test[i][0], "test_error": test[i][1],
                   "seconds": seconds, "images_per_second": seen / seconds}
            histories[i].append(row)
            if not math.isfinite(train_loss):
                status[i], final[i] = "diverged", fused.copy_state_dict(i)
                alive[i] = False
                log.warning("%s: loss is %s at epoch %d; recording the run as diverged (the other fused seeds go on)",
                            spec["run_id"], train_loss, epoch + 1)
                continue
            for name, (every, probe) in active.items():
                if (epoch + 1) % every == 0 or epoch + 1 == train["epochs"]:
                    probe_rows[i][name] = probe_rows[i].get(name, []) + probe(fused.unfused(i), epoch + 1)
            save_resume(spec, out_dirs[i], epoch + 1, fused.copy_state_dict(i), copy_optimizer_state(fused, optimizer, i),
                        histories[i], probe_rows[i], device)
        message = (f"epoch {epoch + 1}/{train['epochs']} {int(alive.sum())}/{k} seeds training, mean test_err "
                   f"{sum(t[1] for t in test) / k:.4f} lr {lr:.4g} {seconds:.2f}s")
        if bar is not None:
            bar.set_postfix_str(message)
            bar.update(1)
        else:
            log.info("%s: %s", label, message)
    if bar is not None:
        bar.close()
    train_eval = evaluate_fused(fused, data.train_x, data.train_y, setup.eval_batch, autocast)
    facts = setup.facts()
    return [{"eval_train_loss": train_eval[i][0] if status[i] == "completed" else math.nan,
             "eval_train_error": train_eval[i][1] if status[i] == "completed" else math.nan,
             "state_dict": final[i] if final[i] is not None else fused.copy_state_dict(i),
             "model_name": model_name, "model_kwargs": model_kwargs, "history": histories[i],
             "probes": probe_rows[i], "status": status[i], "params": count_parameters(models[0]),
             **facts, "fused_seeds": k, "resume_path": out_dirs[i] / RESUME_FILE} for i in range(k)]
