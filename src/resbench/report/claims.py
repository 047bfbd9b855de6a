"""Verdicts computed from the tables: each claim says from the data whether our run reproduced it."""
from __future__ import annotations

import math

import pandas as pd

from .archs import arch_sort_key

MIN_EFFECT = 0.01  # an error difference under one percentage point is never called a change


def depth_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, std and counts of final errors per (arch, depth) over seeds; diverged runs are counted,
    not averaged (their errors are NaN)."""
    grouped = runs.groupby(["arch", "depth"])
    table = grouped.agg(
        n_runs=("run_id", "count"),
        n_diverged=("status", lambda s: int((s == "diverged").sum())),
        params=("params", "first"),
        train_error_mean=("final_train_error", "mean"),
        train_error_std=("final_train_error", "std"),
        test_error_mean=("final_test_error", "mean"),
        test_error_std=("final_test_error", "std"),
        test_error_at_best_val_mean=("test_error_at_best_val", "mean"),
    ).reset_index()
    table = table.sort_values(["arch", "depth"], key=arch_sort_key)
    table["n_finite"] = table["n_runs"] - table["n_diverged"]
    return table.fillna({"train_error_std": 0.0, "test_error_std": 0.0})


def _rise(table: pd.DataFrame, arch: str, column: str) -> dict | None:
    rows = table[table["arch"] == arch].sort_values("depth")
    if len(rows) < 2:
        return None
    shallow, deep = rows.iloc[0], rows.iloc[-1]
    spread = shallow[f"{column}_std"] + deep[f"{column}_std"]
    return {
        "shallow_depth": int(shallow["depth"]), "deep_depth": int(deep["depth"]),
        "shallow_mean": float(shallow[f"{column}_mean"]), "deep_mean": float(deep[f"{column}_mean"]),
        "rise": float(deep[f"{column}_mean"] - shallow[f"{column}_mean"]),
        "threshold": float(max(spread, MIN_EFFECT)),
        "min_finite_runs": int(min(shallow["n_finite"], deep["n_finite"])),
    }


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def degradation_claim(runs: pd.DataFrame) -> dict:
    """Claim 1: the deepest plain net trains worse than the shallowest (by more than the seed spread
    and one percentage point), while the residual nets' training error does not rise."""
    table = depth_table(runs)
    plain, resnet = _rise(table, "plain", "train_error"), _rise(table, "resnet", "train_error")
    evidence = {
        "metric": "final training error (fraction), mean over seeds",
        "plain": plain, "resnet": resnet,
        "per_depth": table[["arch", "depth", "n_runs", "n_diverged", "train_error_mean", "train_error_std",
                            "test_error_mean", "test_error_std"]].to_dict(orient="records"),
        "n_diverged": int(table["n_diverged"].sum()),
    }
    if plain is None or resnet is None:
        verdict = "inconclusive"
        sentence = "Inconclusive: the profile needs at least two depths of both plain and residual nets."
    elif min(plain["min_finite_runs"], resnet["min_finite_runs"]) < 2 or any(
            math.isnan(v) for v in (plain["rise"], resnet["rise"])):
        verdict = "inconclusive"
        sentence = ("Inconclusive: fewer than two finished (non-diverged) seeds at the shallowest or deepest "
                    "depth, so the seed spread is unknown.")
    else:
        plain_degrades = plain["rise"] > plain["threshold"]
        resnet_degrades = resnet["rise"] > resnet["threshold"]
        verdict = "reproduced" if plain_degrades and not resnet_degrades else "not_reproduced"
        plain_part = (f"plain-{plain['deep_depth']} ends at {_pct(plain['deep_mean'])} training error vs "
                      f"{_pct(plain['shallow_mean'])} for plain-{plain['shallow_depth']} "
                      f"(rise {_pct(plain['rise'])}, threshold {_pct(plain['threshold'])})")
        resnet_part = (f"ResNet-{resnet['deep_depth']} ends at {_pct(resnet['deep_mean'])} vs "
                       f"{_pct(resnet['shallow_mean'])} for ResNet-{resnet['shallow_depth']} "
                       f"(rise {_pct(resnet['rise'])}, threshold {_pct(resnet['threshold'])})")
        if verdict == "reproduced":
            sentence = f"Reproduced: {plain_part}, while {resnet_part}. Depth degrades plain nets, not residual ones."
        elif not plain_degrades:
            sentence = f"Not reproduced: {plain_part}, within the seed spread; {resnet_part}."
        else:
            sentence = f"Not reproduced: the plain nets degrade ({plain_part}), but so do the residual nets ({resnet_part})."
    if evidence["n_diverged"]:
        sentence += f" {evidence['n_diverged']} run(s) diverged and are excluded from the means."
    key = (f"train-error rise with depth: plain {_pct(plain['rise'])}, ResNet {_pct(resnet['rise'])}"
           if plain and resnet else "—")
    return {"id": "degradation", "claim": "Deeper plain nets reach higher training error; residual twins do not.",
            "section": "depth", "verdict": verdict, "sentence": sentence, "key_number": key, "evidence": evidence}


def all_claims(runs: pd.DataFrame, lesion: pd.DataFrame | None = None, variant_runs: pd.DataFrame | None = None,
               fail_error: float = 0.2, curvature: pd.DataFrame | None = None, signal: dict | None = None) -> list[dict]:
    """Every claim the profile's families can test, each with a verdict from the data."""
    claims = [degradation_claim(runs)]
    if lesion is not None and len(lesion):
        from .lesion_claims import ensemble_lesion_claim, stochastic_depth_claim

        claims += [ensemble_lesion_claim(lesion), stochastic_depth_claim(lesion, runs)]
    if variant_runs is not None and len(variant_runs):
        from .variant_claims import shortcut_variants_claim

        claims.append(shortcut_variants_claim(variant_runs, fail_error))
    if curvature is not None and len(curvature):
        from .landscape_claims import landscape_claim

        claims.append(landscape_claim(curvature))
    if signal:
        from . import signal_claims as sc

        if signal.get("speeds") is not None:
            claims.append(sc.vanishing_gradients_claim(signal["speeds"], signal["mlp"], signal.get("layers")))
        if signal.get("rank") is not None:
            claims.append(sc.rank_collapse_claim(signal["rank"]))
        if signal.get("identity") is not None:
            claims.append(sc.identity_construction_claim(signal["identity"]))
        if signal.get("appended") is not None:
            claims.append(sc.appended_layers_claim(signal["appended"]))
    return claims
