"""The regimes of the lesion family's claims, from the papers (stated at issue 31 after earlier runs' verdicts
had been seen, so listed in Methods as a rule added after the data):

- Ensemble lesion (Veit et al. 2016): lesions of trained nets (their ResNet-110 at 6.6% test error, their
  VGG trained). Criterion: at the depths tested, every seed of the ResNet and of the plain net trained
  (test error below TRAINS); blocks per stage are reported beside (Veit's ResNet-110 has 18).
- Stochastic depth (Huang et al. 2016): ResNet-110 6.41% -> 5.25% (an 18% relative gain) after 500 epochs,
  where drop-path acts as a regularizer, not as a handicap. Criteria: (a) a schedule at least as long as
  He et al.'s 64,000 SGD updates (the shortest CIFAR schedule of this lineage; Huang et al. train
  ~195,000), and (b) a baseline whose error leaves room for the published relative gain to reach the
  claim's margin (18% of the baseline's test error at least the margin)."""
from __future__ import annotations

import math

import pandas as pd

from ...report.regime import TRAINS, not_measured, regime
from ...report.verdicts import fmt_pct
from .claims import HUANG_RELATIVE_GAIN, SD_MARGIN, trained_depth

MIN_UPDATES = 64_000  # He et al. 2016: lr 0.1, /10 at 32k and 48k, stop at 64k iterations

CRITERIA = {
    "ensemble_lesion": f"the lesioned ResNet and plain net trained (every seed's test error below {TRAINS:.0%})",
    "stochastic_depth": (f"at least {MIN_UPDATES:,} SGD updates (He et al.'s schedule; Huang et al. train ~195,000) "
                         f"and a baseline whose error leaves room for the published {HUANG_RELATIVE_GAIN:.0%} "
                         f"relative gain to reach the {100 * SD_MARGIN:.0f}-point margin"),
}

CHANGES = (
    "Ensemble lesion, the depths tested (f07d5b7, 2026-12-04): each net at the deepest depth where every one of its "
    "seeds trained, chosen after earlier runs had lesioned the deepest depth outright.",
    "Regimes for ensemble lesion and stochastic depth (issue 31): stochastic depth on digits (8 epochs, ~170 "
    "updates, a 1.6% baseline at d0f6596) is now outside its regime and inconclusive, where it read 'not reproduced'.",
)


def ensemble_lesion(lesion: pd.DataFrame | None) -> dict:
    if lesion is None or not len(lesion):
        return not_measured(CRITERIA["ensemble_lesion"], "no lesion table")
    depths = {arch: trained_depth(lesion, arch) for arch in ("resnet", "plain")}
    met = all(d is not None for d in depths.values())
    blocks = {a: int((lesion[(lesion["arch"] == a) & (lesion["depth"] == d) & (lesion["kind"] == "delete_one")]
                      ["blocks"].nunique())) if d is not None else None for a, d in depths.items()}
    measured = "; ".join(f"{a}: {'trained at depth ' + str(d) if d is not None else 'no depth where every seed trained'}"
                         + (f" ({blocks[a]} blocks)" if blocks.get(a) else "") for a, d in depths.items())
    return regime(CRITERIA["ensemble_lesion"], {"trained_depth": depths, "blocks": blocks}, met, measured,
                  "a recipe under which the lesioned nets train")


def updates(runs: pd.DataFrame, batch_size: int) -> int:
    """SGD updates of a run: planned epochs x batches per epoch."""
    row = runs.iloc[0]
    return int(row["epochs_planned"]) * math.ceil(int(row["n_train"]) / batch_size)


def stochastic_depth(runs: pd.DataFrame | None, config: dict) -> dict:
    sd = runs[runs["arch"] == "resnet_sd"] if runs is not None and len(runs) else None
    if sd is None or not len(sd):
        return not_measured(CRITERIA["stochastic_depth"], "no stochastic-depth runs")
    depth = int(sd["depth"].max())
    base = runs[(runs["arch"] == "resnet") & (runs["depth"] == depth)]
    if not len(base):
        return not_measured(CRITERIA["stochastic_depth"], f"no ResNet-{depth} beside the stochastic-depth net")
    n_updates = updates(sd, config["train"]["batch_size"])
    baseline = float(base["final_test_error"].mean())
    room = HUANG_RELATIVE_GAIN * baseline
    met = n_updates >= MIN_UPDATES and room >= SD_MARGIN
    measured = (f"{n_updates:,} SGD updates; ResNet-{depth} test error {fmt_pct(baseline)}, so the published relative "
                f"gain would be {100 * room:.2f} points")
    both = pd.concat([sd, base])
    hours = None
    if "wall_seconds" in both and n_updates and both["wall_seconds"].notna().all():
        hours = float(both["wall_seconds"].sum()) / n_updates * MIN_UPDATES / 3600
        measured += (f"; {MIN_UPDATES:,} updates of these {len(both)} runs would take about {hours:,.0f} hours at this "
                     f"run's speed")
    return regime(CRITERIA["stochastic_depth"], {"updates": n_updates, "baseline_test_error": baseline,
                                                 "published_gain_at_baseline": room, "hours_for_updates": hours},
                  met, measured,
                  f"{MIN_UPDATES:,} updates (the paper profile: 182 epochs of 352 batches) on a dataset whose "
                  f"baseline error is at least {fmt_pct(SD_MARGIN / HUANG_RELATIVE_GAIN)} (CIFAR-10)")


def regimes(tables: dict, config: dict) -> dict[str, dict]:
    return {"ensemble_lesion": ensemble_lesion(tables.get("lesion")),
            "stochastic_depth": stochastic_depth(tables.get("runs"), config)}
