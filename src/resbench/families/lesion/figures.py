"""Lesion-study figures in the style of Veit et al. (2016), Figs. 3-6."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ...report.style import ARCH_COLORS, ARCH_LABELS, ARCH_ORDER


def _archs(frame: pd.DataFrame) -> list[str]:
    return [a for a in ARCH_ORDER if a in set(frame["arch"])]


def delete_one(lesion: pd.DataFrame, depths: list[int]):
    """Test error after deleting each single block (Veit Fig. 3), one panel per depth;
    dashed: unlesioned error; grey: downsampling blocks."""
    fig, axes = plt.subplots(len(depths), 1, figsize=(9, 3.0 * len(depths)), squeeze=False)
    for ax, depth in zip(axes[:, 0], depths):
        _delete_one_panel(ax, lesion[lesion["depth"] == depth], depth)
    fig.tight_layout()
    return fig


def _delete_one_panel(ax, rows: pd.DataFrame, depth: int) -> None:
    # a depth-8 net has single-digit block ids, which the CSV reader may give back as floats ("0.0")
    one = rows[rows["kind"] == "delete_one"].assign(block=lambda d: pd.to_numeric(d["blocks"]).astype(int))
    for arch in _archs(rows):
        mean = one[one["arch"] == arch].groupby("block")["test_error"].agg(["mean", "std"]).fillna(0)
        ax.plot(mean.index, 100 * mean["mean"], marker="o", ms=4, color=ARCH_COLORS[arch], label=ARCH_LABELS[arch])
        ax.fill_between(mean.index, 100 * (mean["mean"] - mean["std"]), 100 * (mean["mean"] + mean["std"]),
                        color=ARCH_COLORS[arch], alpha=0.15, lw=0)
        base = rows[(rows["arch"] == arch) & (rows["kind"] == "none")]["test_error"].mean()
        ax.axhline(100 * base, color=ARCH_COLORS[arch], ls="--", lw=1)
    for block in sorted(one[one["downsampling"].astype(bool)]["block"].unique()):
        ax.axvline(block, color="grey", lw=6, alpha=0.2)
    ax.set_xlabel(f"deleted block (depth {depth}; grey: downsampling blocks)")
    ax.set_ylabel("test error (mean ± std over seeds)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylim(0, 100)
    ax.legend(loc="center right", fontsize=8)


def delete_k(lesion: pd.DataFrame):
    """Test error against the number of deleted blocks, one panel per depth (Veit Fig. 5a)."""
    depths = sorted(lesion["depth"].unique())
    fig, axes = plt.subplots(1, len(depths), figsize=(2.6 * len(depths) + 1, 3.4), sharey=True, squeeze=False)
    for ax, depth in zip(axes[0], depths):
        rows = lesion[(lesion["depth"] == depth) & lesion["kind"].isin(["none", "delete_k"])]
        for arch in _archs(rows):
            curve = rows[rows["arch"] == arch].groupby("k")["test_error"].agg(["mean", "std"]).fillna(0)
            ax.errorbar(curve.index, 100 * curve["mean"], yerr=100 * curve["std"], marker="o", ms=3, capsize=2,
                        color=ARCH_COLORS[arch], label=ARCH_LABELS[arch])
        ax.set_title(f"depth {depth}")
        ax.set_xlabel("blocks deleted")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0][0].set_ylabel("test error")
    axes[0][0].yaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes[0][0].set_ylim(0, 100)
    handles, labels = axes[0][-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def reorder(lesion: pd.DataFrame, depth: int):
    """Test error against Kendall's tau of the block order after random swaps (Veit Fig. 5b)."""
    rows = lesion[(lesion["depth"] == depth) & (lesion["kind"] == "reorder")]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for arch in _archs(rows):
        r = rows[rows["arch"] == arch]
        ax.scatter(r["kendall_tau"], 100 * r["test_error"], s=12, alpha=0.6, color=ARCH_COLORS[arch],
                   label=ARCH_LABELS[arch])
    ax.invert_xaxis()
    ax.set_xlabel("Kendall τ of the block order (1 = original)")
    ax.set_ylabel("test error")
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylim(0, 100)
    ax.set_title(f"depth {depth}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def path_gradients(paths: pd.DataFrame, depth: int):
    """Veit Fig. 6: (a) path-length distribution, (b) gradient per path, (c) total gradient per length."""
    rows = paths[paths["depth"] == depth]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for arch in _archs(rows):
        p = rows[rows["arch"] == arch].groupby("k")[["path_fraction", "grad_norm", "total_gradient"]].mean()
        color, label = ARCH_COLORS[arch], ARCH_LABELS[arch]
        axes[0].plot(p.index, p["path_fraction"], color=color, label=label)
        axes[1].semilogy(p.index, p["grad_norm"], color=color, label=label)
        axes[2].plot(p.index, p["total_gradient"] / p["total_gradient"].sum(), color=color, label=label)
    titles = ("(a) paths of each length", "(b) gradient norm per path", "(c) share of total gradient")
    for ax, title in zip(axes, titles):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("path length (residual branches on the path)")
    axes[0].set_ylabel("fraction of all paths")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    return fig
