"""Loss-landscape figures: 2-D contours, 1-D slices and a 3-D view, plain vs residual side by side."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...report.style import ARCH_COLORS, ARCH_LABELS

ARCHS = ("plain", "resnet")


def _grid(surface: pd.DataFrame, arch: str, depth: int):
    s = surface[(surface["arch"] == arch) & (surface["depth"] == depth)]
    loss = s.pivot(index="i", columns="j", values="loss")
    alpha = s.pivot(index="i", columns="j", values="alpha").to_numpy()
    beta = s.pivot(index="i", columns="j", values="beta").to_numpy()
    return alpha, beta, np.log10(loss.to_numpy())


CAP = 10.0  # Li et al. draw contours up to loss 10; above it a plain net's loss can reach 1e8 at the edge


def contours(surface: pd.DataFrame):
    """log10 training loss over the 2-D slice, capped at loss 10 as in Li et al. (white: above the
    cap); rows = plain / ResNet, columns = depth, shared levels."""
    logs = np.log10(surface["loss"].clip(lower=1e-8, upper=CAP))
    levels = np.linspace(np.floor(logs.min() * 2) / 2, np.log10(CAP), 13)
    fig, axes, panels = _panels(surface, 3.1, 3.0)
    for ax, arch, depth in panels:
        a, b, z = _grid(surface, arch, depth)
        z = np.where(z > np.log10(CAP), np.nan, z)
        filled = ax.contourf(b, a, z, levels=levels, cmap="viridis")
        lines = ax.contour(b, a, z, levels=levels[::2], colors="white", linewidths=0.6)
        ax.clabel(lines, fmt="%.1f", fontsize=6)
        ax.plot(0, 0, marker="+", color="red")
    fig.colorbar(filled, ax=axes, shrink=0.8, label=f"log10 training loss (capped at {CAP:g})")
    return fig


def _panels(frame: pd.DataFrame, width: float, height: float):
    """(figure, axes, [(ax, arch, depth)]): plain / ResNet rows x depth columns on shared axes, each
    panel titled in its family's colour, α and β labelled on the outer panels."""
    depths = sorted(frame["depth"].unique())
    archs = [a for a in ARCHS if a in set(frame["arch"])]
    fig, axes = plt.subplots(len(archs), len(depths), figsize=(width * len(depths) + 1, height * len(archs)),
                             squeeze=False, sharex=True, sharey=True)
    panels = []
    for r, arch in enumerate(archs):
        for c, depth in enumerate(depths):
            ax = axes[r][c]
            ax.set_title(f"{ARCH_LABELS[arch]}-{depth}", color=ARCH_COLORS[arch])
            if r == len(archs) - 1:
                ax.set_xlabel("β")
            if c == 0:
                ax.set_ylabel("α")
            panels.append((ax, arch, depth))
    return fig, axes, panels


def slices(surface: pd.DataFrame):
    """1-D slices along the first direction (β = 0): training loss, plain vs ResNet per depth."""
    depths = sorted(surface["depth"].unique())
    fig, axes = plt.subplots(1, len(depths), figsize=(3.0 * len(depths) + 0.5, 3.0), sharey=True, squeeze=False)
    for ax, depth in zip(axes[0], depths):
        for arch in ARCHS:
            s = surface[(surface["arch"] == arch) & (surface["depth"] == depth)]
            mid = s[np.isclose(s["beta"], s["beta"].abs().min())].sort_values("alpha")
            ax.semilogy(mid["alpha"], mid["loss"], color=ARCH_COLORS[arch], label=ARCH_LABELS[arch], lw=2)
        ax.set_title(f"depth {depth}")
        ax.set_xlabel("α (β = 0)")
    axes[0][0].set_ylabel("training loss")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def surface_3d(surface: pd.DataFrame, depth: int):
    """3-D view of plain and ResNet at one depth on a shared z range."""
    fig = plt.figure(figsize=(9, 3.8))
    logs = np.log10(surface[surface["depth"] == depth]["loss"].clip(lower=1e-8))
    for k, arch in enumerate(ARCHS):
        ax = fig.add_subplot(1, 2, k + 1, projection="3d")
        a, b, z = _grid(surface, arch, depth)
        ax.plot_surface(b, a, z, cmap="viridis", vmin=logs.min(), vmax=logs.max(), linewidth=0, antialiased=True)
        ax.set_zlim(logs.min(), logs.max())
        ax.set_title(f"{ARCH_LABELS[arch]}-{depth}", color=ARCH_COLORS[arch])
        ax.set_xlabel("β")
        ax.set_ylabel("α")
        ax.set_zlabel("log10 loss")
    fig.tight_layout()
    return fig


def interpolation(interp: pd.DataFrame):
    """Training loss along the line between two seeds' solutions (t = 0 and t = 1), per depth;
    solid: weights and BN statistics interpolated ('states'), dashed: weights only."""
    depths = sorted(interp["depth"].unique())
    fig, axes = plt.subplots(1, len(depths), figsize=(3.0 * len(depths) + 0.5, 3.0), sharey=True, squeeze=False)
    for ax, depth in zip(axes[0], depths):
        for arch in ARCHS:
            for kind, style in (("states", "-"), ("weights", "--")):
                s = interp[(interp["arch"] == arch) & (interp["depth"] == depth) & (interp["kind"] == kind)]
                ax.semilogy(s["t"], s["loss"], ls=style, color=ARCH_COLORS[arch],
                            label=f"{ARCH_LABELS[arch]} ({kind})")
        ax.axvline(0, color="grey", lw=0.5)
        ax.axvline(1, color="grey", lw=0.5)
        ax.set_title(f"depth {depth}")
        ax.set_xlabel("t (0: seed A, 1: seed B)")
    axes[0][0].set_ylabel("training loss")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def ratio_map(cells: pd.DataFrame):
    """|lambda_min/lambda_max| over the coarse grid (Li et al. 2018, Fig. 8), plain / ResNet x depth,
    one colour scale from 0 (locally convex) up; each cell annotated with its value."""
    top = max(float(cells["curvature_ratio"].max()), 1e-3)
    fig, axes, panels = _panels(cells, 2.6, 2.5)
    for ax, arch, depth in panels:
        s = cells[(cells["arch"] == arch) & (cells["depth"] == depth)]
        ratio = s.pivot(index="i", columns="j", values="curvature_ratio").to_numpy()
        lo, hi = float(s["alpha"].min()), float(s["alpha"].max())
        half = (hi - lo) / (len(ratio) - 1) / 2 if len(ratio) > 1 else 0.5  # cells centred on the points
        image = ax.imshow(ratio, origin="lower", extent=(lo - half, hi + half, lo - half, hi + half),
                          cmap="magma", vmin=0, vmax=top)
        ax.grid(False)
        for (i, j), value in np.ndenumerate(ratio):
            ax.text(lo + j * 2 * half, lo + i * 2 * half, f"{value:.2f}", ha="center", va="center", fontsize=6,
                    color="white" if value < top / 2 else "black")
    fig.colorbar(image, ax=axes, shrink=0.8, label="|λmin / λmax|")
    return fig
