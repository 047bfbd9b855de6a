"""The pilot that chose the shortcut-variants claim's measure of optimization (issue 31): the variant grid
trained on pilot seeds that no profile uses (300-302), then, per obstructed variant, the seed spread of its
log loss ratio to the identity shortcut under two measures:

- final: the trained net's eval-mode training loss at the end (the measure until issue 31), unpaired;
- whole run: the running training loss averaged over every epoch, paired by seed (the same seed gives
  every variant the same data order), as He et al. 2016b judge optimization from whole training curves.

Rule, stated before the table was read: keep the measure whose median (over the variants that did not
fail: median test error above
standard's 10%) seed standard deviation of the log ratio is smaller; a tie keeps the final loss. Never a verdict.

    snakemake --cores 2 --configfile PILOT.yaml --until aggregate_variants   # standard's variants, seeds 300-302
    python benchmarks/variants_pilot.py results/pilotvariants/variants
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from resbench.families.variants.catalog import OBSTRUCTED
from resbench.families.variants.claims import whole_run_losses


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folder", type=Path, help="the pilot's results/<profile>/variants folder")
    args = p.parse_args()
    runs, epochs = pd.read_csv(args.folder / "runs.csv"), pd.read_csv(args.folder / "epochs.csv")
    final = {v: g.set_index("seed")["final_train_loss_eval"] for v, g in runs.groupby("variant")}
    whole = whole_run_losses(epochs)
    print("| variant | final: mean log ratio (sd, unpaired) | whole run: mean log ratio (sd of paired differences) |")
    print("|---|---|---|")
    sds = {"final": [], "whole": []}
    fail = runs.groupby("variant")["final_test_error"].median() > 0.1  # config/standard.yaml's variants.fail_error
    for v in [v for v in OBSTRUCTED if v in final and not fail[v]]:
        f = np.log(final[v].to_numpy(float)) - np.log(final["identity"]).mean()
        unpaired_sd = float(np.sqrt(np.var(np.log(final[v]), ddof=1) + np.var(np.log(final["identity"]), ddof=1)))
        w = (np.log(whole[v]) - np.log(whole["identity"])).dropna().to_numpy(float)
        sds["final"].append(unpaired_sd)
        sds["whole"].append(float(np.std(w, ddof=1)))
        print(f"| {v} | {f.mean():+.3f} ({unpaired_sd:.3f}) | {w.mean():+.3f} ({np.std(w, ddof=1):.3f}) |")
    med = {k: float(np.median(v)) for k, v in sds.items()}
    print(f"median sd: final {med['final']:.3f}, whole run {med['whole']:.3f} -> keep "
          f"{'whole run' if med['whole'] < med['final'] else 'final'}")


if __name__ == "__main__":
    main()
