"""The verdict statistics: decisions, intervals, and their error rates on synthetic data."""
import math

import numpy as np
import pytest

from resbench import calibration, stats


def test_exceeds_needs_significance_and_the_margin():
    a, b = [0.30, 0.31, 0.32], [0.10, 0.11, 0.12]
    assert stats.exceeds(a, b, margin=0.1).holds
    assert not stats.exceeds(a, b, margin=0.25).holds  # significant, but smaller than the margin
    assert not stats.exceeds([0.1, 0.5, 0.3], [0.1, 0.11, 0.12], margin=0.01).holds  # large, but not significant
    assert stats.exceeds([0.3], b, margin=0.1).holds is None  # one seed: no spread


def test_the_margin_is_the_tested_hypothesis_not_a_filter_on_the_estimate():
    """Effect 0.25 > margin 0.2 and significantly above 0, but its lower 95% bound (0.17) is under the
    margin: not shown. The same data do not contradict it either (upper bound above the margin)."""
    d = stats.exceeds([0.30, 0.35, 0.40], [0.1, 0.1, 0.1], margin=0.2)
    assert d.effect == pytest.approx(0.25) and d.low < 0.2 < d.high
    assert d.holds is False and d.outcome() == "not_shown" and d.p_value > 0.05
    assert stats.exceeds([0.30, 0.35, 0.40], [0.1, 0.1, 0.1], margin=0.1).outcome() == "shown"
    assert stats.exceeds([0.30, 0.31, 0.32], [0.1, 0.1, 0.1], margin=0.5).outcome() == "contradicted"


def test_one_sample_bounds_have_three_outcomes():
    assert stats.below([0.001, 0.002, 0.003], 0.02).outcome() == "shown"
    assert stats.below([0.0, 0.02, 0.04], 0.02).outcome() == "not_shown"
    assert stats.below([0.05, 0.051, 0.052], 0.02).outcome() == "contradicted"
    assert stats.above([0.05, 0.051, 0.052], 0.02).outcome() == "shown"
    assert stats.above([0.001, 0.002, 0.003], 0.02).outcome() == "contradicted"


def test_paired_tests_use_the_differences():
    base = np.array([0.1, 0.3, 0.5, 0.7])
    d = stats.exceeds(base + 0.05 + np.array([0.0, 0.001, -0.001, 0.0]), base, margin=0.02, paired=True)
    assert d.outcome() == "shown" and d.n == (4, 4) and "paired" in d.test
    assert stats.exceeds(base + 0.05, base, margin=0.02).outcome() == "not_shown"  # unpaired: lost in the spread
    assert stats.exceeds([1, 2, 3], [1, 2], 0.0, paired=True).holds is None


def test_equivalence_is_not_absence_of_evidence():
    assert stats.equivalent([0.10, 0.11, 0.10], [0.10, 0.10, 0.11], margin=0.02).holds
    assert not stats.equivalent([0.0, 0.0, 0.29], [0.0, 0.0, 0.0], margin=0.02).holds  # n.s., yet not shown equal


def test_trend_over_all_levels():
    x = np.repeat([8, 20, 32, 56], 3)
    rising = 0.001 * x + np.tile([0.0, 0.002, -0.002], 4)
    d = stats.rises_with(x, rising, margin=0.02)
    assert d.holds and d.effect == pytest.approx(0.048, abs=1e-3) and d.n == (3, 3, 3, 3)
    assert stats.flat_in(x, 0.05 + np.tile([0.0, 0.002, -0.002], 4), margin=0.02).holds
    assert not stats.flat_in(x, rising, margin=0.02).holds


def test_diverged_runs_count_as_the_worst_value():
    assert list(stats.count_diverged([0.1, math.nan], 0.9)) == [0.1, 0.9]


def test_verdict_combines_parts():
    yes = stats.exceeds([1, 1.1], [0, 0.1], 0.5)
    no = stats.exceeds([0, 0.1], [1, 1.1], 0.5)
    unsure = stats.exceeds([0.3, 0.9], [0.0, 0.1], 0.5)
    unknown = stats.exceeds([1], [0], 0.5)
    assert stats.verdict(yes, yes) == "reproduced" and stats.verdict(yes, no) == "not_reproduced"
    assert stats.verdict(yes, unknown) == "inconclusive" and stats.verdict(yes, unsure) == "inconclusive"
    assert stats.verdict(unsure, no) == "not_reproduced" and stats.verdict() == "inconclusive"


def test_contradiction_shares_alpha_over_the_parts():
    """p against the claim 0.03: a contradiction for a one-part claim, not for a two-part one (0.025 each)."""
    part = stats.Decision(False, "t", 0.0, -1.0, 1.0, 0.5, 0.9, (3,), p_against=0.03)
    yes = stats.Decision(True, "t", 1.0, 0.9, 1.1, 0.5, 0.001, (3,), p_against=0.999)
    assert stats.verdict(part) == "not_reproduced" and stats.verdict(part, yes) == "inconclusive"


def rate(draw, decide, trials: int, verdict: str = "reproduced") -> float:
    rng = np.random.default_rng(0)
    return sum(decide(draw(rng)) == verdict for _ in range(trials)) / trials


@pytest.mark.parametrize("test, edge", [
    (lambda a, b: stats.exceeds(a, b, 0.02), 0.02),
    (lambda a, b: stats.below(a - b, 0.02), 0.02),
])
def test_rate_at_the_edge_is_alpha_and_refutation_at_the_edge_is_alpha(test, edge):
    """At effect = margin a part is shown in alpha of the draws, and contradicted in alpha of them."""
    draw = lambda rng: (rng.normal(edge, 0.01, 5), rng.normal(0, 0.01, 5))  # noqa: E731
    shown = rate(draw, lambda ab: stats.verdict(test(*ab)), trials=4000)
    refuted = rate(draw, lambda ab: stats.verdict(test(*ab)), trials=4000, verdict="not_reproduced")
    assert abs(shown - 0.05) < 0.011 and abs(refuted - 0.05) < 0.011


@pytest.mark.parametrize("n", [3, 5])
def test_exceeds_rate_at_its_margin_is_alpha(n):
    draw = lambda rng: (rng.normal(0.01, 0.01, n), rng.normal(0, 0.01, n))  # noqa: E731  (a true effect of exactly the margin)
    decide = lambda ab: stats.verdict(stats.exceeds(*ab, margin=0.01))  # noqa: E731
    assert 0.035 <= rate(draw, decide, trials=2000) <= 0.065


def test_equivalence_false_positive_rate_at_the_margin_is_at_most_alpha():
    draw = lambda rng: (rng.normal(0.02, 0.01, 5), rng.normal(0, 0.01, 5))  # noqa: E731  (a true change of exactly the margin)
    decide = lambda ab: stats.verdict(stats.equivalent(*ab, margin=0.02))  # noqa: E731
    assert rate(draw, decide, trials=2000) <= 0.06


def test_a_group_only_named_by_spread_from_lends_its_spread_and_is_not_drawn():
    """The failing group's own scatter (sd 0.3) would sink the power; it takes the lender's (sd 0.01),
    and the lender, named by no scenario, is never passed to the rule."""
    rng = np.random.default_rng(1)
    groups = {"effect": rng.normal(0.5, 0.3, 8), "lender": rng.normal(0.0, 0.01, 8)}
    seen = set()

    def parts(g):
        seen.update(g)
        return {"above": stats.above(g["effect"], 0.02)}

    nulls, alternative = [{"effect": 0.02}], {"effect": 0.04}
    lent = calibration.calibrate(groups, calibration.Rule(parts, nulls, alternative, 0.001, {"effect": "lender"}), 300)
    own = calibration.calibrate(groups, calibration.Rule(parts, nulls, alternative, 0.001), 300)
    assert seen == {"effect"}
    assert lent["spread"] == {"effect": pytest.approx(np.std(groups["lender"], ddof=1))}
    assert lent["power"] > 0.9 > 0.3 > own["power"]
    assert lent["own_power"] == pytest.approx(own["power"], abs=0.1)


def test_flat_needs_every_level_inside_the_band_not_only_the_fitted_line():
    """A flat least-squares line through a middle level that jumps by five margins is not flat."""
    x = np.repeat([1.0, 2.0, 3.0], 20)
    y = np.concatenate([np.zeros(20), np.full(20, 0.05), np.zeros(20)]) + np.tile([-1e-4, 1e-4], 30)
    d = stats.flat_in(x, y, 0.01)
    assert d.low > -0.01 and d.high < 0.01  # the line alone would pass
    assert d.holds is False
