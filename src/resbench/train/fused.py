"""Several seeds of one net trained as one fused model: horizontal fusion (as in HFTA, Wang et al.,
MLSys 2021) through torch.func.

The k copies' parameters and BatchNorm buffers are stacked along a new leading dimension, and
`vmap(functional_call)` runs the one architecture over all of them: a convolution whose weight is
batched becomes one grouped convolution, so every kernel launch does k copies' work, which is what
keeps a large GPU busy on nets as small as ResNet-20. Nothing couples the copies:

- each copy sees its own batch (its own data order and augmentation: its seed's generator);
- each copy's BatchNorm normalizes with its own batch statistics and updates its own running
  statistics (in place, on its slice of the stacked buffers);
- the loss is the sum of the copies' mean losses, so each copy's gradient is the one it would get
  alone; SGD with momentum and weight decay is elementwise, so one optimizer over the stacked
  tensors moves every copy exactly as its own optimizer would;
- random layers (drop path, dropout) draw independently per copy (`randomness="different"`), from
  one stream: a fused stochastic-depth run equals separate runs in distribution, not draw for draw;
- a copy whose loss stops being finite is masked out of the summed loss (its gradient is zero from
  then on) and the others go on.

Separate runs and a fused one agree to float rounding (the grouped convolution sums in another
order); tests/train/test_fused.py states the tolerance."""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ..data.batches import iterate_batches
from ..models import count_parameters

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


def _key(name: str) -> str:
    return name.replace(".", "__")  # registered names cannot contain dots


class FusedModels(nn.Module):
    """k models of one architecture as one module: parameters and buffers stacked (leading dim k).

    `forward(x)` takes x of shape (k, B, ...) (one batch per copy) or, with `shared=True`, (B, ...)
    given to every copy (evaluation on one set), and returns (k, B, classes)."""

    def __init__(self, models: list[nn.Module]):
        super().__init__()
        if not models:
            raise ValueError("FusedModels needs at least one model")
        params, buffers = stack_module_state(models)
        self.k = len(models)
        self.param_names, self.buffer_names = list(params), list(buffers)
        for name in self.param_names:
            self.register_parameter(_key(name), nn.Parameter(params[name].detach().clone()))
        for name in self.buffer_names:
            self.register_buffer(_key(name), buffers[name].clone())
        # The architecture whose forward runs on each copy's slice; kept out of the module tree (its own
        # weights are never used), but its train/eval mode follows this module's.
        self._skeleton = [copy.deepcopy(models[0])]

    def train(self, mode: bool = True) -> FusedModels:
        super().train(mode)
        self._skeleton[0].train(mode)
        return self

    def stacked(self) -> tuple[dict, dict]:
        """(parameters, buffers) by their model names, each stacked over the copies (leading dim k)."""
        return ({n: getattr(self, _key(n)) for n in self.param_names},
                {n: getattr(self, _key(n)) for n in self.buffer_names})

    def forward(self, x: torch.Tensor, shared: bool = False) -> torch.Tensor:
        skeleton = self._skeleton[0]

        def one(params, buffers, xb):
            return functional_call(skeleton, (params, buffers), (xb,))

        params, buffers = self.stacked()
        return vmap(one, in_dims=(0, 0, None if shared else 0), randomness="different")(params, buffers, x)

    def copy_state_dict(self, i: int) -> dict[str, torch.Tensor]:
        """Copy i's weights and buffers as its own model's state_dict (what its model.pt holds)."""
        params, buffers = self.stacked()
        return {name: t[i].detach().clone() for name, t in {**params, **buffers}.items()}

    def load_copy_state_dict(self, i: int, state: dict[str, torch.Tensor]) -> None:
        """Put one model's state_dict into copy i (resuming one seed from its own checkpoint)."""
        params, buffers = self.stacked()
        expected = set(params) | set(buffers)
        if set(state) != expected:
            raise KeyError(f"state_dict does not match the fused architecture: missing "
                           f"{sorted(expected - set(state))[:5]}, unexpected {sorted(set(state) - expected)[:5]}")
        with torch.no_grad():
            for name, t in {**params, **buffers}.items():
                t[i].copy_(state[name])

    def unfused(self, i: int) -> nn.Module:
        """Copy i as a model of its own (evaluation, probes, saving)."""
        model = copy.deepcopy(self._skeleton[0])
        model.load_state_dict(self.copy_state_dict(i))
        return model.train(self.training)


def fused_loss(logits: torch.Tensor, targets: torch.Tensor, alive: torch.Tensor,
               label_smoothing: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(sum of the live copies' mean cross-entropies, each copy's mean loss). logits (k, B, C),
    targets (k, B), alive (k,) bool: a dead (diverged) copy contributes nothing, not even NaN."""
    k, b, c = logits.shape
    per_copy = F.cross_entropy(logits.reshape(k * b, c).float(), targets.reshape(k * b), reduction="none",
                               label_smoothing=label_smoothing).view(k, b).mean(1)
    total = torch.where(alive, per_copy, torch.zeros_like(per_copy)).sum()
    return total, per_copy.detach()


@torch.no_grad()
def evaluate_fused(fused: FusedModels, x: torch.Tensor, y: torch.Tensor, batch_size: int,
                   autocast) -> list[tuple[float, float]]:
    """Each copy's mean cross-entropy and error rate on one (x, y) (eval mode), in one pass per batch."""
    if len(y) == 0:
        return [(float("nan"), float("nan"))] * fused.k
    fused.eval()
    loss_sum = torch.zeros(fused.k, device=x.device)
    wrong = torch.zeros(fused.k, device=x.device)
    for xb, yb in iterate_batches(x, y, batch_size):
        with autocast():
            logits = fused(xb, shared=True).float()
        k, b, c = logits.shape
        loss_sum += F.cross_entropy(logits.reshape(k * b, c), yb.repeat(k), reduction="none").view(k, b).sum(1)
        wrong += (logits.argmax(-1) != yb).sum(1)
    return [(loss_sum[i].item() / len(y), wrong[i].item() / len(y)) for i in range(fused.k)]


def copy_optimizer_state(fused: FusedModels, optimizer: torch.optim.Optimizer, i: int) -> dict:
    """Copy i's part of the fused SGD state as the state_dict its own SGD would have (so a seed
    resumes fused or alone alike)."""
    params, _ = fused.stacked()
    group = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
    state = {}
    for j, name in enumerate(fused.param_names):
        buf = optimizer.state.get(params[name], {}).get("momentum_buffer")
        if buf is not None:
            state[j] = {"momentum_buffer": buf[i].clone()}
    return {"state": state, "param_groups": [{**group, "params": list(range(len(fused.param_names)))}]}


class FusedCopies:
    """k > 1: the training loop's view of k seeds as one FusedModels (see train.loop.SingleCopy)."""

    def __init__(self, models: list[nn.Module], device: torch.device):
        self.fused = FusedModels(models).to(device)
        self.k, self.params = self.fused.k, count_parameters(models[0])

    def parameters(self):
        return self.fused.parameters()

    def train(self) -> None:
        self.fused.train()

    @staticmethod
    def batch(pairs):
        """Each copy its own batch (its own data order and augmentation), stacked: (k, B, ...)."""
        return torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs])

    def forward(self, xb):
        return self.fused(xb)

    @staticmethod
    def losses(logits, yb, alive, label_smoothing: float):
        loss, per_copy = fused_loss(logits, yb, alive, label_smoothing)
        return loss, per_copy, (logits.detach().argmax(-1) != yb).sum(1)

    def evaluate(self, x, y, batch_size: int, autocast) -> list[tuple[float, float]]:
        return evaluate_fused(self.fused, x, y, batch_size, autocast)

    def copy(self, i: int) -> nn.Module:
        return self.fused.unfused(i)

    def state_dict(self, i: int) -> dict:
        return self.fused.copy_state_dict(i)

    def optimizer_state(self, optimizer, i: int) -> dict:
        return copy_optimizer_state(self.fused, optimizer, i)

    def load(self, i: int, state: dict, optimizer) -> None:
        """Copy i from its own resume state: weights, BatchNorm statistics and momentum."""
        self.fused.load_copy_state_dict(i, state["model"])
        params, _ = self.fused.stacked()
        saved = state["optimizer"].get("state", {})
        with torch.no_grad():
            for j, name in enumerate(self.fused.param_names):
                buf = saved.get(j, {}).get("momentum_buffer")
                if buf is None:
                    continue
                slot = optimizer.state[params[name]]
                if "momentum_buffer" not in slot:  # before the group's first step: zeros for the others
                    slot["momentum_buffer"] = torch.zeros_like(params[name])
                slot["momentum_buffer"][i].copy_(buf)
