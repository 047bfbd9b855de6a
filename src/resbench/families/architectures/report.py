"""The architectures family's report side: its claims and check, the per-net table with the published
numbers beside ours, the figures, and the per-seed numbers `compare` reads."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ... import stats
from ...report.regime import in_regimes
from .catalog import NETS
from .claims import bottleneck_check, cardinality_claim, deletion_damage, lesion_across_families_claim, trained_nets
from .regime import regimes


def claims(tables: dict, config: dict) -> list[dict]:
    runs = tables.get("net_runs")
    if runs is None or not len(runs):
        return []
    out = [cardinality_claim(runs, tables.get("net_cost")), lesion_across_families_claim(tables.get("net_deletion"))]
    check = bottleneck_check(tables.get("net_bottleneck"))
    return in_regimes(out + ([check] if check else []), regimes(tables))


def _interval(values: np.ndarray) -> tuple[float, float]:
    """95% t interval of the mean over seeds (NaN with one seed)."""
    n = len(values)
    if n < 2:
        return math.nan, math.nan
    half = stats.t_ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return max(0.0, values.mean() - half), values.mean() + half  # an error rate is never negative


def net_table(runs: pd.DataFrame, cost: pd.DataFrame | None, deletion: pd.DataFrame | None) -> pd.DataFrame:
    """One row per net, in catalog order: size, cost, errors over seeds, speed, memory, deletion damage."""
    damage = deletion_damage(deletion) if deletion is not None and len(deletion) else None
    c = cost.set_index("net") if cost is not None else None
    rows = []
    for net in [n for n in NETS if n in set(runs["arch"])]:
        g = runs[runs["arch"] == net]
        test = g["final_test_error"].to_numpy(float)
        finite = test[np.isfinite(test)]
        low, high = _interval(finite)
        info = NETS[net]
        row = {"net": net, "label": info["label"], "identity_paths": info["identity_paths"], "seeds": len(g),
               "diverged": int((g["status"] == "diverged").sum()), "params": int(g["params"].iloc[0]),
               "train_mean": float(np.nanmean(g["final_train_error"])), "test_mean": float(np.nanmean(test)),
               "test_low": low, "test_high": high, "test_min": float(np.nanmin(test)), "test_max": float(np.nanmax(test)),
               "published": info["published"]}
        if c is not None and net in c.index:
            row.update({k: c.loc[net, k] for k in ("multiply_adds", "train_images_per_second",
                                                   "inference_images_per_second", "train_memory_mb")})
        if damage is not None and net in set(damage["net"]):
            d = damage[damage["net"] == net]
            row.update({"deleted": int(d["deleted"].iloc[0]), "n_blocks": int(d["n_blocks"].iloc[0]),
                        "median_rise": float(d["median_rise"].mean()), "worst_rise": float(d["worst_rise"].mean())})
        rows.append(row)
    refs = iter(range(1, len(rows) + 1))
    for row in rows:  # the published numbers' footnote marks, in table order
        row["published_ref"] = next(refs) if row["published"] else None
    return pd.DataFrame(rows)


def section(tables: dict, claim: dict, config: dict, save) -> dict | None:
    runs = tables.get("net_runs")
    if runs is None or not len(runs):
        return None
    from .figures import error_vs_cost, net_training_curves, sweep_and_deletion

    cost, deletion = tables.get("net_cost"), tables.get("net_deletion")
    table = net_table(runs, cost, deletion)
    if cost is not None:
        save("net_error_vs_cost", error_vs_cost, table)
    damage = deletion_damage(deletion) if deletion is not None and len(deletion) else None
    trained = trained_nets(damage).to_dict() if damage is not None else {}
    save("net_sweep_and_deletion", sweep_and_deletion, runs, cost, damage, trained)
    save("net_training_curves", net_training_curves, tables["net_epochs"])
    block = config["architectures"]
    lrs = {NETS[n]["label"]: NETS[n]["lr"] for n in table["net"] if NETS[n]["lr"] is not None}
    return {"table": table.to_dict(orient="records"), "seeds": int(runs["seed"].nunique()),
            "epochs": int(runs["epochs_planned"].iloc[0]), "size": block["size"], "own_lr": lrs,
            "speed": cost.iloc[0][["batch", "rounds", "device"]].to_dict() if cost is not None else None}


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    out = []
    runs = tables.get("net_runs")
    if runs is not None:
        out.append(pd.DataFrame({"metric": "net_test_error", "key": runs["arch"], "value": runs["final_test_error"]}))
    deletion = tables.get("net_deletion")
    if deletion is not None and len(deletion):
        d = deletion_damage(deletion)
        out.append(pd.DataFrame({"metric": "net_delete_one_increase", "key": d["net"], "value": d["median_rise"]}))
    return out


def limitations(config: dict) -> list[str]:
    block = config["architectures"]
    if not block["enabled"]:
        return []
    out = ["The architectures are compared under one recipe (the profile's, with AlexNet's and VGG's own learning "
           "rate of 0.01, as their papers trained without BatchNorm); each paper tuned its own schedule, augmentation "
           "and regularization, so a ranking here is a ranking under this recipe."]
    if block["size"] == "budget":
        out.append("Every net is scaled to ResNet-20's parameter count (CIFAR input), not its published size; nets "
                   "designed for ImageNet (AlexNet, VGG, Inception) are far from their operating point at 0.27M "
                   "parameters and 8×8 or 32×32 inputs.")
    return out
