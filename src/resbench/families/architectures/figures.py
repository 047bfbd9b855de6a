"""The architectures family's figures: error against parameters and against multiply-adds (Pareto
front drawn), the cardinality sweep, deletion damage per net, and training curves."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogFormatter, LogLocator, MaxNLocator, NullFormatter, PercentFormatter

from .catalog import CARDINALITY, NETS


def _colors(nets: list[str]) -> dict[str, tuple]:
    """Identity-path nets in blues/greens, the others in reds/oranges, in catalog order."""
    with_paths = [n for n in nets if NETS[n]["identity_paths"]]
    without = [n for n in nets if not NETS[n]["identity_paths"]]
    cool, warm = plt.get_cmap("viridis"), plt.get_cmap("autumn")
    out = {n: cool(0.15 + 0.7 * i / max(1, len(with_paths) - 1)) for i, n in enumerate(with_paths)}
    out.update({n: warm(0.1 + 0.6 * i / max(1, len(without) - 1)) for i, n in enumerate(without)})
    return out


def _si(value: float, _pos=None) -> str:
    """264000 -> '264k', 2.5e6 -> '2.5M'."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:g}"


class _PercentLog(LogFormatter):
    """A log axis's labels (matplotlib's choice of which ticks to label) as plain percentages: 3%, not 3x10^0."""

    def _num_to_string(self, x, vmin, vmax) -> str:
        return f"{x:g}%"


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both (lower x and lower y), by increasing x."""
    order = np.lexsort((y, x))
    front, best = [], np.inf
    for i in order:
        if y[i] < best:
            front.append(i)
            best = y[i]
    return np.array(front, dtype=int)


def error_vs_cost(table: pd.DataFrame):
    """Test error (mean and seed range) against parameters and against multiply-adds, one point per net,
    the Pareto front (no net both cheaper and better) as a dashed line."""
    colors = _colors(list(table["net"]))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.0), sharey=True)
    for ax, (column, label) in zip(axes, (("params", "parameters"), ("multiply_adds", "multiply-adds per image"))):
        x, y = table[column].to_numpy(float), 100 * table["test_mean"].to_numpy(float)
        for _, row in table.iterrows():
            lo = max(0.0, 100 * (row["test_mean"] - row["test_min"]))  # equal seeds: no bar (not -1e-15)
            hi = max(0.0, 100 * (row["test_max"] - row["test_mean"]))
            ax.errorbar(row[column], 100 * row["test_mean"], yerr=[[lo], [hi]], fmt="o", color=colors[row["net"]],
                        capsize=3, ms=7, mec="black", mew=0.6, label=row["label"])
        front = pareto_front(x, y)
        ax.plot(x[front], y[front], ls="--", color="0.4", lw=1, zorder=0, label="Pareto front")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(_si))
        if x.max() < 2 * x.min():  # a narrow range (nets at one budget): the minor ticks are the only labels
            ax.xaxis.set_minor_formatter(FuncFormatter(_si))
            ax.tick_params(axis="x", which="minor", labelsize=7)
        else:  # wider: 1, 2, 5 of each decade, labelled alike
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(label)
        ax.set_yscale("log")  # errors from ~1% to chance: a log axis keeps the trained nets apart
        ax.yaxis.set_major_formatter(_PercentLog())
        ax.yaxis.set_minor_formatter(_PercentLog())
    axes[0].set_ylabel("final test error (mean, seed range; log)")
    handles, labels = axes[0].get_legend_handles_labels()  # beside the last axes: tight_layout makes room for it
    axes[-1].legend(handles, labels, loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def sweep_and_deletion(runs: pd.DataFrame, cost: pd.DataFrame | None, damage: pd.DataFrame | None,
                       trained: dict[str, bool]):
    """Left: test error per seed and its mean against cardinality C at one budget. Right: the median
    test-error rise from deleting one block, per net (a point per seed; bars the mean), identity-path
    nets first; nets with no shape-keeping block are absent, nets that never trained are grey."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.9), gridspec_kw={"width_ratios": [1, 1.5]})
    nets = [n for n in CARDINALITY if n in set(runs["arch"])]
    cs, means = [CARDINALITY[n] for n in nets], []
    for n in nets:
        errs = 100 * runs.loc[runs["arch"] == n, "final_test_error"].to_numpy(float)
        left.scatter([CARDINALITY[n]] * len(errs), errs, color="0.6", s=14, zorder=2)
        means.append(np.nanmean(errs))
    left.plot(cs, means, marker="o", color="tab:blue", lw=2, zorder=3, label="mean over seeds")
    left.set_xscale("log", base=2)
    left.set_xticks(cs, [str(c) for c in cs])
    left.set_xlabel("cardinality C (groups; C = 1 is a bottleneck ResNet)")
    left.set_ylabel("final test error")
    left.yaxis.set_major_formatter(PercentFormatter(decimals=1))
    if cost is not None and nets:
        c = cost.set_index("net")
        left.set_title(f"ResNeXt-29 at {_si(c.loc[nets, 'params'].mean())} parameters, "
                       f"{_si(c.loc[nets, 'multiply_adds'].mean())} mult-adds", fontsize=9)
    left.legend(fontsize=8)
    if damage is None:
        right.set_axis_off()
    else:
        shown = [n for n in NETS if n in set(damage["net"]) and damage.loc[damage["net"] == n, "deleted"].max() > 0]
        colors = _colors(shown)
        for i, n in enumerate(shown):
            v = 100 * damage.loc[damage["net"] == n, "median_rise"].to_numpy(float)
            right.bar(i, np.nanmean(v), color=colors[n] if trained.get(n, True) else "0.85", edgecolor="black",
                      lw=0.6, width=0.7, hatch=None if trained.get(n, True) else "//")
            right.scatter(np.full(len(v), i), v, color="black", s=10, zorder=3)
        labels = [NETS[n]["label"] + ("" if trained.get(n, True) else " (never trained)") for n in shown]
        right.set_xticks(range(len(shown)), labels, rotation=30, ha="right", fontsize=8)
        right.set_ylabel("test-error rise from one deleted block (points)")
        right.axhline(0, color="black", lw=0.6)
    fig.tight_layout()
    return fig


def net_training_curves(epochs: pd.DataFrame):
    """Training loss and test error per epoch (median over seeds) of every net."""
    nets = [n for n in NETS if n in set(epochs["arch"])]
    colors = _colors(nets)
    curves = epochs.groupby(["arch", "epoch"])[["train_loss", "test_error"]].median().reset_index()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for n in nets:
        c = curves[curves["arch"] == n]
        axes[0].semilogy(c["epoch"], c["train_loss"], color=colors[n], lw=1.6, label=NETS[n]["label"])
        axes[1].plot(c["epoch"], 100 * c["test_error"], color=colors[n], lw=1.6)
    axes[0].set_ylabel("training loss (median over seeds)")
    axes[1].set_ylabel("test error (median over seeds)")
    axes[1].yaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes[1].set_ylim(0, min(100, 100 * curves["test_error"].max() * 1.05))
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[1].legend(*axes[0].get_legend_handles_labels(), loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8,
                   frameon=False)  # beside the axes: tight_layout makes room for it
    fig.tight_layout()
    return fig
