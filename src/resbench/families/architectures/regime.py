"""The regimes of the architectures family's claims, from the papers (stated at issue 31 after earlier runs'
verdicts had been seen, so listed in Methods as a rule added after the data):

- Cardinality (Xie et al. 2017, Table 2): ResNeXt-50 32x4d 22.2% top-1 against ResNet-50's 23.9% at one
  budget, a 7.1% relative gain. Criterion: the C = 1 net trains (test error below TRAINS) and its error
  leaves room for that relative gain to reach the claim's margin (7.1% of its error at least the margin).
- Lesion across families (Veit et al. 2016): deletions in trained nets. Criterion: at least one net with
  and one without identity paths trained (median test error below TRAINS); those that did not are left
  out of the test, as its sentence says.
- Inception bottleneck cost (a check): a count on the modules, with no training; always in its regime."""
from __future__ import annotations

import pandas as pd

from ...report.regime import TRAINS, not_measured, regime
from ...report.verdicts import MIN_EFFECT, fmt_pct
from .catalog import CARDINALITY, NETS
from .claims import XIE_RELATIVE_GAIN, deletion_damage, representative, trained_nets


CRITERIA = {
    "cardinality": (f"the C = 1 net trains (test error below {TRAINS:.0%}) and its error leaves room for Xie et al.'s "
                    f"{XIE_RELATIVE_GAIN:.1%} relative gain to reach the {100 * MIN_EFFECT:.0f}-point margin"),
    "lesion_across_families": f"nets with and without identity paths that trained (median test error below {TRAINS:.0%})",
    "inception_bottleneck_cost": "a count on the modules themselves (no training): always in its regime",
}

CHANGES = ("Regime for cardinality and lesion across families (issue 31): outside it the claim is inconclusive.",)


def cardinality(runs: pd.DataFrame | None) -> dict:
    base = next((n for n, c in CARDINALITY.items() if c == 1), None)
    if runs is None or base not in set(runs["arch"]):
        return not_measured(CRITERIA["cardinality"], "no C = 1 net")
    error = float(runs[runs["arch"] == base]["final_test_error"].fillna(1.0).mean())
    room = XIE_RELATIVE_GAIN * error
    return regime(CRITERIA["cardinality"], {"base_test_error": error, "published_gain_at_base": room},
                  error < TRAINS and room >= MIN_EFFECT,
                  f"C = 1 test error {fmt_pct(error)}, so the published relative gain would be {100 * room:.2f} points",
                  f"a dataset on which the C = 1 net's error is at least {fmt_pct(MIN_EFFECT / XIE_RELATIVE_GAIN)} "
                  "(CIFAR-100 at the papers' sizes)")


def lesion_across_families(deletion: pd.DataFrame | None) -> dict:
    if deletion is None or not len(deletion):
        return not_measured(CRITERIA["lesion_across_families"], "no block deletions")
    trained = trained_nets(deletion_damage(deletion))
    nets = [n for n in trained.index if representative(n)]
    with_paths = [n for n in nets if trained[n] and NETS[n]["identity_paths"]]
    without = [n for n in nets if trained[n] and not NETS[n]["identity_paths"]]
    untrained = [n for n in nets if not trained[n]]
    return regime(CRITERIA["lesion_across_families"], {"trained_with_paths": with_paths, "trained_without": without,
                                                       "untrained": untrained},
                  bool(with_paths) and bool(without),
                  f"trained with identity paths: {', '.join(with_paths) or 'none'}; without: "
                  f"{', '.join(without) or 'none'}" + (f"; did not train: {', '.join(untrained)}" if untrained else ""),
                  "a recipe under which nets of both kinds train")


def inception_bottleneck_cost(bottleneck: dict | None) -> dict:
    return regime(CRITERIA["inception_bottleneck_cost"], {}, True if bottleneck else None,
                  "counted" if bottleneck else "not counted")


def regimes(tables: dict) -> dict[str, dict]:
    return {"cardinality": cardinality(tables.get("net_runs")),
            "lesion_across_families": lesion_across_families(tables.get("net_deletion")),
            "inception_bottleneck_cost": inception_bottleneck_cost(tables.get("net_bottleneck"))}
