"""Every claim's own calibration function, checked against what a level-alpha rule must do.

A rule whose margin is its tested hypothesis says "reproduced" in alpha = 5% of data sets when a part
sits exactly at the edge of its claim (effect = margin) and the other parts hold clearly, so the
calibration's false-positive rate (the largest over its edge nulls) must be within Monte-Carlo error
of 5% on both sides: a rule that ignores its margin, a liberal rule, or a calibration that returns a
constant 0 or 1 fails. Its power must be near 1 when the seed spread is a tenth of the margin and
well below 1 when it is twice the margin: a rule that always says "inconclusive", or a constant
power, fails. The mutation tests below show that the check does fail for such rules."""
import math

import numpy as np
import pytest

from resbench import calibration, stats
from resbench.families.architectures import claims as arch_claims
from resbench.families.depth import claims as depth_claims
from resbench.families.landscape import claims as landscape_claims
from resbench.families.lesion import claims as lesion_claims
from resbench.families.signal import claims as signal_claims
from resbench.families.variants import claims as variant_claims
from resbench.families.variants.catalog import OBSTRUCTED

N = 5
ACTS = ("linear", "relu", "tanh")
WITH, WITHOUT = ["resnet20", "resnext_c8", "densenet_bc"], ["vgg16_bn", "inception"]


def groups(margins: dict, scale: float, n: int = N) -> dict:
    """Per-seed values whose sample standard deviation is `scale` times each group's margin."""
    z = np.random.default_rng(0).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return {k: 0.5 + scale * m * z for k, m in margins.items()}


# claim -> (its rule, built from the groups as the claim builds it, the margin each group's spread is scaled by)
CASES = {
    "degradation": (depth_claims.degradation_rule,
                    {f"{a}@{d}": depth_claims.DEGRADATION_MARGIN for a in ("plain", "resnet") for d in (8, 20, 32, 56)}),
    "ensemble_lesion": (lambda g: lesion_claims.ensemble_rule(),
                        {"resnet": lesion_claims.ONE_BLOCK_BOUND, "plain": lesion_claims.PLAIN_BREAK_MARGIN,
                         "down_gain": lesion_claims.DOWNSAMPLING_MARGIN}),
    "stochastic_depth": (lesion_claims.stochastic_depth_rule,
                         {"standard": lesion_claims.SD_MARGIN, "sd": lesion_claims.SD_MARGIN}),
    "shortcut_variants": (variant_claims.variants_rule,
                          {v: math.log(variant_claims.LOSS_RATIO_MARGIN) for v in ("identity", *OBSTRUCTED)}),
    "cardinality": (arch_claims.cardinality_rule, {"base": arch_claims.MIN_EFFECT, "top": arch_claims.MIN_EFFECT}),
    "lesion_across_families": (
        lambda g: arch_claims.lesion_across_rule(WITH, WITHOUT),
        {n: arch_claims.ONE_BLOCK_BOUND for n in WITH} | {n: arch_claims.BREAK_MARGIN for n in WITHOUT}),
    "landscape_smoothness": (landscape_claims.landscape_rule,
                             {k: landscape_claims.RAY_MARGIN for k in ("plain", "resnet", "resnet_deep", "resnet_shallow")}),
    "vanishing_gradients": (signal_claims.vanishing_rule,
                            {"plain_ratio": signal_claims.SLOW_FIRST_LAYER, "residual_ratio": signal_claims.SLOW_FIRST_LAYER,
                             "gain": signal_claims.ACCURACY_MARGIN, "residual_gain": signal_claims.ACCURACY_MARGIN}),
    "rank_collapse": (lambda g: signal_claims.rank_collapse_rule(g, ACTS),
                      {f"{a}/{k}": signal_claims.RANK_MARGIN for a in ACTS for k in ("plain", "bn")}),
    "rank_shortcuts": (lambda g: signal_claims.rank_shortcuts_rule(g, ACTS),
                       {f"{a}/{k}": signal_claims.RANK_MARGIN for a in ACTS for k in ("plain", "scaled")}),
    "appended_layers": (signal_claims.appended_rule,
                        {"plain": signal_claims.APPEND_MARGIN, "residual": signal_claims.KEEP_MARGIN,
                         "shallow": signal_claims.KEEP_MARGIN}),
}


def calibrate(claim: str, g: dict, trials: int, design=calibration.Design()) -> dict:
    return calibration.calibrate(g, CASES[claim][0](g), trials, design)


# The variants' rule shares alpha among the variants at the edge (Bonferroni); they share the identity
# group, so its rate at the edge lies between one variant's level and alpha (3.5% measured).
LOWEST_EDGE_RATE = {"shortcut_variants": variant_claims.variant_alpha(len(OBSTRUCTED))}


def problems(claim: str, trials: int) -> list[str]:
    """What is wrong with a claim's calibration: an edge rate outside alpha's Monte-Carlo band, power
    not near 1 at a tight spread, or near 1 at a wide one."""
    margins = CASES[claim][1]
    band = 3 * math.sqrt(stats.ALPHA * (1 - stats.ALPHA) / trials)
    tight = calibrate(claim, groups(margins, 0.1), trials)
    out = []
    lowest = LOWEST_EDGE_RATE.get(claim, stats.ALPHA)
    if not lowest - band <= tight["false_positive_rate"] <= stats.ALPHA + band:
        out.append(f"edge rate {tight['false_positive_rate']:.3f} outside [{lowest:.3f}, {stats.ALPHA}] ± {band:.3f}")
    if not tight["resampled_false_positive_rate"] <= stats.ALPHA + band:
        out.append(f"resampled edge rate {tight['resampled_false_positive_rate']:.3f} above {stats.ALPHA} + {band:.3f}")
    if not tight["power"] >= 0.9:
        out.append(f"power {tight['power']:.2f} at a tenth of the margin's spread")
    wide = calibrate(claim, groups(margins, 2.0), max(trials // 4, 200))
    if not wide["power"] <= 0.7:
        out.append(f"power {wide['power']:.2f} at twice the margin's spread")
    return out


@pytest.mark.parametrize("claim", sorted(CASES))
def test_calibration_is_level_alpha_at_the_edge_and_has_power(claim):
    assert problems(claim, trials=1500) == []


def _always(verdict):
    return lambda *parts, **level: verdict


def _ignore_margin(effect, se, df, margin, alpha, real=stats._greater):
    return real(effect, se, df, 0.0, alpha)


@pytest.mark.parametrize("patch", [("verdict", _always("reproduced")), ("verdict", _always("inconclusive")),
                                   ("_greater", _ignore_margin)], ids=["always-reproduced", "always-inconclusive",
                                                                       "margin-dropped"])
def test_a_broken_rule_fails_the_check_for_every_claim(monkeypatch, patch):
    monkeypatch.setattr(stats, *patch)
    if patch[0] == "verdict":  # rules combine their parts through calibration's import; variants through their count
        monkeypatch.setattr(calibration, *patch)
        monkeypatch.setattr(variant_claims, "variants_verdict", lambda d, alpha=stats.ALPHA: patch[1](*d.values()))
    assert [c for c in sorted(CASES) if not problems(c, trials=200)] == []


def test_a_constant_calibration_fails_the_check(monkeypatch):
    for fp, power in ((0.0, 1.0), (0.05, 1.0), (0.05, 0.0)):
        monkeypatch.setattr(calibration, "calibrate", lambda g, rule, trials, design=None, fp=fp, power=power: {
            "false_positive_rate": fp, "resampled_false_positive_rate": fp, "power": power})
        assert problems("cardinality", trials=400)


def test_too_few_values_give_no_calibration():
    g = {"plain": np.array([0.3]), "residual": np.array([0.0]), "shallow": np.array([0.0])}
    result = calibration.calibrate(g, signal_claims.appended_rule(g))
    assert result["power"] is None and "n = 1" in result["reason"]


def test_seeds_for_power_grows_with_the_spread():
    margins = CASES["cardinality"][1]
    tight, wide = calibrate("cardinality", groups(margins, 0.1), 300), calibrate("cardinality", groups(margins, 1.0), 300)
    assert tight["seeds_for_power"] == N
    # Welch at twice the margin's distance, spread = margin: n per group near 2 * (1.64 + 0.84)^2 / 1 ~ 13
    assert 9 <= wide["seeds_for_power"] <= 18


def test_resampling_sees_skewed_seeds_that_normals_do_not():
    """Two of five seeds failing (bimodal errors): the bootstrap keeps that shape."""
    values = {"standard": np.array([0.02, 0.021, 0.019, 0.6, 0.58]), "sd": np.array([0.02, 0.022, 0.018, 0.021, 0.019])}
    result = calibrate("stochastic_depth", values, 1000)
    assert result["resampled_false_positive_rates"] != result["false_positive_rates"]
    assert result["false_positive_rate"] <= 0.08


def _exact(means: dict, n: int = 400) -> dict:
    """n values per group with exactly the scenario's mean and a tiny spread: a test's effect is its mean."""
    z = np.tile([-1.0, 1.0], n // 2) * 1e-7
    return {k: m + z for k, m in means.items()}


@pytest.mark.parametrize("claim", sorted(CASES))
def test_every_null_puts_a_part_of_the_deciding_rule_exactly_at_its_margin(claim):
    """The calibration's nulls are read by the same parts that decide the verdict: in each, some part's
    effect equals that part's own margin (the edge), and every other part is shown. A calibration run
    at another margin than the verdict's (e.g. half of it) fails here."""
    build, margins = CASES[claim]
    g = groups(margins, 0.1)
    rule = build(g)
    for null in rule.nulls:
        parts = rule.parts(_exact(null))
        at_edge = [k for k, d in parts.items() if math.isclose(abs(d.effect), abs(d.margin), abs_tol=1e-5)
                   or math.isclose(d.effect, d.margin, abs_tol=1e-5)]
        assert at_edge, f"{claim}: no part at its margin in {null}"
        others = {k: d.outcome() for k, d in parts.items() if k not in at_edge}
        assert all(o == "shown" for o in others.values()), f"{claim}: {others} in {null}"


def test_calibration_reads_every_null_not_only_the_first():
    """A rule with a harmless first null and a second at the edge: the rate is the second's (~5%)."""
    rule = calibration.Rule(lambda g: {"gain": stats.exceeds(g["a"], g["b"], 0.01)},
                            [{"a": 0.0, "b": 0.5}, {"a": 0.01, "b": 0.0}], {"a": 0.02, "b": 0.0}, 0.002)
    g = {"a": np.array([0.01, 0.012, 0.008, 0.011, 0.009]), "b": np.array([0.0, 0.002, -0.002, 0.001, -0.001])}
    result = calibration.calibrate(g, rule, trials=2000)
    assert result["false_positive_rates"][0] == 0.0 and 0.03 <= result["false_positive_rate"] <= 0.07


def _edge_draw(n: int):
    return lambda rng: {"a": rng.normal(0.01, 0.01, n), "b": rng.normal(0.0, 0.01, n)}


EXCEEDS = calibration.Rule(lambda g: {"gain": stats.exceeds(g["a"], g["b"], 0.01)}, [{"a": 0.01, "b": 0.0}],
                           {"a": 0.02, "b": 0.0}, 0.002)


def test_a_peeking_rule_fails_the_calibration_check_and_spending_passes():
    """Three rounds of five seeds: testing every look at the full alpha says "reproduced" at the edge
    far more than 5% of the time; the spending function's looks keep it at or below 5%."""
    trials, band = 4000, 3 * math.sqrt(0.05 * 0.95 / 4000)
    sizes = {"a": [5, 10, 15], "b": [5, 10, 15]}
    peeking = calibration.sequential_rate(_edge_draw(15), EXCEEDS, sizes, [stats.ALPHA] * 3, trials)
    spending = calibration.sequential_rate(_edge_draw(15), EXCEEDS, sizes, calibration.look_alphas(3), trials)
    assert peeking > stats.ALPHA + band
    assert spending <= stats.ALPHA + band


def test_spending_adds_up_to_alpha_and_spends_little_early():
    alphas = calibration.look_alphas(3)
    assert math.isclose(sum(alphas), stats.ALPHA) and alphas[0] < alphas[1] < alphas[2]
    assert calibration.look_alphas(1) == pytest.approx([stats.ALPHA])


@pytest.mark.parametrize("claim", ["degradation", "cardinality", "vanishing_gradients"])
def test_calibration_in_rounds_is_level_alpha_at_the_edge(claim):
    """Seeds in three rounds, the first done: the whole procedure, looks and stopping, at the edge."""
    band = 3 * math.sqrt(stats.ALPHA * (1 - stats.ALPHA) / 1000)
    result = calibrate(claim, groups(CASES[claim][1], 0.1), 1000, calibration.Design(rounds=3, done=1))
    assert result["false_positive_rate"] <= stats.ALPHA + band and result["power"] >= 0.9
    assert result["design"]["look_alphas"] == pytest.approx(calibration.look_alphas(3))


def test_a_replaced_spread_prints_the_power_at_the_runs_own_spread():
    """A failing plain-56 scattering 10 points over seeds: the scenarios lend it the ResNet's spread, and
    the power at its own spread is given beside (lower)."""
    rng = np.random.default_rng(3)
    g = {f"resnet@{d}": rng.normal(0.001, 0.0005, 5) for d in (8, 20, 56)}
    g |= {"plain@8": rng.normal(0.001, 0.0005, 5), "plain@20": rng.normal(0.02, 0.005, 5),
          "plain@56": rng.normal(0.6, 0.1, 5)}
    result = calibrate("degradation", g, 400)
    assert "plain@56" in result["replaced_spreads"] and "resnet@56" in result["replaced_spreads"]["plain@56"]
    assert result["own_power"] < result["power"]
    assert result["own_spread"]["plain@56"] > 10 * result["spread"]["plain@56"]


def test_a_bootstrap_of_three_equal_values_is_named_degenerate():
    g = {"standard": np.array([0.05, 0.05, 0.05, 0.06]), "sd": np.array([0.03, 0.031, 0.029, 0.03])}
    result = calibrate("stochastic_depth", g, 200)
    assert "standard" in result["degenerate"] and result["degenerate"]["standard"] > 0.05


def test_the_papers_effect_gets_its_own_power():
    g = {"standard": np.array([0.10, 0.11, 0.09, 0.1, 0.1]), "sd": np.array([0.08, 0.081, 0.079, 0.08, 0.08])}
    result = calibrate("stochastic_depth", g, 300)
    assert result["paper_power"] is not None and 0.0 <= result["paper_power"] <= 1.0


def test_a_liberal_rule_withholds_reproduced_and_names_the_seeds_that_would_bring_it_within():
    """Four of five seeds equal and one apart (a drawn group is constant in a third of the draws, and
    skewed): the bootstrap edge rate is far above 5% at every level, so "reproduced" is withheld, and no
    seed count up to MAX_SEEDS brings it within (a t-test's excess on skewed values fades as 1/sqrt(n));
    the sentences say so, and a rule within the limit at its first doubling is given that count."""
    from resbench.report.verdicts import cap_words, with_calibration

    rule = calibration.Rule(lambda g: {"rise": stats.exceeds(g["a"], g["b"], 1.0)}, [{"a": 1.0, "b": 0.0}],
                            {"a": 3.0, "b": 0.0}, 0.01)
    values = {"a": np.array([3.1, 3.1, 3.1, 3.1, 2.6]), "b": np.array([0.0, 0.05, -0.04, 0.02, -0.03])}
    assert rule.decide(values) == "reproduced"
    claim = with_calibration({"id": "x", "verdict": "reproduced", "sentence": "Reproduced: x.", "evidence": {}},
                             values, rule, "a rise of 2")
    assert claim["verdict"] == "inconclusive" and claim["calibrated_alpha"] is None
    assert claim["seeds_for_calibration"] is None and claim["own_seeds_for_power"] == N  # power is not what it lacks
    assert f"more than {calibration.MAX_SEEDS} seeds per group would be needed to bring" in claim["sentence"]
    assert "round 1 of 1, its cap" in cap_words(claim) and f"more than {calibration.MAX_SEEDS} seeds" in cap_words(claim)

    centred = {k: (v - v.mean()) * math.sqrt(len(v) / (len(v) - 1)) for k, v in values.items()}
    draw = lambda rng: {k: rule.nulls[0][k] + c[rng.integers(0, len(c), 2 * N)] for k, c in centred.items()}  # noqa: E731
    assert calibration.sequential_rate(draw, rule, {k: [2 * N] for k in values}, [0.05], 2000, seed=99) > \
        calibration.edge_limit(calibration.TRIALS)  # not within at the first doubling either, on fresh draws
    normal = {k: (N, 0.1, np.random.default_rng(1).standard_normal(400) * 0.1) for k in values}
    assert calibration.seeds_for_calibration(normal, rule, N) == 2 * N


def test_every_declared_claim_has_a_calibration_case():
    """A claim a family declares (kind "claim": decided by a test over seeds) is checked above; a "check"
    (a construction or a count, no seeds) has nothing to calibrate."""
    from resbench.families import FAMILIES

    declared = {cid for family in FAMILIES for cid, kind, _ in family.claims if kind == "claim"}
    checks = {cid for family in FAMILIES for cid, kind, _ in family.claims if kind != "claim"}
    assert declared == set(CASES) and checks.isdisjoint(CASES) and checks
