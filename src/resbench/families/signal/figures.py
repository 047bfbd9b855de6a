"""Signal-propagation figures: Nielsen's per-layer speeds of learning, per-block gradients and
responses of the conv grid (He et al. 2016, Fig. 7), rank vs depth, appended-layer training."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...report.style import ARCH_COLORS, ARCH_LABELS, depth_shades

# The MLP kinds, coloured like the conv families they stand for (plain = orange, residual = blue).
MLP_KINDS = (("sigmoid", False, "sigmoid", ARCH_COLORS["plain"]),
             ("relu", False, "ReLU", sns.color_palette("colorblind")[7]),
             ("sigmoid", True, "sigmoid + residual", ARCH_COLORS["resnet"]))


def nielsen(speeds: pd.DataFrame, mlp: pd.DataFrame):
    """Top: speed of learning ||dC/db^l|| of each hidden layer at initialization, one bar group per
    network (Nielsen ch. 5), sigmoid / ReLU / sigmoid + residual. Bottom: the deepest sigmoid net's
    speeds during training; test accuracy vs hidden layers."""
    init = speeds[speeds["epoch"] == 0].groupby(["activation", "residual", "layers", "layer"])["speed"].mean()
    init = init.reset_index()
    depths = sorted(init["layers"].unique())
    fig = plt.figure(figsize=(13, 7))
    grid = fig.add_gridspec(2, 6)
    kinds = [fig.add_subplot(grid[0, 2 * k:2 * k + 2]) for k in range(3)]
    top = init["speed"].max() * 2
    bottom = max(init["speed"].min() / 2, 1e-6)
    for ax, (activation, residual, label, color) in zip(kinds, MLP_KINDS):
        kind = init[(init["activation"] == activation) & (init["residual"] == residual)]
        width = 0.8 / max(depths)
        shades = sns.light_palette(color, n_colors=max(depths) + 2)[2:]
        for g_idx, n in enumerate(depths):
            g = kind[kind["layers"] == n].sort_values("layer")
            offsets = (np.arange(len(g)) - (len(g) - 1) / 2) * width
            ax.bar(g_idx + offsets, g["speed"], width=width * 0.95, color=[shades[int(layer) - 1] for layer in g["layer"]])
        ax.set_yscale("log")
        ax.set_ylim(bottom, top)
        ax.set_xticks(range(len(depths)), [f"{n} hidden" for n in depths])
        ax.set_title(label, color=color)
        ax.set_xlabel("network (bars: layers 1 → last, input side light)")
    kinds[0].set_ylabel("‖∂C/∂b‖ at initialization")
    ax = fig.add_subplot(grid[1, :3])
    deepest = speeds[(speeds["activation"] == "sigmoid") & ~speeds["residual"].astype(bool)
                     & (speeds["layers"] == max(depths))]
    curve = deepest.groupby(["epoch", "layer"])["speed"].mean().unstack()
    shades = sns.light_palette(ARCH_COLORS["plain"], n_colors=len(curve.columns) + 2)[2:]
    for color, layer in zip(shades, curve.columns):
        ax.semilogy(curve.index, curve[layer], color=color, label=f"hidden layer {layer}")
    ax.set_title(f"sigmoid, {max(depths)} hidden layers: speed of learning during training")
    ax.set_xlabel("epoch")
    ax.set_ylabel("‖∂C/∂b‖")
    ax.legend(fontsize=7, ncol=2)
    ax = fig.add_subplot(grid[1, 3:])
    final = mlp[mlp["epoch"] == mlp["epoch"].max()].groupby(["activation", "residual", "layers"])["test_accuracy"]
    final = final.mean().reset_index()
    for activation, residual, label, color in MLP_KINDS:
        g = final[(final["activation"] == activation) & (final["residual"] == residual)].sort_values("layers")
        ax.plot(g["layers"], 100 * g["test_accuracy"], marker="o", color=color, label=label)
    ax.set_title("final test accuracy")
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("%")
    ax.set_xticks(depths)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def conv_layers(layers: pd.DataFrame):
    """(a) gradient norm per block at initialization and (b) at the end, deepest plain vs ResNet;
    (c) response std of every 3x3 layer after BN at the end of training, per depth (He Fig. 7)."""
    depth = int(layers["depth"].max())
    end = int(layers["epoch"].max())
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.5))
    for ax, epoch, title in ((axes[0], 0, "initialization"), (axes[1], end, f"epoch {end}")):
        for arch in ("plain", "resnet"):
            g = layers[(layers["arch"] == arch) & (layers["depth"] == depth) & (layers["epoch"] == epoch)]
            mean = g.groupby("block")["grad_norm"].mean()
            ax.semilogy(mean.index + 1, mean.values, marker="o", ms=3, color=ARCH_COLORS[arch],
                        label=f"{ARCH_LABELS[arch]}-{depth}")
        ax.set_title(f"gradient norm per block, {title}")
        ax.set_xlabel("block (input side first)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("‖∂L/∂θ_block‖")
    final = layers[layers["epoch"] == end]
    for arch, style in (("plain", "--"), ("resnet", "-")):
        depths = sorted(final[final["arch"] == arch]["depth"].unique())
        for color, d in zip(depth_shades(arch, len(depths)), depths):
            g = final[(final["arch"] == arch) & (final["depth"] == d)].groupby("block")[
                ["response_std_1", "response_std_2"]].mean()
            stds = np.column_stack([g["response_std_1"], g["response_std_2"]]).ravel()
            axes[2].plot(np.arange(1, len(stds) + 1), stds, style, color=color, lw=1.2,
                         label=f"{ARCH_LABELS[arch]}-{d}")
    axes[2].set_title("response std after BN (He Fig. 7)")
    axes[2].set_xlabel("3×3 layer index")
    axes[2].set_ylabel("std")
    axes[2].legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return fig


def rank_by_depth(rank: pd.DataFrame):
    """Effective rank of the representation vs layer at initialization, one panel per activation;
    colour: plain (orange) / residual (blue) / residual with branches scaled by 1/sqrt(depth) (green),
    dashed: without BatchNorm; band: min-max over inits."""
    fc = rank[rank["net"] == "fc"]
    acts = [a for a in ("linear", "relu", "tanh") if a in set(fc["activation"])]
    conv = rank[rank["net"] == "conv"]
    fig, axes = plt.subplots(1, len(acts) + (not conv.empty), figsize=(4.2 * (len(acts) + 1), 3.4), sharey=False)
    if "branch_scaling" not in fc:
        fc = fc.assign(branch_scaling="none")
    stacks = [(False, "none", "plain", ARCH_COLORS["plain"]), (True, "none", "residual", ARCH_COLORS["resnet"]),
              (True, "inv_sqrt_depth", "residual 1/√L", "#009E73")]
    for ax, activation in zip(axes, acts):
        for residual, scaling, label, color in stacks:
            for batchnorm, style in ((False, "--"), (True, "-")):
                g = fc[(fc["activation"] == activation) & (fc["residual"] == residual) & (fc["batchnorm"] == batchnorm)
                       & (fc["branch_scaling"] == scaling)]
                if g.empty:
                    continue
                stats = g.groupby("layer")["effective_rank"].agg(["mean", "min", "max"])
                ax.plot(stats.index, stats["mean"], style, color=color, label=f"{label}{' + BN' if batchnorm else ''}")
                ax.fill_between(stats.index, stats["min"], stats["max"], color=color, alpha=0.12)
        ax.set_yscale("log")
        ax.set_title(f"fully connected, {activation}")
        ax.set_xlabel("layer")
    axes[0].set_ylabel("effective rank")
    axes[0].legend(fontsize=7)
    if not conv.empty:
        ax = axes[-1]
        for residual in (False, True):
            arch = "resnet" if residual else "plain"
            stats = conv[conv["residual"] == residual].groupby("layer")["effective_rank"].agg(["mean", "min", "max"])
            ax.plot(stats.index, stats["mean"], color=ARCH_COLORS[arch],
                    label=f"{ARCH_LABELS[arch]}-{int(conv['depth'].iloc[0])}")
            ax.fill_between(stats.index, stats["min"], stats["max"], color=ARCH_COLORS[arch], alpha=0.12)
        ax.set_title("conv grid (with BN), init")
        ax.set_xlabel("block (0 = stem)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def appended(table: pd.DataFrame, spectra: pd.DataFrame | None):
    """(a) training error while only the appended blocks train, plain vs residual, against the frozen
    shallow net's; (b) stable rank of each trained weight relative to its full rank."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    ax = axes[0]
    for kind, arch in (("plain", "plain"), ("residual", "resnet")):
        g = table[table["appended"] == kind].groupby("epoch")["train_error"].mean()
        ax.plot(g.index, 100 * g.values, marker="o", ms=3, color=ARCH_COLORS[arch],
                label=f"{int(table['blocks'].iloc[0])} {kind} blocks appended")
    shallow = table.groupby("shallow")["shallow_train_error"].first()
    ax.axhline(100 * shallow.mean(), color="black", ls=":", label="shallow net alone")
    ax.set_xlabel("epoch (appended blocks only)")
    ax.set_ylabel("training error (%), mean over seeds")
    ax.set_title(f"appended to frozen {table['shallow'].iloc[0]}" if len(shallow) == 1
                 else f"appended to {len(shallow)} frozen shallow nets")
    ax.legend(fontsize=7)
    ax = axes[1]
    if spectra is not None and len(spectra):
        for arch in ("plain", "resnet"):
            g = spectra[spectra["arch"] == arch]
            if len(g):
                ax.plot(g["index"], g["stable_rank"] / g["full_rank"], marker=".", color=ARCH_COLORS[arch],
                        label=f"{ARCH_LABELS[arch]}-{int(g['depth'].iloc[0])}")
        ax.set_yscale("log")
        ax.set_xlabel("weight (input side first)")
        ax.set_ylabel("stable rank / full rank")
        ax.set_title("trained weight spectra")
        ax.legend(fontsize=7)
    else:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
