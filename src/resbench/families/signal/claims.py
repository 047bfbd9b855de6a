"""Verdicts of the signal-propagation family (claims 1-4), from the tables under results/<p>/signal/."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ... import calibration, stats
from ...report.verdicts import (
    HEADS,
    MIN_EFFECT,
    fmt_pct,
    fmt_points,
    inconclusive,
    parts_evidence,
    parts_sentence,
    with_calibration,
)

SLOW_FIRST_LAYER = 0.25  # "several times smaller": the first layer learns at most 1/4 as fast as the last
COLLAPSE = 0.25  # effective rank at the deepest layer below a quarter of the input's is collapse
EXACT = 1e-5  # max |difference| of logits for the identity construction to count as exact


def _base(claim_id: str, text: str) -> dict:
    return {"id": claim_id, "claim": text, "section": "signal"}


def _claim(claim_id: str, text: str, verdict: str, sentence: str, key: str, evidence: dict) -> dict:
    return {**_base(claim_id, text), "verdict": verdict, "sentence": f"{HEADS[verdict]}: {sentence}", "key_number": key,
            "evidence": evidence}


def speed_ratios(speeds: pd.DataFrame, per_seed: bool = False) -> pd.DataFrame:
    """First-over-last hidden layer speed of learning at initialization, per MLP kind and depth
    (mean over seeds, or one row per seed)."""
    keys = ["activation", "residual", "layers"] + (["seed"] if per_seed else [])
    init = speeds[speeds["epoch"] == 0].groupby([*keys, "layer"])["speed"].mean().reset_index()
    rows = []
    for key, g in init.groupby(keys):
        g = g.sort_values("layer")
        rows.append({**dict(zip(keys, key)), "residual": bool(dict(zip(keys, key))["residual"]),
                     "first": float(g["speed"].iloc[0]), "last": float(g["speed"].iloc[-1]),
                     "ratio": float(g["speed"].iloc[0] / g["speed"].iloc[-1])})
    return pd.DataFrame(rows)


ACCURACY_MARGIN = 0.01  # "stops improving": the deepest net is not 1 point better than the 2-hidden-layer one


def vanishing_gradients_claim(speeds: pd.DataFrame, mlp: pd.DataFrame, layers: pd.DataFrame | None) -> dict:
    """Claim 3 (Nielsen ch. 5), over seeds: in the deepest sigmoid MLP the first hidden layer learns at
    most a quarter as fast as the last at initialization; with residual connections at least a quarter;
    and test accuracy stops improving beyond two hidden layers (the deepest is not 1 point better)."""
    text = ("Gradients vanish toward the input of deep sigmoid nets (first layer ≤ ¼ the last's speed) and accuracy "
            "stops improving with depth; the identity path of residual nets keeps the gradient.")
    ratios = speed_ratios(speeds)
    seeds = speed_ratios(speeds, per_seed=True)
    sig = ratios[(ratios["activation"] == "sigmoid") & ~ratios["residual"]].sort_values("layers")
    res = ratios[(ratios["activation"] == "sigmoid") & ratios["residual"]].sort_values("layers")
    if len(sig) < 2 or sig["layers"].max() < 2 or res.empty:
        return inconclusive(_base("vanishing_gradients", text), "needs sigmoid MLPs with two or more depths (two or "
                                                                "more hidden layers) and their residual twins.")
    deep, two = sig.iloc[-1], sig[sig["layers"] >= 2].iloc[0]
    deep_res = res[res["layers"] == deep["layers"]].iloc[0]
    pick = lambda residual, layers: seeds[(seeds["activation"] == "sigmoid") & (seeds["residual"] == residual)  # noqa: E731
                                          & (seeds["layers"] == layers)].sort_values("seed")["ratio"].to_numpy(float)
    final = mlp[mlp["epoch"] == mlp["epoch"].max()]
    gain = _gain(final, False, int(deep["layers"]), int(two["layers"]))
    groups = {"plain_ratio": pick(False, deep["layers"]), "residual_ratio": pick(True, deep["layers"]), "gain": gain,
              "residual_gain": _gain(final, True, int(deep["layers"]), int(two["layers"]))}
    rule = vanishing_rule(groups)
    parts = rule.parts(groups)
    verdict = rule.verdict(parts)
    accuracy = final.groupby(["activation", "residual", "layers"])["test_accuracy"].mean().reset_index()
    mean_acc = accuracy[(accuracy["activation"] == "sigmoid") & ~accuracy["residual"].astype(bool)]
    best = mean_acc.loc[mean_acc["test_accuracy"].idxmax()]
    n = len(pick(False, deep["layers"]))
    sentence = (f"at initialization the first hidden layer of the {int(deep['layers'])}-hidden-layer sigmoid net "
                f"learns {1 / deep['ratio']:.3g}× slower than the last (‖δ¹‖ = {deep['first']:.2g} vs "
                f"{deep['last']:.2g}; {1 / two['ratio']:.3g}× with {int(two['layers'])} hidden layers), while with "
                f"residual connections the ratio is {deep_res['ratio']:.2f} (means over {n} seeds). Sigmoid test "
                f"accuracy peaks at {int(best['layers'])} hidden layer(s) ({fmt_pct(best['test_accuracy'])}); the "
                f"{int(deep['layers'])}-layer net is {100 * np.mean(gain):+.1f} points from the "
                f"{int(two['layers'])}-layer one.")
    sentence += parts_sentence(parts)
    evidence = {"speed_ratios": ratios.to_dict(orient="records"), "accuracy": accuracy.to_dict(orient="records"),
                "threshold": SLOW_FIRST_LAYER, "parts": parts_evidence(parts)}
    if layers is not None and len(layers):
        conv = conv_gradient_ratios(layers)
        evidence["conv_gradient_ratios"] = conv.to_dict(orient="records")
        deepest = conv[(conv["epoch"] == 0) & (conv["depth"] == conv["depth"].max())]
        if set(deepest["arch"]) >= {"plain", "resnet"}:
            r = deepest.set_index("arch")["ratio"]
            trend = lambda v: "grow toward the input" if v > 1 else "shrink toward the input"  # noqa: E731
            sentence += (f" In the conv grid (with BatchNorm) at depth {int(conv['depth'].max())}, the first block's "
                         f"gradient norm at initialization is {r['plain']:.3g}× the last block's for the plain net "
                         f"(gradients {trend(r['plain'])}) and {r['resnet']:.3g}× for the ResNet.")
    key = f"sigmoid first/last layer speed {deep['ratio']:.2g} ({int(deep['layers'])} layers); residual {deep_res['ratio']:.2g}"
    claim = {**_claim("vanishing_gradients", text, verdict, sentence, key, evidence), "margin": SLOW_FIRST_LAYER}
    return with_calibration(claim, groups, rule, "the first layer 2× below the bound, the residual "
                             "one 2× above it and accuracy 1 point lower at depth")


def _gain(final: pd.DataFrame, residual: bool, deep: int, two: int) -> np.ndarray:
    """Per seed, the deep sigmoid net's final test accuracy minus the `two`-layer one's."""
    nets = final[(final["activation"] == "sigmoid") & (final["residual"].astype(bool) == residual)]
    by_seed = nets.pivot_table(index="seed", columns="layers", values="test_accuracy")
    return (by_seed[deep] - by_seed[two]).to_numpy(float)


def vanishing_decisions(groups: dict) -> dict:
    return {"first_layer_slow": stats.below(groups["plain_ratio"], SLOW_FIRST_LAYER),
            "residual_keeps_gradient": stats.above(groups["residual_ratio"], SLOW_FIRST_LAYER),
            "accuracy_stops_improving": stats.below(groups["gain"], ACCURACY_MARGIN)}


def vanishing_rule(groups: dict) -> calibration.Rule:
    """Nulls: each part exactly at its bound (ratio = 1/4, accuracy gain = 1 point) while the others
    hold clearly; alternative: the plain ratio at half the bound, the residual one at twice it, and
    the deepest net 1 point worse than the 2-layer one (twice the margin away from the bound). The
    accuracy gain's spread is that of the residual twins' gain over the same depths: a deep sigmoid net
    within a point of the 2-layer one is a net that trains, and a failing net's scatter over seeds is
    the failure itself (as the depth grid's plain nets take the ResNets' spread)."""
    q, m = SLOW_FIRST_LAYER, ACCURACY_MARGIN
    alternative = {"plain_ratio": q / 2, "residual_ratio": 2 * q, "gain": m - 2 * m}
    clear = {"plain_ratio": 0.0, "residual_ratio": 1.0, "gain": -0.5}
    nulls = [{**clear, "plain_ratio": q}, {**clear, "residual_ratio": q}, {**clear, "gain": m}]
    return calibration.Rule(vanishing_decisions, nulls, alternative,
                            {"plain_ratio": 0.01, "residual_ratio": 0.01, "gain": 0.002, "residual_gain": 0.002},
                            spread_from={"gain": "residual_gain"})


def conv_gradient_ratios(layers: pd.DataFrame) -> pd.DataFrame:
    """First-over-last block gradient norm per (arch, depth, epoch), mean over seeds."""
    first = layers[layers["block"] == 0].groupby(["arch", "depth", "epoch"])["grad_norm"].mean()
    last_block = layers.groupby(["arch", "depth"])["block"].transform("max")
    last = layers[layers["block"] == last_block].groupby(["arch", "depth", "epoch"])["grad_norm"].mean()
    return (first / last).rename("ratio").reset_index()


RANK_MARGIN = 0.25  # BN or shortcuts "slow the collapse": at least 25 points more of the input's rank kept
RANK_SPREAD = 0.01  # spread floor of the kept share in calibration draws


def kept_per_init(rank: pd.DataFrame) -> pd.DataFrame:
    """Share of the input's effective rank kept at the deepest fully connected layer, per
    configuration and initialization."""
    fc = rank[rank["net"] == "fc"].copy()
    if "branch_scaling" not in fc:  # tables made before scaled branches were measured
        fc["branch_scaling"] = "none"
    keys = ["activation", "residual", "branch_scaling", "batchnorm", "init"]
    start = fc[fc["layer"] == 0].set_index(keys)["effective_rank"]
    end = fc[fc["layer"] == fc["layer"].max()].set_index(keys)["effective_rank"]
    return (end / start).rename("kept").reset_index()


def _kept(table: pd.DataFrame, activation: str, residual: bool, batchnorm: bool, scaling: str = "none"):
    rows = table[(table["activation"] == activation) & (table["residual"] == residual)
                 & (table["batchnorm"] == batchnorm) & (table["branch_scaling"] == scaling)]
    return rows.sort_values("init")["kept"].to_numpy(float)


def deepest_ranks(rank: pd.DataFrame) -> pd.DataFrame:
    """Mean share of the input's effective rank kept at the deepest layer, per configuration."""
    return kept_per_init(rank).groupby(["activation", "residual", "branch_scaling", "batchnorm"])["kept"].mean().reset_index()


def rank_collapse_claim(rank: pd.DataFrame) -> dict:
    """Claim 4, its normalization half (Daneshmand): without normalization plain stacks keep under a
    quarter of the input's effective rank at depth, for every activation; BatchNorm keeps at least
    25 points more. Tested over random initializations."""
    text = (f"Plain stacks at initialization collapse toward rank one (under {COLLAPSE:.0%} of the input's effective "
            f"rank kept); BatchNorm keeps more than {RANK_MARGIN:.0%} more.")
    table = kept_per_init(rank)
    if table.empty:
        return inconclusive(_base("rank_collapse", text), "no fully connected rank measurements.")
    depth = int(rank[rank["net"] == "fc"]["layer"].max())
    acts = sorted(table["activation"].unique())
    groups = {f"{a}/{kind}": _kept(table, a, False, kind == "bn") for a in acts for kind in ("plain", "bn")}
    rule = rank_collapse_rule(groups, acts)
    parts = rule.parts(groups)
    verdict = rule.verdict(parts)
    kept = lambda a, bn: _kept(table, a, False, bn).mean()  # noqa: E731
    sentence = (f"after {depth} fully connected layers the plain stacks keep this share of the input's effective rank "
                f"(mean over {len(_kept(table, acts[0], False, False))} initializations): "
                + ", ".join(f"{a} {fmt_pct(kept(a, False))} → {fmt_pct(kept(a, True))} with BN" for a in acts) + ".")
    sentence += parts_sentence(parts, fmt_pct)
    key = f"rank kept after {depth} layers (ReLU): plain {fmt_pct(kept('relu', False))}, +BN {fmt_pct(kept('relu', True))}" \
        if "relu" in acts else "—"
    claim = {**_claim("rank_collapse", text, verdict, sentence, key,
                      {"parts": parts_evidence(parts), "depth": depth,
                       "deepest": deepest_ranks(rank).to_dict(orient="records")}), "margin": RANK_MARGIN}
    return with_calibration(claim, groups, rule,
                             f"plain stacks at half the collapse bound and BN {2 * RANK_MARGIN:.0%} above them")


def rank_collapse_decisions(groups: dict, acts) -> dict:
    parts = {}
    for a in acts:
        parts[f"{a}: plain collapses"] = stats.below(groups[f"{a}/plain"], COLLAPSE)
        parts[f"{a}: BN keeps rank"] = stats.exceeds(groups[f"{a}/bn"], groups[f"{a}/plain"], RANK_MARGIN)
    return parts


def rank_collapse_rule(groups: dict, acts) -> calibration.Rule:
    """Nulls, one part at a time at its edge (the others clearly holding): an activation's plain stack
    exactly at the collapse bound, or BN keeping exactly the margin more rank than plain. Alternative:
    plain stacks at half the bound and BN twice the margin above them, for every activation."""
    low = COLLAPSE / 2
    alternative = {k: low + (2 * RANK_MARGIN if k.endswith("/bn") else 0.0) for k in groups}
    clear = {k: (0.9 if k.endswith("/bn") else 0.0) for k in groups}
    nulls = []
    for a in acts:
        nulls.append({**clear, f"{a}/plain": COLLAPSE})
        nulls.append({**clear, f"{a}/bn": RANK_MARGIN})
    return calibration.Rule(lambda g: rank_collapse_decisions(g, acts), nulls, alternative, RANK_SPREAD)


def rank_shortcuts_claim(rank: pd.DataFrame) -> dict:
    """Claim 4, its shortcut half: residual stacks without normalization keep at least 25 points more
    of the input's rank than plain ones when the branches are scaled by 1/sqrt(depth), for every
    activation. Unscaled branches are measured and reported beside (they need not help)."""
    text = (f"Shortcuts slow rank collapse when residual branches are scaled by 1/√depth: more than {RANK_MARGIN:.0%} "
            "more of the input's rank kept than plain, for every activation (unscaled branches reported beside).")
    table = kept_per_init(rank)
    if table.empty or "inv_sqrt_depth" not in set(table["branch_scaling"]):
        return inconclusive(_base("rank_shortcuts", text), "the rank table has no residual stacks with scaled "
                                                           "branches (rerun signal_rank).")
    acts = sorted(table["activation"].unique())
    decisions = {(a, scaling): stats.exceeds(_kept(table, a, True, False, scaling), _kept(table, a, False, False),
                                             RANK_MARGIN)
                 for a in acts for scaling in ("inv_sqrt_depth", "none")}
    groups = {f"{a}/{kind}": _kept(table, a, kind == "scaled", False, "inv_sqrt_depth" if kind == "scaled" else "none")
              for a in acts for kind in ("plain", "scaled")}
    rule = rank_shortcuts_rule(groups, acts)
    parts = rule.parts(groups)
    verdict = rule.verdict(parts)
    describe = lambda scaling: ", ".join(  # noqa: E731
        f"{a} {fmt_pct(_kept(table, a, True, False, scaling).mean())}{' (helps)' if decisions[(a, scaling)].holds else ''}"
        for a in acts)
    sentence = (f"without normalization, residual stacks keep {describe('inv_sqrt_depth')} of the input's rank with "
                f"branches scaled by 1/√depth, and {describe('none')} with unscaled branches, against "
                + ", ".join(f"{a} {fmt_pct(_kept(table, a, False, False).mean())}" for a in acts) + " for plain stacks.")
    helped_unscaled = [a for a in acts if decisions[(a, "none")].holds]
    sentence += (" Unscaled shortcuts help only for " + ", ".join(helped_unscaled) + "." if helped_unscaled and
                 len(helped_unscaled) < len(acts) else " Unscaled shortcuts do not slow the collapse here." if not
                 helped_unscaled else " Unscaled shortcuts help too.")
    sentence += parts_sentence(parts, fmt_pct)
    key = (f"rank kept (ReLU, no BN): plain {fmt_pct(_kept(table, 'relu', False, False).mean())}, residual "
           f"{fmt_pct(_kept(table, 'relu', True, False, 'none').mean())}, residual 1/√L "
           f"{fmt_pct(_kept(table, 'relu', True, False, 'inv_sqrt_depth').mean())}") if "relu" in acts else "—"
    claim = {**_claim("rank_shortcuts", text, verdict, sentence, key,
                      {"parts": parts_evidence(parts),
                       "decisions": {f"{a}/{s}": d.evidence() for (a, s), d in decisions.items()}}),
             "margin": RANK_MARGIN}
    return with_calibration(claim, groups, rule,
                             f"scaled residual stacks {2 * RANK_MARGIN:.0%} above plain ones")


def rank_shortcuts_rule(groups: dict, acts) -> calibration.Rule:
    """The verdict's rule (scaled residual stacks exceed plain ones by more than the margin for every
    activation). Nulls, one activation at a time: a gain of exactly the margin there (the others
    clearly gaining); alternative: every activation gains twice the margin."""
    base = COLLAPSE / 2
    alternative = {k: base + (2 * RANK_MARGIN if k.endswith("/scaled") else 0.0) for k in groups}
    clear = {k: (0.9 if k.endswith("/scaled") else 0.0) for k in groups}
    nulls = [{**clear, f"{a}/scaled": RANK_MARGIN} for a in acts]
    parts = lambda g: {f"{a}: scaled shortcuts keep rank": stats.exceeds(g[f"{a}/scaled"], g[f"{a}/plain"],  # noqa: E731
                                                                         RANK_MARGIN) for a in acts}
    return calibration.Rule(parts, nulls, alternative, RANK_SPREAD)


def identity_construction_claim(identity: dict) -> dict:
    """Claim 1 (its second half): a deeper plain net holding the trained shallow one plus identity blocks
    has exactly the shallow net's outputs, so a deeper trained plain net that ends worse failed to optimize."""
    text = "A deeper plain net can represent the shallower one exactly; degradation is an optimization failure."
    built = identity["constructed"]
    if not built:
        return inconclusive(_base("identity_construction", text), "no deeper plain net to construct.")
    worst = max(b["max_abs_diff"] for b in built)
    exact = worst <= EXACT and all(b["constructed_train_error"] == identity["shallow_train_error"] for b in built)
    deepest = max(built, key=lambda b: b["depth"])
    gap = deepest["trained_train_error"] - deepest["constructed_train_error"]
    sentence = (f"plain-{identity['shallow_depth']} extended with identity blocks to depths "
                f"{', '.join(str(b['depth']) for b in built)} reproduces its logits to {worst:.1e} (max |difference|) "
                f"and its {fmt_pct(identity['shallow_train_error'])} training error; plain-{deepest['depth']} trained "
                f"from scratch ends at {fmt_pct(deepest['trained_train_error'])}.")
    if not exact:
        verdict = "not_reproduced"
    elif gap > MIN_EFFECT:
        verdict = "reproduced"
        sentence += " A solution at least as good exists at that depth, so SGD failed to find it: optimization, not capacity."
    else:
        verdict = "inconclusive"
        sentence += " The construction is exact, but the trained deep net did not degrade here, so there is nothing to explain."
    key = f"max |Δlogit| {worst:.1e}; plain-{deepest['depth']} trained {fmt_pct(deepest['trained_train_error'])} vs constructed {fmt_pct(deepest['constructed_train_error'])}"
    # Exact by construction: a check of the code, reported beside claim 1, not a reproduced claim.
    return {**_claim("identity_construction", text, verdict, sentence, key, identity), "kind": "check"}


APPEND_MARGIN = 0.02  # appended plain blocks end at least 2 points of training error above the shallow net
KEEP_MARGIN = 0.01  # appended residual blocks stay within ±1 point of it


def appended_layers_claim(appended: pd.DataFrame) -> dict:
    """Claim 2, over the shallow nets of every seed: appended plain blocks end at least 2 points of
    training error above the frozen shallow net; appended residual blocks stay within ±1 point."""
    text = (f"Appended plain layers must learn the identity and end more than {100 * APPEND_MARGIN:.0f} points worse; appended "
            f"residual blocks keep the shallow net's error (±{100 * KEEP_MARGIN:.0f} point).")
    last = appended[appended["epoch"] == appended["epoch"].max()]
    if not {"plain", "residual"} <= set(last["appended"]):
        return inconclusive(_base("appended_layers", text), "needs both plain and residual appended blocks.")
    per = last.pivot_table(index="shallow", columns="appended", values="train_error")
    shallow = last.groupby("shallow")["shallow_train_error"].first().reindex(per.index).to_numpy(float)
    plain, residual = per["plain"].to_numpy(float), per["residual"].to_numpy(float)
    groups = {"plain": plain, "residual": residual, "shallow": shallow}
    rule = appended_rule(groups)
    parts = rule.parts(groups)
    verdict = rule.verdict(parts)
    k, epochs = int(appended["blocks"].iloc[0]), int(appended["epoch"].max())
    sentence = (f"after {epochs} epochs of training only {k} appended blocks ({2 * k} layers) on each of {len(per)} "
                f"frozen shallow nets ({', '.join(per.index)}), training error is {fmt_pct(plain.mean())} with plain "
                f"blocks and {fmt_pct(residual.mean())} with residual blocks, against {fmt_pct(shallow.mean())} for the "
                f"shallow nets alone (means over seeds).")
    sentence += parts_sentence(parts, fmt_points)
    key = f"final train error: plain-appended {fmt_pct(plain.mean())}, residual-appended {fmt_pct(residual.mean())}, shallow {fmt_pct(shallow.mean())}"
    claim = {**_claim("appended_layers", text, verdict, sentence, key,
                      {"parts": parts_evidence(parts),
                       "per_seed": per.reset_index().to_dict(orient="records"), "blocks": k, "epochs": epochs}),
             "margin": APPEND_MARGIN}
    return with_calibration(claim, groups, rule,
                             f"appended plain blocks {100 * 2 * APPEND_MARGIN:.0f} points worse and residual ones unchanged")


def appended_decisions(groups: dict) -> dict:
    """Paired by shallow net: appended plain blocks end more than the margin above it; appended
    residual blocks within ±KEEP_MARGIN of it (paired TOST)."""
    return {"plain_worse": stats.exceeds(groups["plain"], groups["shallow"], APPEND_MARGIN, paired=True),
            "residual_keeps": stats.equivalent(groups["residual"], groups["shallow"], KEEP_MARGIN, paired=True)}


def appended_rule(groups: dict) -> calibration.Rule:
    """Nulls: appended plain blocks exactly the margin worse than the shallow net (residual unchanged),
    or residual blocks exactly one keep-margin worse (plain clearly worse). Alternative: plain blocks
    twice the margin worse, residual ones unchanged. Appended plain blocks take the residual blocks'
    spread: blocks that fail to learn the identity scatter by their failure, not as blocks near the margin."""
    base = 0.05
    alternative = {"shallow": base, "residual": base, "plain": base + 2 * APPEND_MARGIN}
    nulls = [{**alternative, "plain": base + APPEND_MARGIN}, {**alternative, "residual": base + KEEP_MARGIN,
                                                               "plain": base + 0.5}]
    return calibration.Rule(appended_decisions, nulls, alternative, 0.002, spread_from={"plain": "residual"})
