"""The depth grid's architectures, declared once. Each entry is the value a profile names in
`model.archs`, the model registered as `<name>_cifar`, how the report labels and colours it (and
where it sorts), and what it is as a net. Adding an entry registers its model, lets profiles name it
(the schema's allowed values come from here) and gives it a row, a label and a colour in every table
and figure. Torch-free: the schema, the models and the report kit all read it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GridArch:
    name: str
    label: str  # in tables, legends and claims
    colour: int  # index into seaborn's "colorblind" palette
    residual: bool  # identity shortcuts around every block, or a plain stack
    doc: str  # the registered model's one-line description
    drop_path_rate: float | None = None  # stochastic depth's default rate (None: no drop path)
    default_depth: int = 20


GRID_ARCHS = (  # in report order
    GridArch("plain", "plain", 1, residual=False, doc="Plain twin (no shortcuts) of any depth 6n+2."),
    GridArch("resnet", "ResNet", 0, residual=True, doc="CIFAR ResNet of any depth 6n+2."),
    GridArch("resnet_sd", "ResNet + stoch. depth", 2, residual=True, drop_path_rate=0.5, default_depth=110,
             doc="ResNet with stochastic depth (linear decay to survival 0.5 at the last block)."),
)
ARCHS = tuple(a.name for a in GRID_ARCHS)


def grid_arch(name: str) -> GridArch:
    for arch in GRID_ARCHS:
        if arch.name == name:
            return arch
    raise ValueError(f"unknown arch {name!r}; allowed: {', '.join(ARCHS)}")
