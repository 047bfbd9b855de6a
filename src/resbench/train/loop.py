"""The training loop, top to bottom: data on the device, a plain SGD loop, per-epoch metrics, atomic
checkpoints every epoch, exact resume, and divergence recorded rather than raised.

One loop trains k copies of one recipe: k = 1 is one run (`train_run`, the model itself); k > 1 the
seeds of one net as one fused model (`train_fused`, resbench.train.fused). The loop sees the copies
only through the small interface both provide (`SingleCopy` here, `fused.FusedCopies`): batches,
forward, per-copy losses, evaluation, and each copy's state. Every copy resumes from its own resume
file: a copy saved at a later epoch than another joins the group at that epoch (its state loaded into
its slot), so the copies still train in the group they would have trained in without the kill."""
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
from ..models.entry import model_entry
from . import checkpoint
from .device import amp_dtype, configure_determinism, describe, eval_batch_size, select_device, use_channels_last
from .evaluate import evaluate
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


class SingleCopy:
    """k = 1: the model itself, in its memory format, compiled on a GPU when the recipe asks."""
    k = 1

    def __init__(self, model: torch.nn.Module, memory_format, compile_: bool):
        self.model, self.memory_format = model, memory_format
        self.params = count_parameters(model)
        self.step_model = torch.compile(model) if compile_ else model

    def parameters(self):
        return self.model.parameters()

    def train(self) -> None:
        self.model.train()

    def batch(self, pairs):
        (xb, yb), = pairs
        return xb.contiguous(memory_format=self.memory_format), yb

    def forward(self, xb):
        return self.step_model(xb)

    @staticmethod
    def losses(logits, yb, alive, label_smoothing: float):
        """(loss to step on, each copy's mean loss (1,), each copy's wrong count (1,))."""
        loss = F.cross_entropy(logits.float(), yb, label_smoothing=label_smoothing)
        return loss, loss.detach().view(1), (logits.detach().argmax(1) != yb).sum().view(1)

    def evaluate(self, x, y, batch_size: int, autocast) -> list[tuple[float, float]]:
        return [evaluate(self.model, x, y, batch_size, autocast)]

    def copy(self, i: int) -> torch.nn.Module:
        return self.model

    def state_dict(self, i: int) -> dict:
        return self.model.state_dict()

    def optimizer_state(self, optimizer, i: int) -> dict:
        return optimizer.state_dict()

    def load(self, i: int, state: dict, optimizer) -> None:
        self.model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])


def _build(specs: list[dict], setup: Setup):
    """(copies, model name, model kwargs): every copy initialized from its own seed, as its run would be."""
    model_name, model_kwargs = model_entry(specs[0], setup.data.in_chans, setup.data.num_classes)
    models = []
    for spec in specs:
        torch.manual_seed(spec["seed"])
        models.append(timm.create_model(model_name, **model_kwargs))
    compile_ = specs[0]["train"]["compile"] and setup.device.type == "cuda"
    if len(specs) == 1:
        copies = SingleCopy(models[0].to(setup.device, memory_format=setup.memory_format), setup.memory_format,
                            compile_)
    else:
        from .fused import FusedCopies

        copies = FusedCopies(models, setup.device)
    return copies, model_name, model_kwargs


@dataclass
class _Copy:
    """One copy's bookkeeping: its run, where it writes, the epoch it starts from, what it has recorded."""
    spec: dict
    out_dir: Path
    start: int
    state: dict | None
    history: list
    probes: dict
    status: str = "completed"
    final: dict | None = None  # its state at the epoch it diverged

    @classmethod
    def of(cls, spec: dict, out_dir: Path, state: dict | None) -> _Copy:
        if state is None:
            return cls(spec, out_dir, 0, None, [], {})
        return cls(spec, out_dir, int(state["epoch"]), state, list(state["history"]),
                   {k: list(v) for k, v in state.get("probes", {}).items()})


def _epoch(copies, optimizer, scaler, specs: list[dict], setup: Setup, epoch: int, alive) -> tuple:
    """One epoch of SGD steps for every copy (each its own data order); (lr, mean losses, errors, images, s)."""
    train, k = specs[0]["train"], copies.k
    data, device = setup.data, setup.device
    iters_per_epoch = math.ceil((len(data.train_y) - 1) / train["batch_size"])
    copies.train()
    t0 = time.perf_counter()
    loss_sum, wrong = torch.zeros(k, device=device), torch.zeros(k, device=device)
    seen, iteration, lr = 0, epoch * iters_per_epoch, train["lr"]
    batches = [iterate_batches(data.train_x, data.train_y, train["batch_size"], epoch_generator(s["seed"], epoch),
                               augment=s["dataset"]["augment"]) for s in specs]
    for pairs in zip(*batches):
        xb, yb = copies.batch(pairs)
        lr = lr_at(iteration, iters_per_epoch, train, specs[0]["depth"])
        for group in optimizer.param_groups:
            group["lr"] = lr
        with setup.autocast():
            logits = copies.forward(xb)
            loss, losses, wrong_now = copies.losses(logits, yb, alive, train["label_smoothing"])
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        n = yb.shape[-1]
        loss_sum += losses * n
        wrong += wrong_now
        seen += n
        iteration += 1
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (lr, [v / seen for v in loss_sum.tolist()], [v / seen for v in wrong.tolist()], seen,
            time.perf_counter() - t0)


def _log_epoch(bar, label: str, epoch: int, epochs: int, rows: list[dict], k: int) -> None:
    if k == 1:
        row = rows[0]
        line = (f"epoch {epoch}/{epochs} loss {row['train_loss']:.4f} train_err {row['train_error']:.4f} "
                f"val_err {row['val_error']:.4f} test_err {row['test_error']:.4f} lr {row['lr']:.4g} "
                f"{row['seconds']:.2f}s")
        short = f"loss {row['train_loss']:.3f} train_err {row['train_error']:.3f} test_err {row['test_error']:.3f}"
    else:
        mean = sum(r["test_error"] for r in rows) / max(len(rows), 1)
        line = short = (f"epoch {epoch}/{epochs} {len(rows)}/{k} seeds training, mean test_err {mean:.4f} "
                        f"lr {rows[0]['lr'] if rows else 0:.4g} {rows[0]['seconds'] if rows else 0:.2f}s")
    if bar is not None:
        bar.set_postfix_str(short)
        bar.update(1)
    else:
        log.info("%s: %s", label, line)


def _train(specs: list[dict], out_dirs: list[Path], setup: Setup, probes: dict | None,
           on_epoch_end: Callable[[dict], None] | None) -> list[dict]:
    train, k, device = specs[0]["train"], len(specs), setup.device
    copies, model_name, model_kwargs = _build(specs, setup)
    optimizer = torch.optim.SGD(copies.parameters(), lr=train["lr"], momentum=train["momentum"],
                                weight_decay=train["weight_decay"], nesterov=train["nesterov"])
    scaler = torch.amp.GradScaler(enabled=setup.amp == torch.float16)
    runs = [_Copy.of(s, o, load_resume(s, o, device)) for s, o in zip(specs, out_dirs)]
    first = min(r.start for r in runs)
    for i, run in enumerate(runs):
        if run.start == first and run.state is not None:
            copies.load(i, run.state, optimizer)
    leader = next(r for r in runs if r.start == first)
    if leader.state is not None:  # drop-path, dropout: the stream goes on where it stopped
        _set_rng_state(leader.state["rng"], device)
    elif k > 1:
        torch.manual_seed(specs[0]["seed"])
    active = active_probes(specs[0], probes, setup.data, setup.memory_format)
    for i, run in enumerate(runs):
        if run.start == 0:  # at initialization; probes leave training bit-identical
            for name, (_, probe) in active.items():
                run.probes[name] = probe(copies.copy(i), 0)
    alive = torch.tensor([r.start == first for r in runs], device=device)
    label = specs[0]["run_id"] if k == 1 else f"{specs[0]['run_id']} (+{k - 1} fused)"
    bar = _progress(train["epochs"], first, label)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for epoch in range(first, train["epochs"]):
        for i, run in enumerate(runs):
            if run.start == epoch and epoch > first:  # saved later than the others: it joins here
                copies.load(i, run.state, optimizer)
                alive[i] = True
        if not alive.any():
            break
        lr, losses, errors, seen, seconds = _epoch(copies, optimizer, scaler, specs, setup, epoch, alive)
        val = copies.evaluate(setup.data.val_x, setup.data.val_y, setup.eval_batch, setup.autocast)
        test = copies.evaluate(setup.data.test_x, setup.data.test_y, setup.eval_batch, setup.autocast)
        rows = []
        for i, run in enumerate(runs):
            if not alive[i]:
                continue
            row = {"epoch": epoch + 1, "lr": lr, "train_loss": losses[i], "train_error": errors[i],
                   "val_loss": val[i][0], "val_error": val[i][1], "test_loss": test[i][0], "test_error": test[i][1],
                   "seconds": seconds, "images_per_second": seen / seconds}
            run.history.append(row)
            if not math.isfinite(losses[i]):
                run.status, run.final, alive[i] = "diverged", copies.state_dict(i), False
                log.warning("%s: loss is %s at epoch %d; recording the run as diverged%s", run.spec["run_id"],
                            losses[i], epoch + 1, " (the other fused seeds go on)" if k > 1 else "")
                continue
            for name, (every, probe) in active.items():
                if (epoch + 1) % every == 0 or epoch + 1 == train["epochs"]:
                    run.probes[name] = run.probes.get(name, []) + probe(copies.copy(i), epoch + 1)
            save_resume(run.spec, run.out_dir, epoch + 1, copies.state_dict(i), copies.optimizer_state(optimizer, i),
                        run.history, run.probes, device)
            rows.append(row)
            if on_epoch_end is not None:
                on_epoch_end(row)
        if rows or k > 1:
            _log_epoch(bar, label, epoch + 1, train["epochs"], rows, k)
    if bar is not None:
        bar.close()
    # The trained net on its own training set in eval mode: the same measurement for every variant
    # (the running train-mode loss is inflated by dropout or drop-path by construction).
    train_eval = (copies.evaluate(setup.data.train_x, setup.data.train_y, setup.eval_batch, setup.autocast)
                  if any(r.status == "completed" for r in runs) else [(math.nan, math.nan)] * k)
    facts = {**setup.facts(), **({"fused_seeds": k} if k > 1 else {})}
    return [{"eval_train_loss": train_eval[i][0] if r.status == "completed" else math.nan,
             "eval_train_error": train_eval[i][1] if r.status == "completed" else math.nan,
             "state_dict": r.final if r.final is not None else copies.state_dict(i),
             "model_name": model_name, "model_kwargs": model_kwargs, "history": r.history, "probes": r.probes,
             "status": r.status, "params": copies.params, **facts, "resume_path": r.out_dir / RESUME_FILE}
            for i, r in enumerate(runs)]


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
    `on_epoch_end(row)` is called after each epoch's checkpoint is written.

    Returns a dict with the model's final state (`state_dict`), per-epoch `history`, `status`
    ("completed" or "diverged"), and run facts (params, device, seconds). Writes only the resume
    checkpoint; the CLI writes the result files.
    """
    return _train([spec], [Path(out_dir)], Setup.of(spec, threads), probes, on_epoch_end)[0]


def train_fused(specs: list[dict], out_dirs: list[str | Path], threads: int = 1,
                probes: dict[str, Callable] | None = None,
                on_epoch_end: Callable[[dict], None] | None = None) -> list[dict]:
    """Train the runs `specs` (seeds of one recipe, see `fused.fusable`) as one fused model; one result
    per run, in order, shaped as train_run's (plus `fused_seeds`). `on_epoch_end` is called once per
    seed and epoch, after that seed's checkpoint is written."""
    from .fused import fusable

    if not fusable(specs):
        raise ValueError("train_fused needs two or more seeds of one recipe")
    return _train(specs, [Path(o) for o in out_dirs], Setup.of(specs[0], threads), probes, on_epoch_end)
