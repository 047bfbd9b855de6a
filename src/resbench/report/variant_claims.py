"""Verdict and tables of the shortcut/placement variants (He et al. 2016b, Tables 1-2)."""
from __future__ import annotations

import math

import pandas as pd

from ..variants import OBSTRUCTED, ORIGINAL_PLACEMENT, VARIANTS
from .claims import MIN_EFFECT, _pct


def variant_stats(runs: pd.DataFrame, fail_error: float) -> pd.DataFrame:
    """Per variant: median and range of final test error and training loss over seeds, diverged
    runs, and 'fail' (median test error above `fail_error`, or a diverged run, as the paper counts)."""
    rows = []
    for name, group in runs.groupby("variant"):
        test, loss = group["final_test_error"], group["final_train_loss"]
        diverged = int((group["status"] == "diverged").sum())
        median = test.median()
        rows.append({"variant": name, "seeds": len(group), "diverged": diverged,
                     "test_median": median, "test_min": test.min(), "test_max": test.max(),
                     "train_loss_median": loss.median(), "params": int(group["params"].iloc[0]),
                     "fail": bool(diverged or math.isnan(median) or median > fail_error)})
    return pd.DataFrame(rows)


def variant_tables(stats: pd.DataFrame) -> dict[str, list[dict]]:
    """Rows laid out like He et al. 2016b's Table 1 (shortcuts) and Table 2 (activation placement)."""
    by_name = {r["variant"]: r for r in stats.to_dict(orient="records")}
    tables = {"shortcut": [], "placement": []}
    if "identity" in by_name:
        tables["placement"].append({**by_name["identity"], **ORIGINAL_PLACEMENT})
    for name, info in VARIANTS.items():
        if name in by_name:
            tables[info["table"]].append({**by_name[name], "label": info["label"], "published": info["published"]})
    return tables


def shortcut_variants_claim(runs: pd.DataFrame, fail_error: float) -> dict:
    """Claim 7: identity shortcuts and full pre-activation are among the best; scaled, gated, 1x1-conv
    and dropout shortcuts are harder to optimize (higher final training loss than identity)."""
    claim = {"id": "shortcut_variants", "section": "variants",
             "claim": "Clean identity shortcuts (and full pre-activation) train best; scaling, gating, 1×1 convs "
                      "or dropout on the shortcut hamper optimization."}
    stats = variant_stats(runs, fail_error).set_index("variant")
    if "identity" not in stats.index or len(stats) < 2 or stats["seeds"].min() < 2:
        return {**claim, "verdict": "inconclusive", "key_number": "—", "evidence": {},
                "sentence": "Inconclusive: needs the identity variant and at least one other, with two or more seeds."}
    best = stats["test_median"].min()
    spread = (stats["test_max"] - stats["test_min"]).median() / 2
    # Two binomial standard errors of the best error on this test set: smaller gaps are sampling noise.
    n_test = int(runs["n_test"].iloc[0]) if "n_test" in runs else 0
    sampling = 2 * math.sqrt(best * (1 - best) / n_test) if n_test else 0.0
    tolerance = max(MIN_EFFECT, spread, sampling)
    near_best = {v: bool(stats.loc[v, "test_median"] <= best + tolerance)
                 for v in ("identity", "full_preact") if v in stats.index}
    obstructed = [v for v in OBSTRUCTED if v in stats.index]
    worse = {v: bool(stats.loc[v, "train_loss_median"] > stats.loc["identity", "train_loss_median"]) for v in obstructed}
    evidence = {"best_median_test_error": float(best), "tolerance": float(tolerance),
                "tolerance_parts": {"min_effect": MIN_EFFECT, "seed_half_range": float(spread),
                                    "two_binomial_se": float(sampling), "n_test": n_test},
                "near_best": near_best,
                "train_loss_above_identity": worse,
                "test_median": {v: float(x) for v, x in stats["test_median"].items()},
                "train_loss_median": {v: float(x) for v, x in stats["train_loss_median"].items()},
                "failed": sorted(stats.index[stats["fail"]]), "fail_error": fail_error}
    n_worse = sum(worse.values())
    reproduced = all(near_best.values()) and obstructed and n_worse >= 2 * len(obstructed) / 3
    verdict = "reproduced" if reproduced else "not_reproduced"
    best_names = ", ".join(v for v, ok in near_best.items() if ok) or "neither identity nor full pre-activation"
    sentence = (f"{'Reproduced' if reproduced else 'Not reproduced'}: {best_names} within {_pct(tolerance)} of the "
                f"best median test error ({_pct(best)}; the tolerance is the larger of 1 point, the seed spread and "
                f"two binomial standard errors on {n_test} test images); {n_worse} of {len(obstructed)} obstructed shortcuts end with "
                f"a higher median training loss than the identity shortcut "
                f"({stats.loc['identity', 'train_loss_median']:.3g}).")
    if evidence["failed"]:
        sentence += f" Failed (median test error above {_pct(fail_error)} or diverged): {', '.join(evidence['failed'])}."
    return {**claim, "verdict": verdict, "sentence": sentence, "evidence": evidence,
            "key_number": f"{n_worse}/{len(obstructed)} obstructed shortcuts optimize worse than identity"}
