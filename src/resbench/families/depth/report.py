"""The depth family's report side: the degradation claim, the error-vs-depth figures and tables, and
the numbers `compare` reads."""
from __future__ import annotations

import pandas as pd

from ...report.archs import arch_sort_key
from ...report.regime import in_regimes
from ...report.rounds import at_its_stop
from .claims import degradation_claim, depth_table
from .published import HE2016_CIFAR10_PARAMS, HE2016_CIFAR10_RESNET_ERROR, HE2016_NOTES, HE2016_RECIPE
from .regime import regimes


def degradation_at(tables: dict, design, config: dict) -> dict:
    """The degradation claim on these runs at this look, within its regime."""
    return in_regimes([degradation_claim(tables["runs"], design)], regimes(tables))[0]


# Claims that read the grid's runs and take seeds in rounds: id -> (the claim at a look, the (arch,
# depth) groups it reads, which the next round trains while it is undecided; the tables besides the
# runs it reads at a look, each row keyed by a grid seed). See resbench.hub.rounds.
SEQUENTIAL = {"degradation": (degradation_at, lambda config: [(a, d) for a in ("plain", "resnet")
                                                              for d in config["model"]["depths"]], ())}


def claims(tables: dict, config: dict) -> list[dict]:
    return [degradation_at(*at_its_stop(tables, config, "degradation"), config)]


def published_table(table: pd.DataFrame) -> list[dict]:
    """Our mean test errors beside He'16 Table 6 at every depth either side has."""
    rows = []
    ours = {(r["arch"], r["depth"]): r for r in table.to_dict(orient="records")}
    for depth in sorted(set(table["depth"]) | set(HE2016_CIFAR10_RESNET_ERROR)):
        resnet, plain = ours.get(("resnet", depth)), ours.get(("plain", depth))
        if resnet is None and plain is None and depth not in table["depth"].values and depth > table["depth"].max():
            continue
        rows.append({
            "depth": depth,
            "published_params": HE2016_CIFAR10_PARAMS.get(depth, "—"),
            "published_resnet": HE2016_CIFAR10_RESNET_ERROR.get(depth),
            "our_params": (resnet or plain or {}).get("params"),
            "our_resnet": resnet, "our_plain": plain,
        })
    return rows


def section(tables: dict, claim: dict, config: dict, save) -> dict:
    from . import figures

    runs = tables["runs"]
    save("error_vs_depth", figures.error_vs_depth, runs)
    save("training_curves", figures.training_curves, tables["epochs"])
    rounds = tables.get("rounds")
    if rounds and rounds.get("looks"):
        save("intervals_over_rounds", figures.intervals_over_rounds, rounds)  # None: nothing to draw
    table = depth_table(runs)
    return {"rows": table.to_dict(orient="records"), "published_rows": published_table(table),
            "published_note": HE2016_NOTES, "rounds": rounds_rows(rounds, config)}


def rounds_rows(rounds: dict | None, config: dict) -> list[dict]:
    """Per sequential claim: the look that stopped it, its seeds per group there, why it stopped."""
    if not rounds:
        return []
    out = {}
    for look in rounds.get("looks", []):
        for cid, c in look["claims"].items():
            out[cid] = {"claim": cid.replace("_", " "), "round": look["round"], "cap": rounds["cap"], "seeds": c["seeds"],
                        "look_alpha": look["look_alpha"], "verdict": c["verdict"].replace("_", " "), "stop": c["stop"]}
    return list(out.values())


def metric_samples(tables: dict) -> list[pd.DataFrame]:
    runs = tables["runs"]
    key = runs["arch"] + "-" + runs["depth"].astype(str)
    frames = [pd.DataFrame({"metric": m, "key": key, "value": runs[m]}) for m in ("final_test_error", "final_train_error")]
    if tables.get("epochs") is not None:
        e = tables["epochs"].groupby(["arch", "depth", "seed"])["images_per_second"].mean().reset_index()
        frames.append(pd.DataFrame({"metric": "images_per_second", "key": e["arch"] + "-" + e["depth"].astype(str),
                                    "value": e["images_per_second"]}))
    return frames


def limitations(config: dict) -> list[str]:
    """What this profile trades away relative to He et al. 2016's CIFAR-10 recipe."""
    d, t, out = config["dataset"], config["train"], []
    if d["name"] != HE2016_RECIPE["dataset"]:
        out.append(f"Dataset is {d['name']}, not CIFAR-10: absolute errors are not comparable to the published "
                   "numbers; the comparison is the trend with depth.")
    if t["epochs"] < HE2016_RECIPE["epochs"]:
        out.append(f"{t['epochs']} epochs instead of ≈{HE2016_RECIPE['epochs']} (64k iterations).")
    if d["augment"] != HE2016_RECIPE["augment"]:
        out.append("No data augmentation (the paper pads, crops and flips).")
    if t["schedule"] != HE2016_RECIPE["schedule"]:
        out.append(f"{t['schedule']} learning-rate schedule instead of the paper's step schedule.")
    if len(config["seeds"]) < HE2016_RECIPE["seeds"]:
        out.append(f"{len(config['seeds'])} seeds instead of 5: spreads are rough.")
    return out


def methods(config: dict, tables: dict) -> list[str]:
    """Methods paragraphs on the grid's data, nets and training recipe, from the config that produced them."""
    runs = tables["runs"]
    d, m, t = config["dataset"], config["model"], config["train"]
    sizes = runs[["n_train", "n_val", "n_test"]].iloc[0].astype(int).to_dict() if len(runs) else {}
    size = f"{d['image_size']}×{d['image_size']}" if d["image_size"] else "native-size"
    data = (f"Dataset: {d['name']} ({sizes.get('n_train', '?')} training, {sizes.get('n_val', '?')} validation, "
            f"{sizes.get('n_test', '?')} test images; {size} inputs, per-channel mean/std from the training split). "
            + ("Augmentation: 4-pixel zero padding, random crop, random horizontal flip." if d["augment"]
               else "No augmentation."))
    model = (f"Models: CIFAR ResNets of He et al. (2016) with depth 6n+2 ({', '.join(map(str, m['depths']))}), "
             f"3 stages of basic blocks with 16/32/64 channels, global average pooling and a linear classifier; "
             f"shortcut option {m['shortcut']} ({'zero-padded identity' if m['shortcut'] == 'A' else 'projection'} "
             "where the shape changes). The plain twins have the same layers without shortcuts and the same "
             "parameter count. He initialization, BatchNorm after every convolution.")
    if t["schedule"] == "step":
        sched = f"divided by 10 at {', '.join(map(str, t['milestones']))} {t['milestone_unit']}s"
    elif t["schedule"] == "cosine":
        sched = "cosine decay to zero"
    else:
        sched = "constant"
    warm = ""
    if t["warmup_epochs"] > 0:
        who = f"nets of depth ≥ {t['warmup_min_depth']}" if t["warmup_min_depth"] else "every net"
        warm = (f" Warm-up for {who}: {t['warmup_epochs']:g} epoch(s), {t['warmup']} "
                f"{'from' if t['warmup'] == 'linear' else 'at'} lr {t['warmup_lr']:g}.")
    optim = (f"Training: SGD with momentum {t['momentum']:g}{' (Nesterov)' if t['nesterov'] else ''}, weight decay "
             f"{t['weight_decay']:g}, batch {t['batch_size']}, {t['epochs']} epochs, lr {t['lr']:g} with {sched}."
             f"{warm} Seeds: {', '.join(map(str, config['seeds']))}. Reported errors are at the final epoch; "
             "the validation split is only used to report the test error at the best validation epoch."
             + (f" {config['report']['recipe']}" if config["report"]["recipe"] else ""))
    return [data, model, optim]


def throughput_table(runs: pd.DataFrame, epochs: pd.DataFrame) -> list[dict]:
    """Training images/s (mean over epochs and seeds) and peak GPU memory per arch x depth."""
    speed = epochs.groupby(["arch", "depth"])["images_per_second"].mean().rename("images_per_second")
    peak = runs.groupby(["arch", "depth"])["peak_memory_mb"].max().rename("peak_memory_mb")
    device = runs.groupby(["arch", "depth"])["device"].first()
    table = pd.concat([speed, peak, device], axis=1).reset_index().sort_values(["arch", "depth"], key=arch_sort_key)
    return table.to_dict(orient="records")


TITLES = {"reproduced": "Deep plain networks degrade; residual networks do not",
          "not_reproduced": "Deep plain networks degrade, residual networks do not: not reproduced here",
          "inconclusive": "Do deep plain networks degrade while residual networks do not? Undecided at this run's seeds"}


def seeds_words(runs: pd.DataFrame) -> str:
    """How many seeds each net has: "5 seeds", or "5–10 seeds (...)" when a later round added some nets'."""
    per = runs.groupby(["arch", "depth"])["seed"].nunique()
    if per.min() == per.max():
        return f"{per.min()} seed{'s' if per.min() != 1 else ''}"
    return f"{per.min()}–{per.max()} seeds (each net's count in Table 2)"


def overview(tables: dict, config: dict, claim: dict) -> dict:
    """The report's front matter from the grid: a title that says no more than the degradation claim's
    verdict, how many nets and seeds and their throughput (the provenance of every trained run is the hub's)."""
    runs = tables["runs"]
    per = runs.groupby(["arch", "depth"])["seed"].nunique()
    seeds = f"{per.min()} seed{'s' if per.max() != 1 else ''} each" if per.min() == per.max() else \
        f"{per.min()} seeds each, {per.max()} where a later round of seeds was needed"
    abstract = (f"We trained {len(runs)} networks — plain stacks of conv-BN-ReLU layers and their residual twins with "
                f"the same layers and parameter count — at depths {', '.join(map(str, config['model']['depths']))} on "
                f"{config['dataset']['name']}, {seeds}, and tested from the data the "
                "claim of He et al. (2016) that depth degrades plain networks through optimization, not overfitting, "
                "together with the claims below that explain it.")
    return {"title": TITLES.get(claim.get("degradation", {}).get("verdict")), "abstract": abstract, "n_runs": len(runs),
            "n_seeds": seeds_words(runs),
            "throughput": throughput_table(runs, tables["epochs"])}
