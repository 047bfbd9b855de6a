"""The lesion family's report side: the ensemble and stochastic-depth claims, the lesion figures, and
the deletion damage `compare` reads."""
from __future__ import annotations

import pandas as pd

from ...report.regime import in_regimes
from ...report.rounds import at_its_stop
from .claims import ensemble_lesion_claim, lesion_summary, stochastic_depth_claim
from .regime import regimes


def stochastic_depth_at(tables: dict, design, config: dict) -> dict | None:
    """The stochastic-depth claim on these runs at this look, within its regime (None without SD nets);
    the lesion table, where there is one, only adds its deletion evidence."""
    runs = tables["runs"]
    if "resnet_sd" not in set(runs["arch"]):
        return None
    return in_regimes([stochastic_depth_claim(runs, tables.get("lesion"), design)], regimes({"runs": runs}, config))[0]


def _sd_groups(config: dict) -> list[tuple[str, int]]:
    depths = sorted(set(config["model"]["stochastic_depth_depths"] or config["model"]["depths"])
                    & set(config["model"]["depths"]))
    return [(a, depths[-1]) for a in ("resnet", "resnet_sd")] if depths and "resnet_sd" in config["model"]["archs"] else []


# Claims that read the grid's runs and take seeds in rounds (see the depth family's SEQUENTIAL).
SEQUENTIAL = {"stochastic_depth": (stochastic_depth_at, _sd_groups, ())}


def claims(tables: dict, config: dict) -> list[dict]:
    lesion, out = tables.get("lesion"), []
    if lesion is not None and len(lesion):
        out += in_regimes([ensemble_lesion_claim(lesion, tables.get("lesion_paths"))], regimes(tables, config))
    sd = stochastic_depth_at(*at_its_stop(tables, config, "stochastic_depth"), config)  # stands alone: test error
    return out + ([sd] if sd is not None else [])


def section(tables: dict, claim: dict, config: dict, save) -> dict | None:
    lesion, paths = tables.get("lesion"), tables.get("lesion_paths")
    if lesion is None:
        return None
    from . import figures

    deepest = int(lesion["depth"].max())
    depths = sorted({deepest, claim["ensemble_lesion"]["evidence"].get("depth", deepest)})
    save("lesion_delete_one", figures.delete_one, lesion, depths)
    save("lesion_delete_k", figures.delete_k, lesion)
    save("lesion_reorder", figures.reorder, lesion, deepest)
    path_depth = int(paths["depth"].max()) if paths is not None else None
    if path_depth is not None:
        save("lesion_paths", figures.path_gradients, paths, path_depth)
    return {"depths": depths, "deepest": deepest, "path_depth": path_depth,
            "summary": lesion_summary(lesion).to_dict(orient="records"),
            "n_blocks": {int(d): int(len(g[g["kind"] == "delete_one"]) / max(1, g["run_id"].nunique()))
                         for d, g in lesion.groupby("depth")}}


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    les = tables.get("lesion")
    if les is None:
        return []
    base = les[les["kind"] == "none"].set_index(["arch", "depth", "seed"])["test_error"]
    one = les[(les["kind"] == "delete_one") & ~les["downsampling"].astype(bool)]
    mean = one.groupby(["arch", "depth", "seed"])["test_error"].mean()
    rise = (mean - base.reindex(mean.index)).reset_index()
    return [pd.DataFrame({"metric": "delete_one_increase", "key": rise["arch"] + "-" + rise["depth"].astype(str),
                          "value": rise["test_error"]})]


def limitations(config: dict) -> list[str]:
    return []
