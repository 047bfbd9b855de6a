"""Figures: each function takes a tidy DataFrame and returns a matplotlib Figure."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ...report.style import ARCH_COLORS, ARCH_LABELS, ARCH_ORDER, depth_shades
from .claims import depth_table


def error_vs_depth(runs: pd.DataFrame):
    """Final train and test error vs depth, plain vs ResNet, mean +/- std over seeds."""
    table = depth_table(runs)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
    for ax, split in zip(axes, ("train", "test")):
        for arch, rows in table.groupby("arch"):
            rows = rows.sort_values("depth")
            ax.errorbar(rows["depth"], 100 * rows[f"{split}_error_mean"], yerr=100 * rows[f"{split}_error_std"],
                        color=ARCH_COLORS[arch], label=ARCH_LABELS[arch], marker="o", capsize=3, lw=2)
            for _, row in rows[rows["n_diverged"] > 0].iterrows():
                ax.annotate(f"{row['n_diverged']} diverged", (row["depth"], 0), color=ARCH_COLORS[arch],
                            xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
        ax.set_title(f"{split} error")
        ax.set_xlabel("depth (layers)")
        ax.set_xticks(sorted(table["depth"].unique()))
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_ylim(bottom=0)
    axes[0].set_ylabel("final error (mean ± std over seeds)")
    axes[1].legend(loc="upper left")
    fig.tight_layout()
    return fig


def training_curves(epochs: pd.DataFrame):
    """He'16 Fig. 6 style: per family, error vs epoch for each depth; dashed train, bold test."""
    archs = [a for a in ARCH_ORDER if a in set(epochs["arch"])]
    curves = epochs.groupby(["arch", "depth", "epoch"])[["train_error", "test_error"]].mean().reset_index()
    fig, axes = plt.subplots(1, len(archs), figsize=(4.6 * len(archs), 4.2), sharey=True, squeeze=False)
    for ax, arch in zip(axes[0], archs):
        rows = curves[curves["arch"] == arch]
        depths = sorted(rows["depth"].unique())
        for shade, depth in zip(depth_shades(arch, len(depths)), depths):
            d = rows[rows["depth"] == depth]
            ax.plot(d["epoch"], 100 * d["train_error"], ls="--", lw=1.2, color=shade)
            ax.plot(d["epoch"], 100 * d["test_error"], ls="-", lw=2.4, color=shade, label=f"{ARCH_LABELS[arch]}-{depth}")
        ax.set_title(f"{ARCH_LABELS[arch]} nets")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.legend(handles=ax.get_legend_handles_labels()[0], loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=min(4, len(depths)), fontsize=8)
    fig.legend(handles=[Line2D([], [], color="grey", ls="--", lw=1.2, label="train error (dashed)"),
                        Line2D([], [], color="grey", ls="-", lw=2.4, label="test error (bold)")],
               loc="upper right", ncol=2, fontsize=8)
    axes[0][0].set_ylabel("error (mean over seeds)")
    axes[0][0].set_ylim(bottom=0)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def intervals_over_rounds(rounds: dict):
    """Each sequential claim's tested parts at every look: estimate and 90% interval against the margin
    (dashed; ± for an equivalence), one panel per part, rounds on x. A claim stops at the look that
    decided it. None when no look tested a part."""
    panels = [(cid, part) for look in rounds["looks"] for cid, c in look["claims"].items() for part in c["parts"]]
    panels = list(dict.fromkeys(panels))
    if not panels:  # no look tested a part (too few seeds): nothing to draw
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2), squeeze=False)
    for ax, (cid, part) in zip(axes[0], panels):
        points = [(look["round"], look["claims"][cid]["parts"][part], look["claims"][cid]["stop"])
                  for look in rounds["looks"] if part in look["claims"].get(cid, {}).get("parts", {})]
        for r, p, stop in points:
            if p["effect"] is None or p["low"] is None:
                continue
            ax.errorbar([r], [100 * p["effect"]], yerr=[[100 * (p["effect"] - p["low"])], [100 * (p["high"] - p["effect"])]],
                        marker="o", capsize=4, color="#333" if stop == "next round" else "#c0392b", lw=2)
        margin = next((p["margin"] for _, p, _ in points if p.get("margin") is not None), None)
        if margin is not None:
            ax.axhline(100 * margin, ls="--", color="#888", lw=1)
            if any("equivalence" in (p.get("test") or "") for _, p, _ in points):  # a band: ±margin
                ax.axhline(-100 * margin, ls="--", color="#888", lw=1)
        ax.set_title(f"{cid.replace('_', ' ')}:\n{part.replace('_', ' ')}", fontsize=9)
        ax.set_xlabel("round (look)")
        ax.set_xticks(range(1, rounds["cap"] + 1))
        ax.set_xlim(0.5, rounds["cap"] + 0.5)
    axes[0][0].set_ylabel("estimate, 90% interval (points)")
    fig.tight_layout()
    return fig
