"""The signal family's report side: vanishing gradients, rank collapse (with and without shortcuts),
the identity construction and appended layers; their figures; the appended-layer errors `compare`
reads."""
from __future__ import annotations

import pandas as pd

from ...report.regime import in_regimes
from . import LAYER_STATS_IMAGES
from . import claims as sc
from .regime import regimes

CLAIM_ORDER = ("vanishing_gradients", "rank_collapse", "rank_shortcuts", "identity_construction", "appended_layers")


def claims(tables: dict, config: dict) -> list[dict]:
    out = []
    if tables.get("signal_speeds") is not None:
        out.append(sc.vanishing_gradients_claim(tables["signal_speeds"], tables.get("signal_mlp"),
                                                tables.get("signal_layers")))
    if tables.get("signal_rank") is not None:
        out += [sc.rank_collapse_claim(tables["signal_rank"]), sc.rank_shortcuts_claim(tables["signal_rank"])]
    if tables.get("signal_identity") is not None:
        out.append(sc.identity_construction_claim(tables["signal_identity"]))
    if tables.get("signal_appended") is not None:
        out.append(sc.appended_layers_claim(tables["signal_appended"]))
    return in_regimes(out, regimes(tables))


def section(tables: dict, claim: dict, config: dict, save) -> dict | None:
    t = {k: tables.get(f"signal_{k}") for k in ("layers", "mlp", "speeds", "rank", "identity", "appended", "spectra")}
    if all(v is None for v in t.values()):
        return None
    from . import figures

    if t["speeds"] is not None:
        save("signal_nielsen", figures.nielsen, t["speeds"], t["mlp"])
    if t["layers"] is not None:
        save("signal_layers", figures.conv_layers, t["layers"])
    if t["rank"] is not None:
        save("signal_rank", figures.rank_by_depth, t["rank"])
    if t["appended"] is not None:
        save("signal_appended", figures.appended, t["appended"], t["spectra"])
    return {"claims": [claim[k] for k in CLAIM_ORDER if k in claim], "identity": t["identity"],
            "stats_images": LAYER_STATS_IMAGES}


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    a = tables.get("signal_appended")
    if a is None:
        return []
    last = a[a["epoch"] == a.groupby(["appended", "blocks", "seed"])["epoch"].transform("max")]
    return [pd.DataFrame({"metric": "appended_train_error", "key": last["appended"] + "-" + last["blocks"].astype(str),
                          "value": last["train_error"]})]


def limitations(config: dict) -> list[str]:
    if config["signal"]["enabled"] and config["dataset"]["name"] != "mnist":
        return [f"Nielsen's sigmoid MLPs are trained on {config['dataset']['name']}, not MNIST "
                f"({config['signal']['mlp_epochs']} epochs); the speeds of learning are comparable in shape, not in value."]
    return []
