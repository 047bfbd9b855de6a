"""A claim's rule, and its error rates at one run's shape.

`Rule` is the one object that decides a claim: its parts (per-seed groups in, named `stats.Decision`s
out), how they combine into a verdict, and the scenarios that calibrate it: the nulls (each part in turn
at the edge of its claim, effect = margin, the others holding clearly) and the alternative (the claimed
effect present). The claim's verdict and its calibration both call `Rule.decide`, so they cannot drift.

Seeds come in rounds (`Design`): a look after each round decides at the level the O'Brien–Fleming-type
Lan–DeMets spending function leaves for it (`look_alphas`; one round = one look at the full alpha), and
a claim decided at a look stops there. `calibrate` simulates that whole procedure, looks and stopping
included, two ways: normal draws at the spread the scenario assumes, and a plain bootstrap of the run's
own centred per-seed values (rescaled to their sample variance; no smoothing). A group whose bootstrap
draws are often constant (three seeds, or one value repeated) is named as degenerate, not smoothed.
Where the bootstrap edge rate exceeds alpha by more than three Monte-Carlo errors, the level is lowered
along ALPHA_LADDER until it does not (`calibrated_alpha`; None when even the lowest level is liberal).
Power is given at the spreads the scenarios assume and, where a group's spread was floored or lent by
another group (a failing net's scatter is its failure), also at the run's own spreads.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import special

from .stats import ALPHA, MIN_N, Decision, verdict

TARGET_POWER = 0.8  # a profile is designed so that every claim it runs reaches this power
MAX_SEEDS = 64  # the seed search of `calibrate` stops here
TRIALS = 1000  # simulated runs per scenario (Monte-Carlo error of a 5% rate: 0.7 points)
ALPHA_LADDER = (ALPHA, 0.025, 0.01, 0.005, 0.001)  # levels tried, in turn, for a rule liberal at its own values


def edge_limit(trials: int) -> float:
    """The largest edge rate a level-alpha rule may show in `trials` draws: alpha plus three Monte-Carlo errors."""
    return ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / trials)


def spent(t: float, alpha: float = ALPHA) -> float:
    """Alpha spent by information fraction `t` (0 < t <= 1): Lan & DeMets' O'Brien–Fleming-type
    function for a one-sided test, 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t)); spent(1) = alpha."""
    z = special.ndtri(1 - alpha / 2)
    return float(2 - 2 * special.ndtr(z / math.sqrt(t)))


def look_alphas(rounds: int, alpha: float = ALPHA) -> list[float]:
    """Each look's level over `rounds` equal rounds: what the spending function adds at that look.
    Their sum is alpha, so by the union bound stopping at the first decided look keeps the rate of a
    false "reproduced" at or below alpha (the calibration measures it)."""
    cumulative = [spent(m / rounds, alpha) for m in range(1, rounds + 1)]
    return [b - a for a, b in zip([0.0, *cumulative], cumulative)]


@dataclass(frozen=True)
class Design:
    """Seeds in rounds: `done` rounds are in the data, at most `rounds` (the cap) are run."""
    rounds: int = 1
    done: int = 1

    def alphas(self, level: float = ALPHA) -> list[float]:
        """Each look's level when the whole design spends `level` (a calibrated level scales them)."""
        return [a * level / ALPHA for a in look_alphas(self.rounds)]

    def alpha_at(self, level: float = ALPHA) -> float:
        """The level of this look (round `done`)."""
        return self.alphas(level)[self.done - 1]

    @property
    def alpha(self) -> float:
        return self.alpha_at()

    def spent(self, level: float = ALPHA) -> float:
        """What the looks so far (rounds 1..done) have spent of `level`."""
        return sum(self.alphas(level)[:self.done])

    def sizes(self, n_now: int) -> list[int]:
        """A group's seeds at each look, from its seeds after `done` rounds."""
        return [max(MIN_N, round(n_now * m / self.done)) for m in range(1, self.rounds + 1)]


@dataclass(frozen=True)
class Rule:
    """A claim's decision and its calibration scenarios (see the module docstring). `combine(parts,
    alpha) -> verdict` for claims that do not need every part (default: `stats.verdict`);
    `paper_alternative` places the groups at the effect the paper reports, where it gives one."""
    parts: Callable[[dict], dict[str, Decision]]
    nulls: list[dict]
    alternative: dict
    min_spread: float | dict
    spread_from: dict = field(default_factory=dict)
    combine: Callable | None = None
    paper_alternative: dict | None = None
    no_calibration: str = ""  # why the rule has no scenarios to calibrate (e.g. the failed variants alone decide)

    def verdict(self, parts: dict[str, Decision], alpha: float = ALPHA) -> str:
        return self.combine(parts, alpha) if self.combine else verdict(*parts.values(), alpha=alpha)

    def decide(self, groups: dict, alpha: float = ALPHA) -> str:
        return self.verdict(self.parts(groups), alpha)


def sequential_rate(draw, rule: Rule, sizes: dict, alphas: list[float], trials: int = TRIALS, seed: int = 0,
                    wanted: str = "reproduced") -> float:
    """Share of `trials` simulated runs (draw(rng) -> {group: values at the cap}) whose first decided
    look (each look reads the first sizes[group][m] values at level alphas[m]) says `wanted`."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(trials):
        data = draw(rng)
        for m, alpha in enumerate(alphas):
            said = rule.decide({k: v[:sizes[k][m]] for k, v in data.items()}, alpha)
            if said != "inconclusive":
                break
        hits += said == wanted
    return hits / trials


def _draws(shape: dict, means: dict, bootstrap: bool):
    """draw(rng) -> {group: values}: normals with each group's spread around the scenario's means, or
    (bootstrap) the group's own centred values, rescaled to their sample variance, drawn with replacement."""
    def draw(rng):
        if not bootstrap:
            return {k: rng.normal(means[k], sd, n) for k, (n, sd, _) in shape.items()}
        return {k: means[k] + kept[rng.integers(0, len(kept), n)] for k, (n, _, kept) in shape.items()}
    return draw


def constant_draw_chance(values: np.ndarray, n: int) -> float:
    """Chance that n values drawn with replacement from `values` are all equal."""
    counts = np.array(list(Counter(np.round(values, 12).tolist()).values()), dtype=float)
    return float(((counts / len(values)) ** n).sum())


def _shapes(groups: dict, rule: Rule, cap: dict) -> tuple[dict, dict, dict]:
    """(the scenarios' shape, the run's own shape, why a group's spread differs): name -> (n at the
    cap, sd, centred values rescaled to the sample variance) for the groups the scenarios draw."""
    own = {}
    for name, values in groups.items():
        m = len(values)
        sd = float(np.std(values, ddof=1))
        own[name] = (sd, (values - values.mean()) * math.sqrt(m / (m - 1)))
    design, mine, why = {}, {}, {}
    for k in rule.alternative:
        lender = rule.spread_from.get(k, k)
        floor = rule.min_spread[k] if isinstance(rule.min_spread, dict) else rule.min_spread
        sd, kept = own[lender]
        design[k] = (cap[k], max(sd, floor), kept)
        mine[k] = (cap[k], own[k][0], own[k][1])
        if lender != k:
            why[k] = f"spread of {lender} (its own scatter is the effect)"
        elif sd < floor:
            why[k] = f"spread floored at {floor:g}"
    return design, mine, why


def calibrate(groups: dict, rule: Rule, trials: int | None = None, design: Design = Design()) -> dict:
    """A claim's error rates at this run's shape, rounds and stopping included (module docstring):
    the largest rate of "reproduced" over the nulls (normal draws, and bootstrap), the power at the
    alternative (at the scenarios' spreads, at the run's own where they differ, at the paper's effect
    where given) and `seeds_for_power`. Groups with fewer than MIN_N finite values give none."""
    trials = trials or TRIALS
    if rule.no_calibration:
        return {"false_positive_rate": None, "power": None, "trials": 0, "seeds_for_power": None,
                "reason": rule.no_calibration}
    finite = {}
    for name, values in groups.items():
        values = np.asarray(values, dtype=float)
        finite[name] = values[np.isfinite(values)]
        if len(finite[name]) < MIN_N:
            return {"false_positive_rate": None, "power": None, "trials": 0, "seeds_for_power": None,
                    "reason": f"{name}: n = {len(finite[name])} (a spread needs {MIN_N})"}
    sizes = {k: design.sizes(len(finite[k])) for k in rule.alternative}
    shape, own, replaced = _shapes(finite, rule, {k: s[-1] for k, s in sizes.items()})

    def rate(shape_, means, bootstrap, seed, level=ALPHA):
        return sequential_rate(_draws(shape_, means, bootstrap), rule, sizes, design.alphas(level), trials, seed)

    out = {"trials": trials, "edge": "each part at the edge of its claim (effect = margin) in turn",
           "design": {"rounds": design.rounds, "done": design.done, "look_alphas": design.alphas()}}
    for way, bootstrap in (("", False), ("resampled_", True)):
        rates = [rate(shape, m, bootstrap, i) for i, m in enumerate(rule.nulls)]
        out[f"{way}false_positive_rate"], out[f"{way}false_positive_rates"] = max(rates), rates
        out[f"{way}power"] = rate(shape, rule.alternative, bootstrap, len(rule.nulls))
    out["alpha_ladder"] = {ALPHA: out["resampled_false_positive_rate"]}
    level = ALPHA
    while out["alpha_ladder"][level] > edge_limit(trials) and level != ALPHA_LADDER[-1]:
        level = ALPHA_LADDER[ALPHA_LADDER.index(level) + 1]
        out["alpha_ladder"][level] = max(rate(shape, m, True, i, level) for i, m in enumerate(rule.nulls))
    out["calibrated_alpha"] = level if out["alpha_ladder"][level] <= edge_limit(trials) else None
    out["replaced_spreads"] = replaced
    out["own_power"] = rate(own, rule.alternative, False, len(rule.nulls)) if replaced else out["power"]
    out["paper_power"] = (rate(shape, rule.paper_alternative, False, len(rule.nulls) + 1)
                          if rule.paper_alternative else None)
    first = {k: s[0] for k, s in sizes.items()}
    chances = {k: constant_draw_chance(kept, first[k]) for k, (_, _, kept) in shape.items()}
    out["degenerate"] = {k: round(c, 3) for k, c in chances.items() if c > ALPHA}
    now = max(len(finite[k]) for k in shape)
    out["seeds_for_calibration"] = seeds_for_calibration(shape, rule, now) if level != ALPHA else None
    out["seeds_for_power"] = seeds_for_power(shape, rule, out["power"], now)
    out["own_seeds_for_power"] = seeds_for_power(own, rule, out["own_power"], now) if replaced else out["seeds_for_power"]
    return {**out, "spread": {k: sd for k, (_, sd, _) in shape.items()},
            "own_spread": {k: sd for k, (_, sd, _) in own.items()}, "n": {k: len(finite[k]) for k in shape}}


def seeds_for_calibration(shape: dict, rule: Rule, now: int, trials: int = TRIALS) -> int | None:
    """For a rule liberal at this run's own values: the seeds per group (doubling from `now`, one look at
    ALPHA, each group drawn from its own values) at which the bootstrap edge rate comes within the limit
    `calibrate` applies (`edge_limit(trials)`) in two independent sets of draws (the larger rate counts,
    so noise rarely passes a rate above it); None when MAX_SEEDS does not. A t-test's excess on a skewed sample
    fades slowly (as 1/sqrt(n)), so one outlier in five seeds may need more than MAX_SEEDS."""
    def edge(n: int) -> float:
        at = {k: (n, sd, kept) for k, (_, sd, kept) in shape.items()}
        return max(sequential_rate(_draws(at, m, True), rule, {k: [n] for k in at}, [ALPHA], trials,
                                   seed=1000 * n + 10 * i + twice) for i, m in enumerate(rule.nulls) for twice in (0, 1))

    n = now
    while n < MAX_SEEDS:
        n = min(2 * n, MAX_SEEDS)
        if edge(n) <= edge_limit(trials):
            return n
    return None


def seeds_for_power(shape: dict, rule: Rule, power_now: float, now: int, trials: int = 200) -> int | None:
    """Smallest number of seeds per group (every group at it, each with its spread in `shape`, one
    look) at which the simulated power at the alternative reaches TARGET_POWER; `now` (the seeds per
    group the run has) when `power_now` already does; None when even MAX_SEEDS does not."""
    if power_now >= TARGET_POWER:
        return now
    if now >= MAX_SEEDS:
        return None

    def power(n: int) -> float:
        draw = _draws({k: (n, sd, r) for k, (_, sd, r) in shape.items()}, rule.alternative, False)
        return sequential_rate(draw, rule, {k: [n] for k in shape}, [ALPHA], trials, seed=n)

    low, high = now, min(2 * now, MAX_SEEDS)  # `power_now` already says `now` seeds fall short
    while power(high) < TARGET_POWER:
        if high >= MAX_SEEDS:
            return None
        low, high = high, min(2 * high, MAX_SEEDS)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if power(mid) >= TARGET_POWER else (mid, high)
    return high
