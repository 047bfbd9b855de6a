"""The landscape family's report side: the smoothness claim, contour/slice/3-D figures of one seed,
and the curvature numbers `compare` reads."""
from __future__ import annotations

import pandas as pd

from ...report.regime import in_regimes
from ...report.rounds import at_its_stop
from .claims import landscape_claim
from .plan import mapped_groups
from .regime import regimes

READS = ("runs", "landscape", "landscape_curvature")  # each row keyed by a grid seed


def landscape_at(tables: dict, design, config: dict) -> dict | None:
    """The smoothness claim on the surfaces mapped so far at this look, within its regime (None without surfaces)."""
    curvature = tables.get("landscape_curvature")
    if curvature is None or not len(curvature):
        return None
    return in_regimes([landscape_claim(curvature, tables.get("landscape"), tables["runs"], design)], regimes(tables))[0]


# The surfaces are of the grid's runs, so the claim takes seeds in rounds with them (see the depth
# family's SEQUENTIAL): a round maps the new seeds of the groups it reads.
SEQUENTIAL = {"landscape_smoothness": (landscape_at, mapped_groups, READS[1:])}


def claims(tables: dict, config: dict) -> list[dict]:
    claim = landscape_at(*at_its_stop(tables, config, "landscape_smoothness", READS), config)
    return [claim] if claim is not None else []


def section(tables: dict, claim: dict, config: dict, save) -> dict | None:
    curvature, surface = tables.get("landscape_curvature"), tables.get("landscape")
    if curvature is None or surface is None:
        return None
    from . import figures

    shown_seed = int(surface["seed"].min())  # the figures draw one seed's slices; the claim uses all
    seeds = sorted(int(s) for s in surface["seed"].unique())
    surface = surface[surface["seed"] == shown_seed]
    deepest = int(surface["depth"].max())
    save("landscape_contours", figures.contours, surface)
    save("landscape_slices", figures.slices, surface)
    save("landscape_3d", figures.surface_3d, surface, deepest)
    if tables.get("landscape_interpolation") is not None:
        save("landscape_interpolation", figures.interpolation, tables["landscape_interpolation"])
    if tables.get("landscape_ratio_map") is not None:
        save("landscape_ratio_map", figures.ratio_map, tables["landscape_ratio_map"])
    return {"deepest": deepest, "resolution": int(surface["i"].max()) + 1, "extent": float(surface["alpha"].max()),
            "seed": shown_seed, "seeds": seeds,
            "curvature": curvature.sort_values(["arch", "depth"]).to_dict(orient="records")}


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    c = tables.get("landscape_curvature")
    if c is None:
        return []
    key = c["arch"] + "-" + c["depth"].astype(str)
    return [pd.DataFrame({"metric": m, "key": key, "value": c[m]}) for m in ("curvature_ratio", "nonconvex_fraction")]


def limitations(config: dict) -> list[str]:
    c = config["landscape"]
    if not c["enabled"] or c["resolution"] >= 51:
        return []
    return [f"Loss surfaces on a {c['resolution']}×{c['resolution']} grid over {c['subset']} training images "
            "(Li et al.: 51×51 on the full set)" + ("; no |λmin/λmax| map." if not c["ratio_map"] else ".")]
