"""One seaborn style and one colour per architecture family, shared by every figure."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..grid import GRID_ARCHS  # noqa: E402
from .archs import ARCH_LABELS, ARCH_ORDER  # noqa: E402,F401  (re-exported for the figure modules)

_PALETTE = sns.color_palette("colorblind")
FIGURE_DPI = 200
ARCH_COLORS = {a.name: _PALETTE[a.colour] for a in GRID_ARCHS}  # plain orange, ResNet blue, ResNet-SD green


def apply_style() -> None:
    """The figures are only ever written to files: the figure's own dpi is the files' (a layout measured at
    one dpi is not measured again at another)."""
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.1,
                  rc={"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI, "axes.titleweight": "bold",
                      "legend.frameon": False, "font.family": "DejaVu Sans",
                      "svg.hashsalt": "resbench"})  # the SVG's element ids the same on every run


def depth_shades(arch: str, n: int) -> list:
    """n shades of the family colour, light (shallow) to dark (deep)."""
    return sns.light_palette(ARCH_COLORS[arch], n_colors=n + 2)[2:]


def close(fig) -> None:
    plt.close(fig)
