"""Shortcut paths and how they are combined with the residual branch (He et al. 2016b, Table 1).

`make_shortcut` builds h(x): identity, option A (zero-pad), B (projection where shapes change) or
C (projection on every block, the paper's "1x1 conv shortcut"). `Combiner` merges h(x) with the
branch F(x): plain addition, constant scaling, exclusive or shortcut-only gating, or dropout on h.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SHORTCUTS = ("A", "B", "C")
SHORTCUT_OPS = ("identity", "scale", "scale_both", "gate_exclusive", "gate_shortcut", "dropout")


class ZeroPadShortcut(nn.Module):
    """Option A: identity with stride-2 subsampling and zero-padded new channels (no parameters)."""

    def __init__(self, in_chs: int, out_chs: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = out_chs - in_chs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))


def make_shortcut(in_chs: int, out_chs: int, stride: int, shortcut: str) -> nn.Module:
    """h(x): identity when shapes match (A, B), zero-pad (A) or projection (B) where they change,
    projection on every block (C)."""
    if shortcut not in SHORTCUTS:
        raise ValueError(f"unknown shortcut {shortcut!r}; allowed: {', '.join(SHORTCUTS)}")
    if shortcut == "C" or (shortcut == "B" and (stride != 1 or in_chs != out_chs)):
        return nn.Sequential(nn.Conv2d(in_chs, out_chs, 1, stride, bias=False), nn.BatchNorm2d(out_chs))
    if stride == 1 and in_chs == out_chs:
        return nn.Identity()
    return ZeroPadShortcut(in_chs, out_chs, stride)


class Combiner(nn.Module):
    """out = combine(F(x), h(x), x) for one of SHORTCUT_OPS.

    scale: F + lam*h; scale_both: (1-lam)*F + lam*h; gate_exclusive: g*F + (1-g)*h;
    gate_shortcut: F + (1-g)*h, with g = sigmoid(conv1x1(x) + b_g); dropout: F + dropout(h).
    """

    def __init__(self, op: str, in_chs: int, out_chs: int, stride: int, scale: float = 0.5,
                 gate_bias: float = -6.0, dropout: float = 0.5):
        super().__init__()
        if op not in SHORTCUT_OPS:
            raise ValueError(f"unknown shortcut_op {op!r}; allowed: {', '.join(SHORTCUT_OPS)}")
        self.op, self.scale = op, scale
        self.gate = None
        if op.startswith("gate"):
            self.gate = nn.Conv2d(in_chs, out_chs, 1, stride, bias=True)
            nn.init.constant_(self.gate.bias, gate_bias)
        self.dropout = nn.Dropout(dropout) if op == "dropout" else None

    def forward(self, branch: torch.Tensor, shortcut: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        if self.op == "identity":
            return branch + shortcut
        if self.op == "scale":
            return branch + self.scale * shortcut
        if self.op == "scale_both":
            return (1 - self.scale) * branch + self.scale * shortcut
        if self.op == "dropout":
            return branch + self.dropout(shortcut)
        g = torch.sigmoid(self.gate(x))
        if self.op == "gate_exclusive":
            return g * branch + (1 - g) * shortcut
        return branch + (1 - g) * shortcut
