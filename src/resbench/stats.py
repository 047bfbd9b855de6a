"""Verdict statistics: per-seed values in, a decision out, with the numbers that justify it.

Pure numpy/scipy (no torch), so claims and their calibration run in seconds.

The margin is the tested hypothesis, never a filter on the estimate:

- `exceeds(a, b, margin)`: "A exceeds B by the margin" = a one-sided Welch (or paired) t-test of
  H0: mean(A) - mean(B) <= margin at `alpha`: shown when the lower one-sided bound is above it.
- `equivalent(a, b, margin)`: "A does not differ from B" = two one-sided tests (TOST): the
  (1 - 2 alpha) confidence interval of mean(A) - mean(B) lies inside (-margin, margin). A
  non-significant difference is never read as "no change".
- `below(values, bound)` / `above(values, bound)`: a one-sample one-sided test against a bound.
- `rises_with(x, y, margin)` / `flat_in(x, y, margin)`: the same two questions for a trend over
  all levels of x (e.g. depth): the rise from the smallest to the largest x along the least-squares
  line through the levels' means, tested with each level's own variance (Welch-Satterthwaite).

Each returns a `Decision` with three possible readings (`Decision.outcome`): *shown* (the test
rejects the claim's null at alpha), *contradicted* (the opposite one-sided test rejects: the interval
excludes the claimed effect), or *not shown* (the interval holds both); *untestable* when too few
values. `verdict` turns parts into `reproduced` (every part shown), `not_reproduced` (a part
contradicted, at alpha shared over the parts: the claim is a conjunction, and a true claim must not
be refuted by any of its parts more often than alpha) or `inconclusive`. Diverged runs are not dropped:
callers replace their NaN by the worst value the metric can take (`count_diverged`).

A claim's rule and its calibration (error rates at the run's own shape, power, seeds) are in
`resbench.calibration`.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import special

ALPHA = 0.05
MIN_N = 2  # per group: one value has no spread


# Student's t through scipy.special's ufuncs: the same values as scipy.stats.t without its argument
# checking; a decision (e.g. `exceeds`) went from 394 to 71 us, which lets every claim's calibration
# (thousands of tests) run inside the report job.
def _t_cdf(x: float, df: float) -> float:
    return float(special.stdtr(df, x))


def t_sf(x: float, df: float) -> float:
    return float(special.stdtr(df, -x))


def t_ppf(q: float, df: float) -> float:
    return float(special.stdtrit(df, q))


@dataclass(frozen=True)
class Decision:
    holds: bool | None  # True: shown at alpha; False: not shown (see `outcome`); None: untestable
    test: str
    effect: float
    low: float  # (1 - 2 alpha) two-sided interval = the one-sided alpha bounds
    high: float
    margin: float
    p_value: float  # of the claim's null (e.g. H0: effect <= margin)
    n: tuple[int, ...]
    reason: str = ""
    extra: dict = field(default_factory=dict)
    p_against: float = math.nan  # of the opposite test: small when the data contradict the claim

    def outcome(self, alpha: float = ALPHA, show_alpha: float = ALPHA) -> str:
        """'shown' (held at the test's level and, where it has a p-value, p < `show_alpha`: a sequential
        look tests at less than the full alpha), 'contradicted' (the opposite test rejects at `alpha`),
        'not_shown' or 'untestable'."""
        if self.holds is None:
            return "untestable"
        if self.holds and not self.p_value >= show_alpha:  # a threshold has no p-value (NaN)
            return "shown"
        return "contradicted" if self.p_against < alpha else "not_shown"

    def evidence(self) -> dict:
        out = asdict(self)
        out["n"] = list(self.n)
        out["outcome"] = self.outcome()
        return out

    def words(self, unit=lambda v: f"{v:.3g}") -> str:
        """'+12.3 points [8.1, 16.5], margin 5, p = 0.002, n = 3/3'-style summary for sentences."""
        if self.holds is None and math.isnan(self.effect):
            return f"n = {'/'.join(map(str, self.n))}: {self.reason}"
        p = f"p = {self.p_value:.2g}, " if not math.isnan(self.p_value) else ""
        return (f"{unit(self.effect)} [{unit(self.low)}, {unit(self.high)}], margin {unit(self.margin)}, "
                f"{p}n = {'/'.join(map(str, self.n))}")


def count_diverged(values, worst: float) -> np.ndarray:
    """NaN (a diverged run) becomes `worst`: counted as the failure it is, not dropped."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, worst)


def _mean_var(x: np.ndarray) -> tuple[float, float]:
    """Mean and sample variance (ddof 1) without numpy's wrappers: calibration calls this a million
    times on arrays of a few seeds, where `ndarray.var`'s overhead was most of the report job's time."""
    mean = float(np.add.reduce(x)) / len(x)
    d = x - mean
    return mean, float(np.dot(d, d)) / (len(x) - 1)


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(difference of means, its standard error, Welch degrees of freedom)."""
    (ma, va), (mb, vb) = _mean_var(a), _mean_var(b)
    va, vb = va / len(a), vb / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return ma - mb, 0.0, math.inf
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return ma - mb, se, df



def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of Welch's t-test (`welch`), for `resbench compare`; NaN when either side has
    fewer than two finite samples."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return math.nan
    effect, se, df = welch(a, b)
    if se == 0:
        return 1.0 if effect == 0 else 0.0
    return min(1.0, 2 * t_sf(abs(effect) / se, df))


def _one_sample(d: np.ndarray) -> tuple[float, float, float]:
    """(mean, its standard error, degrees of freedom)."""
    mean, var = _mean_var(d)
    return mean, math.sqrt(var / len(d)), float(len(d) - 1)


def _too_few(test: str, margin: float, n: tuple[int, ...], why: str = "") -> Decision:
    return Decision(None, test, math.nan, math.nan, math.nan, margin, math.nan, n,
                    reason=why or f"fewer than {MIN_N} values on a side: no seed spread to test against")


def _difference(a, b, paired: bool):
    """(effect, se, df, n, testable, test name) of mean(A) - mean(B): Welch, or paired differences."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = (len(a), len(b))
    testable = min(n) >= MIN_N and bool(np.isfinite(a).all() and np.isfinite(b).all())
    if paired:
        testable = testable and len(a) == len(b)
        return (*(_one_sample(a - b) if testable else (math.nan,) * 3), n, testable, "paired t-test")
    return (*(welch(a, b) if testable else (math.nan,) * 3), n, testable, "Welch t-test")


TIE = 1e-9  # with no spread, an effect within this of its margin is at the margin (floating-point sums, not data)


def _greater(effect: float, se: float, df: float, margin: float, alpha: float):
    """One-sided test of H0: effect <= margin: (p, p of the opposite test, low, high)."""
    if se == 0:
        return (0.0 if effect > margin + TIE else 1.0), (0.0 if effect < margin - TIE else 1.0), effect, effect
    t, half = (effect - margin) / se, t_ppf(1 - alpha, df) * se
    return t_sf(t, df), _t_cdf(t, df), effect - half, effect + half


def _inside(effect: float, se: float, df: float, margin: float, alpha: float):
    """TOST of |effect| < margin: (p, p of 'beyond the band on one side', low, high)."""
    if se == 0:
        inside = abs(effect) < margin - TIE
        return (0.0 if inside else 1.0), (1.0 if inside else 0.0), effect, effect
    half = t_ppf(1 - alpha, df) * se
    p = max(t_sf((effect + margin) / se, df), _t_cdf((effect - margin) / se, df))
    against = min(t_sf((effect - margin) / se, df), _t_cdf((effect + margin) / se, df))
    return p, against, effect - half, effect + half


def _two_groups(a, b, margin: float, alpha: float, paired: bool, test: str, rule) -> Decision:
    """mean(A) - mean(B) tested against `margin` by `rule` (`_greater` or `_inside`); `test` names it,
    with '{}' for 'Welch t-test' or 'paired t-test'."""
    effect, se, df, n, testable, name = _difference(a, b, paired)
    test = test.format(name)
    if not testable:
        return _too_few(test, margin, n, "paired groups of unequal size" if paired and n[0] != n[1] else "")
    p, against, low, high = rule(effect, se, df, margin, alpha)
    return Decision(bool(p < alpha), test, effect, low, high, margin, p, n, p_against=against)


def exceeds(a, b, margin: float, alpha: float = ALPHA, paired: bool = False) -> Decision:
    """A exceeds B by more than `margin`: one-sided t-test of H0: mean(A) - mean(B) <= margin."""
    return _two_groups(a, b, margin, alpha, paired, "one-sided {} against the margin", _greater)


def equivalent(a, b, margin: float, alpha: float = ALPHA, paired: bool = False) -> Decision:
    """mean(A) - mean(B) inside (-margin, margin) by TOST: its (1 - 2 alpha) interval inside the band."""
    return _two_groups(a, b, margin, alpha, paired, "equivalence (TOST, {})", _inside)


def _against_bound(values, bound: float, alpha: float, above_bound: bool) -> Decision:
    """One-sample one-sided t-test of the mean of `values` against `bound`, in either direction."""
    values = np.asarray(values, dtype=float)
    n = (len(values),)
    test = "one-sided one-sample t-test against a bound" + (" (above)" if above_bound else "")
    if len(values) < MIN_N or not np.isfinite(values).all():
        return _too_few(test, bound, n)
    mean, se, df = _one_sample(values)
    p, against, low, high = _greater(mean, se, df, bound, alpha)
    if not above_bound:  # "below" is the opposite test
        p, against = against, p
    return Decision(p < alpha, test, mean, low, high, bound, p, n, p_against=against)


def below(values, bound: float, alpha: float = ALPHA) -> Decision:
    """The mean of `values` is below `bound` (an upper bound on an effect, e.g. "deleting a block
    costs less than 2 points"); `high` is the one-sided upper limit."""
    return _against_bound(values, bound, alpha, above_bound=False)


def above(values, bound: float, alpha: float = ALPHA) -> Decision:
    """The mean of `values` is above `bound`."""
    return _against_bound(values, bound, alpha, above_bound=True)


def threshold(value: float, limit: float, n: tuple[int, ...], what: str, below_limit: bool = True) -> Decision:
    """A deterministic threshold on a summary (no test): reported as one, with its limit. A summary
    beyond the limit contradicts the part outright (there is no spread to weigh it against)."""
    if value is None or math.isnan(value):
        return Decision(None, f"threshold on {what}", math.nan, math.nan, math.nan, limit, math.nan, n,
                        reason=f"{what} not measured")
    holds = bool(value <= limit if below_limit else value >= limit)
    return Decision(holds, f"threshold on {what}", value, value, value, limit, math.nan, n,
                    p_against=1.0 if holds else 0.0)


def _fitted_rise(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Rise of y from min(x) to max(x) along the least-squares line through the levels' means, its
    standard error from each level's own variance (seed spreads differ a lot between depths: a
    pooled-variance regression would call a flat trend rising too often), and Welch-Satterthwaite
    degrees of freedom."""
    levels = np.unique(x)
    stats_ = [(*_mean_var(y[x == v]), int((x == v).sum())) for v in levels]
    means = np.array([m for m, _, _ in stats_])
    var_of_mean = np.array([v / n for _, v, n in stats_])
    dof = np.array([n - 1 for _, _, n in stats_])
    centred = levels - levels.mean()
    c = centred / (centred ** 2).sum() * (levels.max() - levels.min())  # rise = sum(c * means)
    rise = float((c * means).sum())
    parts = c ** 2 * var_of_mean
    se = float(math.sqrt(parts.sum()))
    df = math.inf if se == 0 else float(parts.sum() ** 2 / (parts ** 2 / dof).sum())
    return rise, se, df


def _levels(x, y) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], bool]:
    """(x, y, values per level, testable): two or more levels, each with MIN_N finite values."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = tuple(int(c) for c in np.unique(x, return_counts=True)[1])
    return x, y, n, len(n) >= 2 and min(n) >= MIN_N and bool(np.isfinite(y).all())


def rises_with(x, y, margin: float, alpha: float = ALPHA) -> Decision:
    """y rises with x over all levels by more than `margin`: the least-squares rise from min to max x,
    one-sided t-test of H0: rise <= margin."""
    test = "trend over all levels (Welch contrast), one-sided against the margin"
    x, y, n, testable = _levels(x, y)
    if not testable:
        return _too_few(test, margin, n)
    rise, se, df = _fitted_rise(x, y)
    p, against, low, high = _greater(rise, se, df, margin, alpha)
    return Decision(p < alpha, test, rise, low, high, margin, p, n, p_against=against)


def flat_in(x, y, margin: float, alpha: float = ALPHA) -> Decision:
    """y is flat in x within ±margin: the (1 - 2 alpha) interval of the least-squares rise from
    min to max x lies inside (-margin, margin), and no level's mean leaves the band around the
    smallest level's by more than the margin (a stricter reading, never a looser one)."""
    test = "trend over all levels (Welch contrast), equivalence (TOST)"
    x, y, n, testable = _levels(x, y)
    if not testable:
        return _too_few(test, margin, n)
    rise, se, df = _fitted_rise(x, y)
    p, against, low, high = _inside(rise, se, df, margin, alpha)
    means = [y[x == level].mean() for level in np.unique(x)]
    worst_level = float(max(abs(m - means[0]) for m in means))
    return Decision(bool(p < alpha and worst_level < margin), test, rise, low, high, margin, p, n,
                    extra={"largest_level_change": worst_level}, p_against=against)


def outcomes(parts, alpha: float = ALPHA) -> list[str]:
    """Each part's outcome at level `alpha` (at most ALPHA, the level its test decided `holds` at),
    with `alpha` shared over the parts for contradictions (Bonferroni): showing a conjunction needs
    every part at alpha; refuting it must not happen more often than alpha when every part is true."""
    parts = list(parts)
    return [p.outcome(alpha / max(len(parts), 1), show_alpha=alpha) for p in parts]


def verdict(*parts: Decision, alpha: float = ALPHA) -> str:
    """Every part shown -> reproduced; a part contradicted -> not_reproduced; else inconclusive."""
    seen = outcomes(parts, alpha)
    if "contradicted" in seen:
        return "not_reproduced"
    if seen and all(o == "shown" for o in seen):
        return "reproduced"
    return "inconclusive"
