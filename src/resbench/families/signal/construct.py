"""Deeper nets built from a trained shallow one (claims 1 and 2).

The identity construction (He et al. 2016, Sec. 1): a plain net of depth D > d whose first blocks of
every stage are the trained plain-d net's and whose extra blocks compute the identity has exactly
the shallow net's outputs, so the deeper architecture's optimum is at least as good and any
degradation is an optimization failure. The appended-layers experiment freezes the shallow net and
trains only k appended plain or residual blocks (standard initialization): plain blocks must learn
the identity, residual blocks only F(x) -> 0.
"""
from __future__ import annotations

from contextlib import nullcontext

import torch
import torch.nn.functional as F
from torch import nn

from ...models import create_model
from ...models.cifar_resnet import BasicBlock, blocks_per_stage
from ...train.device import eval_batch_size
from ...trained import evaluate


def set_identity(block: BasicBlock) -> None:
    """Make a stride-1 plain block (conv-BN-ReLU-conv-BN-ReLU) compute x for any x >= 0 in eval mode:
    conv kernels copy channel c to channel c, BatchNorm passes through (running mean 0, running
    variance 1 - eps so that var + eps is exactly 1, weight 1, bias 0), ReLU of a non-negative input."""
    if block.residual or block.stride != 1 or block.in_chs != block.out_chs or block.placement != "post":
        raise ValueError("identity blocks are stride-1 plain post-activation blocks of equal width")
    with torch.no_grad():
        for conv in (block.conv1, block.conv2):
            conv.weight.zero_()
            idx = torch.arange(conv.out_channels)
            conv.weight[idx, idx, 1, 1] = 1.0
        for bn in (block.bn1, block.bn2):
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
            bn.weight.fill_(1.0)
            bn.bias.zero_()


def identity_extended(shallow: nn.Module, depth: int) -> nn.Module:
    """A plain net of `depth` (same family, stages and widths) holding the trained plain `shallow`
    net in the first blocks of each stage and identity blocks after them; eval mode."""
    if shallow.residual:
        raise ValueError("the identity construction extends a plain net")
    n_small, n_big = blocks_per_stage(shallow.depth), blocks_per_stage(depth)
    if n_big < n_small:
        raise ValueError(f"depth {depth} is not deeper than {shallow.depth}")
    deep = create_model("plain", depth, shortcut=shallow.shortcut, in_chans=shallow.stem[0].in_channels,
                        num_classes=shallow.num_classes)
    deep.stem.load_state_dict(shallow.stem.state_dict())
    deep.head.load_state_dict(shallow.head.state_dict())
    for stage in range(3):
        for i in range(n_big):
            target = deep.blocks[stage * n_big + i]
            if i < n_small:
                target.load_state_dict(shallow.blocks[stage * n_small + i].state_dict())
            else:
                set_identity(target)
    return deep.to(next(shallow.parameters()).device).eval()


def appended_blocks(channels: int, k: int, residual: bool) -> nn.Sequential:
    """k stride-1 basic blocks of `channels` with the model family's standard initialization."""
    blocks = nn.Sequential(*(BasicBlock(channels, channels, 1, residual=residual) for _ in range(k)))
    for m in blocks.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return blocks


class _Appended(nn.Module):
    """Appended blocks followed by the frozen shallow net's head (pool + linear), on cached features."""

    def __init__(self, blocks: nn.Module, head):
        super().__init__()
        self.blocks, self.head = blocks, head

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(features))


def train_appended(shallow: nn.Module, x: torch.Tensor, y: torch.Tensor, k: int, residual: bool, epochs: int,
                   lr: float, batch_size: int, seed: int) -> list[dict]:
    """Training loss and error per epoch (0 = before training) of frozen shallow features -> k
    appended blocks -> frozen head, training only the appended blocks (SGD, momentum 0.9, cosine
    learning rate). The shallow net's features are computed once (it is frozen, in eval mode)."""
    shallow.eval()
    with torch.no_grad():
        step = eval_batch_size(None, x.device)
        features = torch.cat([shallow.forward_features(x[s:s + step]) for s in range(0, len(y), step)])
    frozen = [p for p in shallow.parameters() if p.requires_grad]
    for p in frozen:
        p.requires_grad_(False)
    try:
        return _train_blocks(shallow.forward_head, features, y, k, residual, epochs, lr, batch_size, seed)
    finally:
        for p in frozen:
            p.requires_grad_(True)


def _train_blocks(head, features, y, k, residual, epochs, lr, batch_size, seed) -> list[dict]:
    torch.manual_seed(seed)
    net = _Appended(appended_blocks(features.shape[1], k, residual).to(features.device), head)
    optimizer = torch.optim.SGD(net.blocks.parameters(), lr=lr, momentum=0.9)
    steps = epochs * -(-len(y) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(1, steps))
    generator = torch.Generator().manual_seed(seed)

    def row(epoch: int) -> dict:  # the training loop's own evaluation (eval mode, full precision)
        loss, error = evaluate(net, features, y, eval_batch_size(None, features.device), nullcontext)
        return {"epoch": epoch, "train_loss": loss, "train_error": error}

    rows = [row(0)]
    for epoch in range(1, epochs + 1):
        net.train()
        order = torch.randperm(len(y), generator=generator).to(y.device)
        for s in range(0, len(y), batch_size):
            idx = order[s:s + batch_size]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            loss = F.cross_entropy(net(features[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        rows.append(row(epoch))
    return rows
