"""Vanishing gradients in fully connected nets after Nielsen (Neural Networks and Deep Learning, ch. 5):
the "speed of learning" ||dC/db^l|| of each hidden layer, at initialization and during training,
and test accuracy vs the number of hidden layers; sigmoid vs ReLU vs sigmoid with residual
connections (claim 3)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": F.relu}


class MLP(nn.Module):
    """in -> hidden x n -> out. Nielsen's initialization: weights N(0, 1/fan_in), biases N(0, 1).
    With `residual`, every hidden layer after the first adds its input: h <- h + act(W h + b)."""

    def __init__(self, in_features: int, hidden: int, layers: int, out_features: int, activation: str = "sigmoid",
                 residual: bool = False):
        super().__init__()
        self.act, self.residual = ACTIVATIONS[activation], residual
        sizes = [in_features] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.head = nn.Linear(sizes[-1], out_features)
        for layer in [*self.hidden, self.head]:
            nn.init.normal_(layer.weight, std=1 / math.sqrt(layer.in_features))
            nn.init.normal_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.flatten(1)
        for k, layer in enumerate(self.hidden):
            out = self.act(layer(h))
            h = h + out if self.residual and k > 0 else out
        return self.head(h)


class StackedMLPs(nn.Module):
    """k MLPs of one shape (their own weights) run as one: every hidden layer is one batched matrix
    product over the k nets, so k seeds cost about one seed's Python and kernel launches. Inputs are
    (k, batch, features); the summed per-net losses give each net exactly its own gradient."""

    def __init__(self, nets: list[MLP]):
        super().__init__()
        first = nets[0]
        self.act, self.residual = first.act, first.residual
        stack = lambda tensors: nn.Parameter(torch.stack([t.detach() for t in tensors]))  # noqa: E731
        self.weights = nn.ParameterList(stack([n.hidden[k].weight.transpose(0, 1) for n in nets])
                                        for k in range(len(first.hidden)))
        self.biases = nn.ParameterList(stack([n.hidden[k].bias for n in nets]) for k in range(len(first.hidden)))
        self.head_weight = stack([n.head.weight.transpose(0, 1) for n in nets])
        self.head_bias = stack([n.head.bias for n in nets])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.flatten(2)
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            out = self.act(torch.baddbmm(b.unsqueeze(1), h, w))
            h = h + out if self.residual and k > 0 else out
        return torch.baddbmm(self.head_bias.unsqueeze(1), h, self.head_weight)


def _losses(model: StackedMLPs, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-net mean cross-entropy; x is (k, n, ...) and y (k, n)."""
    logits = model(x)
    return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").view(y.shape).mean(1)


def stacked_speeds(model: StackedMLPs, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """||dC/db^l|| per net and hidden layer, shape (k, layers), C each net's mean cross-entropy over (x, y)."""
    k = model.head_bias.shape[0]
    model.zero_grad(set_to_none=True)
    _losses(model, x.expand(k, *x.shape), y.expand(k, *y.shape)).sum().backward()
    speeds = torch.stack([b.grad.norm(dim=1) for b in model.biases], dim=1)
    model.zero_grad(set_to_none=True)
    return speeds


def train_mlps(nets: list[MLP], train: tuple[torch.Tensor, torch.Tensor], test: tuple[torch.Tensor, torch.Tensor],
               epochs: int, batch_size: int, lr: float, seeds: list[int]) -> tuple[list[list[dict]], list[list[dict]]]:
    """Plain mini-batch SGD (Nielsen: batch 10, eta 0.1) of k nets of one shape at once, net i drawing its
    batches from its own generator seeded with seeds[i] (the order a lone run with that seed draws).
    Returns, per net, (per-epoch rows with test accuracy and training loss, per-epoch-and-layer rows
    with the speed of learning); epoch 0 = initialization. Equal to training each net alone, to float
    rounding (tests/families/test_signal.py)."""
    x, y = train
    k, n = len(nets), len(y)
    model = StackedMLPs(nets)
    generators = [torch.Generator().manual_seed(seed) for seed in seeds]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    epoch_rows, speed_rows = [[] for _ in nets], [[] for _ in nets]

    def record(epoch: int, losses: torch.Tensor) -> None:
        with torch.no_grad():
            right = (model(test[0].expand(k, *test[0].shape)).argmax(2) == test[1]).double().mean(1)
        speeds = stacked_speeds(model, x, y)
        for i in range(k):
            epoch_rows[i].append({"epoch": epoch, "train_loss": float(losses[i]), "test_accuracy": float(right[i])})
            speed_rows[i].extend({"epoch": epoch, "layer": layer + 1, "speed": float(s)}
                                 for layer, s in enumerate(speeds[i]))

    with torch.no_grad():
        initial = _losses(model, x.expand(k, *x.shape), y.expand(k, n))
    record(0, initial)
    for epoch in range(1, epochs + 1):
        orders = torch.stack([torch.randperm(n, generator=g) for g in generators])
        total = torch.zeros(k, dtype=torch.float64)
        for start in range(0, n, batch_size):
            idx = orders[:, start:start + batch_size]
            losses = _losses(model, x[idx], y[idx])
            optimizer.zero_grad(set_to_none=True)
            losses.sum().backward()
            optimizer.step()
            total += losses.detach().double() * idx.shape[1]
        record(epoch, total / n)
    return epoch_rows, speed_rows


def sigmoid_chain_bound(depth: int) -> float:
    """Upper bound of the factor a gradient is multiplied by through a chain of `depth` sigmoid units
    with weights |w| <= 1: (max sigma')^depth = (1/4)^depth, reached when every pre-activation is 0."""
    return 0.25 ** depth
