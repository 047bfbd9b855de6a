"""Verdict statistics: per-seed values in, a decision out, with the numbers that justify it.

Pure numpy/scipy (no torch), so claims and their calibration run in seconds.

- `exceeds(a, b, margin)`: "A exceeds B" = a one-sided Welch t-test of mean(A) > mean(B) at
  `alpha` *and* an estimated effect of at least `margin`.
- `equivalent(a, b, margin)`: "A does not differ from B" = two one-sided tests (TOST): the
  (1 - 2 alpha) confidence interval of mean(A) - mean(B) lies inside (-margin, margin). A
  non-significant difference is never read as "no change".
- `rises_with(x, y, margin)` / `flat_in(x, y, margin)`: the same two questions for a trend over
  all levels of x (e.g. depth): the rise from the smallest to the largest x along the least-squares
  line through the levels' means, tested with each level's own variance (Welch-Satterthwaite).

Each returns a `Decision` whose `holds` is True, False, or None (inconclusive, with the reason:
too few values). Diverged runs are not dropped: callers replace their NaN by the worst value the
metric can take (`count_diverged`), which is what a diverged run means for the claim.
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


def _t_sf(x: float, df: float) -> float:
    return float(special.stdtr(df, -x))


def _t_ppf(q: float, df: float) -> float:
    return float(special.stdtrit(df, q))


@dataclass(frozen=True)
class Decision:
    holds: bool | None
    test: str
    effect: float
    low: float  # (1 - 2 alpha) two-sided interval = the one-sided alpha bounds
    high: float
    margin: float
    p_value: float
    n: tuple[int, ...]
    reason: str = ""
    extra: dict = field(default_factory=dict)

    def evidence(self) -> dict:
        out = asdict(self)
        out["n"] = list(self.n)
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


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(difference of means, its standard error, Welch degrees of freedom)."""
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return float(a.mean() - b.mean()), 0.0, math.inf
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return float(a.mean() - b.mean()), se, df


def _too_few(test: str, margin: float, n: tuple[int, ...]) -> Decision:
    return Decision(None, test, math.nan, math.nan, math.nan, margin, math.nan, n,
                    reason=f"fewer than {MIN_N} values on a side: no seed spread to test against")


def _two_groups(a, b) -> tuple[np.ndarray, np.ndarray, tuple[int, int], bool]:
    """(a, b, sizes, testable): both need MIN_N finite values."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = (len(a), len(b))
    return a, b, n, min(n) >= MIN_N and bool(np.isfinite(a).all() and np.isfinite(b).all())


def exceeds(a, b, margin: float, alpha: float = ALPHA) -> Decision:
    """A exceeds B by at least `margin`: one-sided Welch t-test at `alpha` and effect >= margin."""
    a, b, n, testable = _two_groups(a, b)
    if not testable:
        return _too_few("one-sided Welch t-test + margin", margin, n)
    effect, se, df = _welch(a, b)
    if se == 0:
        p = 0.0 if effect > 0 else 1.0
        low = high = effect
    else:
        p = _t_sf(effect / se, df)
        half = _t_ppf(1 - alpha, df) * se
        low, high = effect - half, effect + half
    holds = p < alpha and effect >= margin
    return Decision(holds, "one-sided Welch t-test + margin", effect, low, high, margin, p, n)


def equivalent(a, b, margin: float, alpha: float = ALPHA) -> Decision:
    """mean(A) - mean(B) inside (-margin, margin) by TOST: its (1 - 2 alpha) interval inside the band."""
    a, b, n, testable = _two_groups(a, b)
    if not testable:
        return _too_few("equivalence (TOST, Welch)", margin, n)
    effect, se, df = _welch(a, b)
    half = 0.0 if se == 0 else _t_ppf(1 - alpha, df) * se
    low, high = effect - half, effect + half
    if se == 0:
        p = 0.0 if abs(effect) < margin else 1.0
    else:
        p = max(_t_sf((effect + margin) / se, df), _t_cdf((effect - margin) / se, df))
    return Decision(bool(-margin < low and high < margin), "equivalence (TOST, Welch)", effect, low, high, margin, p, n)


def below(values, bound: float, alpha: float = ALPHA) -> Decision:
    """The mean of `values` is below `bound`: one-sample one-sided t-test (an upper bound on an
    effect, e.g. "deleting a block costs less than 2 points"); `high` is the one-sided upper limit."""
    values = np.asarray(values, dtype=float)
    n = (len(values),)
    if len(values) < MIN_N or not np.isfinite(values).all():
        return _too_few("one-sided one-sample t-test against a bound", bound, n)
    mean, se = float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))
    if se == 0:
        p, half = (0.0 if mean < bound else 1.0), 0.0
    else:
        p = _t_cdf((mean - bound) / se, len(values) - 1)
        half = _t_ppf(1 - alpha, len(values) - 1) * se
    return Decision(p < alpha, "one-sided one-sample t-test against a bound", mean, mean - half, mean + half, bound,
                    p, n)


def above(values, bound: float, alpha: float = ALPHA) -> Decision:
    """The mean of `values` is above `bound` (the mirror of `below`)."""
    d = below(-np.asarray(values, dtype=float), -bound, alpha)
    if d.holds is None:
        return d
    return Decision(d.holds, "one-sided one-sample t-test against a bound (above)", -d.effect, -d.high, -d.low, bound,
                    d.p_value, d.n)


def threshold(value: float, limit: float, n: tuple[int, ...], what: str, below_limit: bool = True) -> Decision:
    """A deterministic threshold on a summary (no test): reported as one, with its limit."""
    if value is None or math.isnan(value):
        return Decision(None, f"threshold on {what}", math.nan, math.nan, math.nan, limit, math.nan, n,
                        reason=f"{what} not measured")
    holds = value <= limit if below_limit else value >= limit
    return Decision(bool(holds), f"threshold on {what}", value, value, value, limit, math.nan, n)


def _fitted_rise(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Rise of y from min(x) to max(x) along the least-squares line through the levels' means, its
    standard error from each level's own variance (seed spreads differ a lot between depths: a
    pooled-variance regression would call a flat trend rising too often), and Welch-Satterthwaite
    degrees of freedom."""
    levels = np.unique(x)
    means = np.array([y[x == v].mean() for v in levels])
    var_of_mean = np.array([y[x == v].var(ddof=1) / (x == v).sum() for v in levels])
    dof = np.array([(x == v).sum() - 1 for v in levels])
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
    """y rises with x over all levels: the least-squares rise from min to max x is significantly
    positive (one-sided t-test of the slope) and at least `margin`."""
    test = "trend over all levels (Welch contrast), one-sided + margin"
    x, y, n, testable = _levels(x, y)
    if not testable:
        return _too_few(test, margin, n)
    rise, se, df = _fitted_rise(x, y)
    if se == 0:
        p, half = (0.0 if rise > 0 else 1.0), 0.0
    else:
        p, half = _t_sf(rise / se, df), _t_ppf(1 - alpha, df) * se
    return Decision(p < alpha and rise >= margin, test, rise, rise - half, rise + half, margin, p, n)


def flat_in(x, y, margin: float, alpha: float = ALPHA) -> Decision:
    """y is flat in x within ±margin: the (1 - 2 alpha) interval of the least-squares rise from
    min to max x lies inside (-margin, margin), and no level's mean leaves the band around the
    smallest level's by more than the margin."""
    test = "trend over all levels (Welch contrast), equivalence (TOST)"
    x, y, n, testable = _levels(x, y)
    if not testable:
        return _too_few(test, margin, n)
    rise, se, df = _fitted_rise(x, y)
    half = 0.0 if se == 0 else _t_ppf(1 - alpha, df) * se
    means = [y[x == level].mean() for level in np.unique(x)]
    worst_level = float(max(abs(m - means[0]) for m in means))
    holds = bool(-margin < rise - half and rise + half < margin and worst_level < margin)
    p = math.nan if se == 0 else max(_t_sf((rise + margin) / se, df),
                                     _t_cdf((rise - margin) / se, df))
    return Decision(holds, test, rise, rise - half, rise + half, margin, p, n,
                    extra={"largest_level_change": worst_level})


def verdict(*parts: Decision) -> str:
    """All parts hold -> reproduced; any part fails -> not_reproduced; else inconclusive."""
    if any(p.holds is False for p in parts):
        return "not_reproduced"
    if all(p.holds for p in parts):
        return "reproduced"
    return "inconclusive"


def rate(draw, decide, trials: int = 1000, seed: int = 0) -> float:
    """Share of `trials` synthetic data sets (draw(rng) -> data) for which decide(data) says
    'reproduced': a claim's false-positive rate (effect absent) or power (effect present)."""
    rng = np.random.default_rng(seed)
    return sum(decide(draw(rng)) == "reproduced" for _ in range(trials)) / trials


def calibrate(groups: dict, decide, nulls: list[dict], alternative: dict, min_spread, trials: int = 1000) -> dict:
    """A claim's false-positive rate and power at one run's shape. `groups` maps a name to its
    observed per-seed values; each synthetic data set redraws every group from a normal with the
    group's own n and standard deviation (floored at `min_spread`, a float or a dict by name) around
    the scenario's mean. `nulls` are scenarios in which the claim is false (each part at the edge
    of failing in turn): the false-positive rate is the largest of their rates. `alternative` is the
    scenario with the claimed effect present (twice the margin): its rate is the power.
    `decide(dict of arrays) -> verdict`. Groups with fewer than MIN_N values give no calibration."""
    shape = {}
    for name, values in groups.items():
        values = np.asarray(values, dtype=float)
        values = values[np.isfinite(values)]
        floor = min_spread[name] if isinstance(min_spread, dict) else min_spread
        if len(values) < MIN_N:
            return {"false_positive_rate": None, "power": None, "trials": 0,
                    "reason": f"{name}: n = {len(values)} (a spread needs {MIN_N})"}
        shape[name] = (len(values), max(float(np.std(values, ddof=1)), floor))

    def draw(means):
        return lambda rng: {k: rng.normal(means[k], sd, n) for k, (n, sd) in shape.items()}

    rates = [rate(draw(m), decide, trials, seed=i) for i, m in enumerate(nulls)]
    return {"false_positive_rate": max(rates), "false_positive_rates": rates,
            "power": rate(draw(alternative), decide, trials, seed=len(nulls)), "trials": trials,
            "spread": {k: sd for k, (_, sd) in shape.items()}, "n": {k: n for k, (n, _) in shape.items()}}
