"""The depth family's report side: the degradation claim, the error-vs-depth figures and tables, and
the numbers `compare` reads."""
from __future__ import annotations

import pandas as pd

from ...report.references import HE2016_CIFAR10_PARAMS, HE2016_CIFAR10_RESNET_ERROR, HE2016_NOTES
from .claims import degradation_claim, depth_table


def claims(tables: dict, config: dict) -> list[dict]:
    return [degradation_claim(tables["runs"])]


def published_table(table: pd.DataFrame) -> list[dict]:
    """Our mean test errors beside He'16 Table 6 at every depth either side has."""
    rows = []
    ours = {(r["arch"], r["depth"]): r for r in table.to_dict(orient="records")}
    for depth in sorted(set(table["depth"]) | set(HE2016_CIFAR10_RESNET_ERROR)):
        resnet, plain = ours.get(("resnet", depth)), ours.get(("plain", depth))
        if resnet is None and plain is None and depth not in table["depth"].values and depth > table["depth"].max():
            continue
        rows.append({
            "depth": depth,
            "published_params": HE2016_CIFAR10_PARAMS.get(depth, "—"),
            "published_resnet": HE2016_CIFAR10_RESNET_ERROR.get(depth),
            "our_params": (resnet or plain or {}).get("params"),
            "our_resnet": resnet, "our_plain": plain,
        })
    return rows


def section(tables: dict, claim: dict, config: dict, save) -> dict:
    from . import figures

    runs = tables["runs"]
    save(figures.error_vs_depth(runs), "error_vs_depth")
    save(figures.training_curves(tables["epochs"]), "training_curves")
    table = depth_table(runs)
    return {"rows": table.to_dict(orient="records"), "published_rows": published_table(table),
            "published_note": HE2016_NOTES}


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    runs = tables["runs"]
    key = runs["arch"] + "-" + runs["depth"].astype(str)
    frames = [pd.DataFrame({"metric": m, "key": key, "value": runs[m]}) for m in ("final_test_error", "final_train_error")]
    if tables.get("epochs") is not None:
        e = tables["epochs"].groupby(["arch", "depth", "seed"])["images_per_second"].mean().reset_index()
        frames.append(pd.DataFrame({"metric": "images_per_second", "key": e["arch"] + "-" + e["depth"].astype(str),
                                    "value": e["images_per_second"]}))
    return frames


def limitations(config: dict) -> list[str]:
    return []
