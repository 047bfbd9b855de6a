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


def learning_speeds(model: MLP, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """||dC/db^l|| per hidden layer l (input side first), C the mean cross-entropy over (x, y)."""
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    speeds = [float(layer.bias.grad.norm()) for layer in model.hidden]
    model.zero_grad(set_to_none=True)
    return speeds


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((model(x).argmax(1) == y).float().mean())


def train_mlp(model: MLP, train: tuple[torch.Tensor, torch.Tensor], test: tuple[torch.Tensor, torch.Tensor],
              epochs: int, batch_size: int, lr: float, seed: int) -> tuple[list[dict], list[dict]]:
    """Plain mini-batch SGD (Nielsen: batch 10, eta 0.1). Returns (per-epoch rows with test accuracy
    and training loss, per-epoch-and-layer rows with the speed of learning); epoch 0 = initialization."""
    x, y = train
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    epochs_rows, speed_rows = [], []

    def record(epoch: int, loss: float) -> None:
        epochs_rows.append({"epoch": epoch, "train_loss": loss, "test_accuracy": accuracy(model, *test)})
        speed_rows.extend({"epoch": epoch, "layer": k + 1, "speed": s}
                          for k, s in enumerate(learning_speeds(model, x, y)))

    with torch.no_grad():
        initial_loss = float(F.cross_entropy(model(x), y))
    record(0, initial_loss)
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(y), generator=generator)
        total = 0.0
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        record(epoch, total / len(y))
    return epochs_rows, speed_rows


def sigmoid_chain_bound(depth: int) -> float:
    """Upper bound of the factor a gradient is multiplied by through a chain of `depth` sigmoid units
    with weights |w| <= 1: (max sigma')^depth = (1/4)^depth, reached when every pre-activation is 0."""
    return 0.25 ** depth
