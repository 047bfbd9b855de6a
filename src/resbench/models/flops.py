"""Multiply-adds per image, counted by PyTorch's own FLOP counter (torch.utils.flop_counter), not by
hand: it counts the matrix products and convolutions a forward pass runs (2 FLOPs per multiply-add);
elementwise work (BN, ReLU, additions, pooling) is not counted, as in the papers' tables."""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def multiply_adds(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one forward pass of `model` (eval mode) on one image of `input_shape` (C, H, W)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(torch.zeros(1, *input_shape))
    finally:
        model.train(was_training)
    return counter.get_total_flops() // 2
