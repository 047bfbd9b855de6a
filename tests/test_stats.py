"""The verdict statistics: decisions, intervals, and their error rates on synthetic data."""
import math

import numpy as np
import pytest

from resbench import stats


def test_exceeds_needs_significance_and_the_margin():
    a, b = [0.30, 0.31, 0.32], [0.10, 0.11, 0.12]
    assert stats.exceeds(a, b, margin=0.1).holds
    assert not stats.exceeds(a, b, margin=0.25).holds  # significant, but smaller than the margin
    assert not stats.exceeds([0.1, 0.5, 0.3], [0.1, 0.11, 0.12], margin=0.01).holds  # large, but not significant
    assert stats.exceeds([0.3], b, margin=0.1).holds is None  # one seed: no spread


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
    unknown = stats.exceeds([1], [0], 0.5)
    assert stats.verdict(yes, yes) == "reproduced" and stats.verdict(yes, no) == "not_reproduced"
    assert stats.verdict(yes, unknown) == "inconclusive"


@pytest.mark.parametrize("n", [3, 5])
def test_exceeds_false_positive_rate_is_at_most_alpha(n):
    draw = lambda rng: (rng.normal(0, 0.01, n), rng.normal(0, 0.01, n))  # noqa: E731
    decide = lambda ab: stats.verdict(stats.exceeds(*ab, margin=0.0))  # noqa: E731
    assert stats.rate(draw, decide, trials=2000) <= 0.06


def test_equivalence_false_positive_rate_at_the_margin_is_at_most_alpha():
    draw = lambda rng: (rng.normal(0.02, 0.01, 5), rng.normal(0, 0.01, 5))  # noqa: E731  (a true change of exactly the margin)
    decide = lambda ab: stats.verdict(stats.equivalent(*ab, margin=0.02))  # noqa: E731
    assert stats.rate(draw, decide, trials=2000) <= 0.06
