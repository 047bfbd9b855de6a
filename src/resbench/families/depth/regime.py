"""The degradation claim's regime, from He et al. 2016 (stated at issue 31 after earlier runs' verdicts had
been seen, so listed in Methods as a rule added after the data): in Fig. 6 plain-20 trains (a few points of
training error) and every ResNet of 20-110 layers trains; degradation is the deeper plain nets ending worse
than that. A grid whose shallowest plain net or any ResNet fails to train shows a set-up that does not
optimize at all, not degradation. Criterion: the shallowest plain net and every ResNet of the grid end with
mean training error below TRAINS (a diverged run counts as chance)."""
from __future__ import annotations

import pandas as pd

from ... import stats
from ...report.regime import TRAINS, not_measured, regime
from ...report.verdicts import CHANCE_ERROR, fmt_pct

CRITERIA = {"degradation": f"the shallowest plain net and every ResNet of the grid train (mean training error "
                           f"below {TRAINS:.0%})"}

CHANGES = (
    "Regime for degradation (issue 31): outside it the claim is inconclusive.",
    "Seeds in rounds (issue 32, after the standard profile's seeds 0-4 had been seen): the degradation and "
    "stochastic-depth claims are decided at each round's look at an O'Brien-Fleming share of alpha (quick: 2 "
    "rounds, standard: 3); at seeds 0-4 both stop at round 1 (degradation decided against a first look at 0.07%; "
    "stochastic depth outside its regime), so no verdict moved.",
)


def degradation(runs: pd.DataFrame | None) -> dict:
    if runs is None or not len(runs) or not {"plain", "resnet"} <= set(runs["arch"]):
        return not_measured(CRITERIA["degradation"], "needs plain and residual runs")
    error = lambda rows: float(stats.count_diverged(rows["final_train_error"], CHANCE_ERROR).mean())  # noqa: E731
    plain = runs[runs["arch"] == "plain"]
    shallow = int(plain["depth"].min())
    values = {"plain": {shallow: error(plain[plain["depth"] == shallow])},
              "resnet": {int(d): error(g) for d, g in runs[runs["arch"] == "resnet"].groupby("depth")}}
    met = all(v < TRAINS for group in values.values() for v in group.values())
    measured = (f"plain-{shallow} {fmt_pct(values['plain'][shallow])}; ResNets "
                + ", ".join(f"{d}: {fmt_pct(v)}" for d, v in values["resnet"].items()))
    return regime(CRITERIA["degradation"], values, met, measured, "a recipe under which the ResNets and the "
                                                                  "shallowest plain net train (more epochs)")


def regimes(tables: dict) -> dict[str, dict]:
    return {"degradation": degradation(tables.get("runs"))}
