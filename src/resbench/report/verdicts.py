"""What every family's claims share: the sentence formatting of numbers, the constants a verdict
counts with, and attaching a claim's calibration. Pure pandas/numpy; no family is named here."""
from __future__ import annotations

import math

MIN_EFFECT = 0.01  # an error difference under one percentage point is never called a change
CHANCE_ERROR = 0.9  # what a diverged 10-class run is counted as (its error is NaN)
MIN_SPREAD = 0.002  # seed spread floor in calibration draws (an error of 0 on every seed is still noisy)
HEADS = {"reproduced": "Reproduced", "not_reproduced": "Not reproduced", "inconclusive": "Inconclusive"}  # sentence openers


def fmt_pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def fmt_points(x: float) -> str:
    """An error difference in percentage points."""
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:+.1f} pts"


def with_calibration(claim: dict, calibration: dict, effect: str) -> dict:
    """Attach a claim's calibration: in its evidence, its sentence and claims.json's two fields."""
    claim["evidence"]["calibration"] = calibration
    if calibration["power"] is not None:
        claim["sentence"] += (f" At this profile's seeds and spread the rule says \"reproduced\" in "
                              f"{calibration['false_positive_rate']:.1%} of simulated runs without the effect and in "
                              f"{calibration['power']:.0%} with {effect}.")
    return {**claim, "false_positive_rate": calibration["false_positive_rate"], "power": calibration["power"]}
