"""Verdict of the loss-landscape family (Li et al. 2018), from curvature.csv."""
from __future__ import annotations

import math

import pandas as pd

from .claims import _pct

ROUGHNESS_EFFECT = 0.05  # a change in the non-convex share of grid points below this is not a change


def landscape_claim(curvature: pd.DataFrame) -> dict:
    """Claim 6: plain nets' surfaces grow rough with depth, residual nets' stay smooth."""
    claim = {"id": "landscape_smoothness", "section": "landscape",
             "claim": "Plain nets' loss surfaces turn rough and non-convex with depth; residual nets' stay smooth."}
    table = curvature.groupby(["arch", "depth"])[["nonconvex_fraction", "curvature_ratio", "lambda_max"]].mean()
    table = table.reset_index()
    change = {}
    for arch in ("plain", "resnet"):
        rows = table[table["arch"] == arch].sort_values("depth")
        if len(rows) < 2:
            return {**claim, "verdict": "inconclusive", "key_number": "—", "evidence": {},
                    "sentence": "Inconclusive: needs surfaces of plain and residual nets at two or more depths."}
        first, last = rows.iloc[0], rows.iloc[-1]
        change[arch] = {"shallow_depth": int(first["depth"]), "deep_depth": int(last["depth"]),
                        "nonconvex_shallow": float(first["nonconvex_fraction"]),
                        "nonconvex_deep": float(last["nonconvex_fraction"]),
                        "curvature_ratio_shallow": float(first["curvature_ratio"]),
                        "curvature_ratio_deep": float(last["curvature_ratio"]),
                        "lambda_max_growth": float(last["lambda_max"] / first["lambda_max"])}
    rise = {a: c["nonconvex_deep"] - c["nonconvex_shallow"] for a, c in change.items()}
    if any(math.isnan(v) for v in rise.values()):
        verdict = "inconclusive"
    elif rise["plain"] > ROUGHNESS_EFFECT and rise["resnet"] <= ROUGHNESS_EFFECT:
        verdict = "reproduced"
    else:
        verdict = "not_reproduced"
    p, r = change["plain"], change["resnet"]
    head = {"reproduced": "Reproduced", "not_reproduced": "Not reproduced", "inconclusive": "Inconclusive"}[verdict]
    sentence = (f"{head}: the share of non-convex grid points (negative discrete Laplacian) goes from "
                f"{_pct(p['nonconvex_shallow'])} at plain-{p['shallow_depth']} to {_pct(p['nonconvex_deep'])} at "
                f"plain-{p['deep_depth']}, and from {_pct(r['nonconvex_shallow'])} to {_pct(r['nonconvex_deep'])} "
                f"for the ResNets; the Hessian's |λmin/λmax| at the centre is {p['curvature_ratio_deep']:.3g} for "
                f"plain-{p['deep_depth']} vs {r['curvature_ratio_deep']:.3g} for ResNet-{r['deep_depth']}. "
                f"Sharpness (λmax) grows {p['lambda_max_growth']:.3g}× from plain-{p['shallow_depth']} to "
                f"plain-{p['deep_depth']} and {r['lambda_max_growth']:.3g}× for the ResNets.")
    return {**claim, "verdict": verdict, "sentence": sentence,
            "evidence": {"per_arch": change, "nonconvex_rise": rise, "threshold": ROUGHNESS_EFFECT,
                         "per_model": curvature.to_dict(orient="records")},
            "key_number": f"non-convex share rise with depth: plain {_pct(rise['plain'])}, ResNet {_pct(rise['resnet'])}"}
