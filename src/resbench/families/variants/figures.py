"""The variants family's figure: training loss per epoch of every variant."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator


def variant_training_loss(epochs: pd.DataFrame, tables: dict[str, list[dict]]):
    """Median training loss per epoch of every variant, one panel per table (shortcuts, placement)."""
    panels = [(name, rows) for name, rows in tables.items() if rows]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False)
    curves = epochs.groupby(["variant", "epoch"])["train_loss"].median().reset_index()
    palette = plt.get_cmap("tab10")
    for ax, (name, rows) in zip(axes[0], panels):
        for i, row in enumerate(rows):
            c = curves[curves["variant"] == row["variant"]]
            ax.semilogy(c["epoch"], c["train_loss"], color="black" if i == 0 else palette(i % 10),
                        lw=2.4 if i == 0 else 1.4, label=row["label"])
        ax.set_title("shortcut (Table 1)" if name == "shortcut" else "activation placement (Table 2)")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=7, loc="upper right")
    axes[0][0].set_ylabel("training loss (median over seeds)")
    fig.tight_layout()
    return fig
