"""The variants family's report side: the shortcut-variants claim, the published tables beside ours,
the training-loss figure, and the variant errors `compare` reads."""
from __future__ import annotations

import pandas as pd

from ...report.regime import in_regimes
from .claims import shortcut_variants_claim, variant_stats, variant_tables
from .regime import regimes


def claims(tables: dict, config: dict) -> list[dict]:
    runs = tables.get("variant_runs")
    if runs is None or not len(runs):
        return []
    return in_regimes([shortcut_variants_claim(runs, tables["variant_epochs"], config["variants"]["fail_error"])], regimes(tables, config))


def section(tables: dict, claim: dict, config: dict, save) -> dict | None:
    runs = tables.get("variant_runs")
    if runs is None:
        return None
    from .figures import variant_training_loss

    out = variant_tables(variant_stats(runs, config["variants"]["fail_error"]))
    save("variant_training_loss", variant_training_loss, tables["variant_epochs"], out)
    return {"tables": out, "depth": int(runs["depth"].iloc[0]), "seeds": int(runs["seed"].nunique()),
            "epochs": int(runs["epochs_planned"].iloc[0])}


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    v = tables.get("variant_runs")
    if v is None:
        return []
    return [pd.DataFrame({"metric": "variant_test_error", "key": v["variant"] + "-" + v["depth"].astype(str),
                          "value": v["final_test_error"]})]


def limitations(config: dict) -> list[str]:
    return []
