"""What every family's claims share: the sentence formatting of numbers, the constants a verdict
counts with, the sentence parts every verdict says (which part was shown, contradicted or not shown)
and attaching a claim's calibration. Pure pandas/numpy; no family is named here."""
from __future__ import annotations

import math

from .. import stats

MIN_EFFECT = 0.01  # an error difference under one percentage point is never called a change
CHANCE_ERROR = 0.9  # what a diverged 10-class run is counted as (its error is NaN)
MIN_SPREAD = 0.002  # seed spread floor in calibration draws (an error of 0 on every seed is still noisy)
HEADS = {"reproduced": "Reproduced", "not_reproduced": "Not reproduced", "inconclusive": "Inconclusive"}  # sentence openers
CALIBRATION_FIELDS = ("false_positive_rate", "resampled_false_positive_rate", "power", "resampled_power",
                      "seeds_for_power")


def fmt_pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def fmt_points(x: float) -> str:
    """An error difference in percentage points."""
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:+.1f} pts"


def inconclusive(claim: dict, why: str, evidence: dict | None = None) -> dict:
    """A claim that could not be tested (missing tables, too few seeds, untrained models): the reason."""
    return {**claim, "verdict": "inconclusive", "key_number": "—", "evidence": evidence or {},
            **{k: None for k in CALIBRATION_FIELDS}, "sentence": f"Inconclusive: {why}"}


def withheld(claim: dict, run_in: str | None) -> dict:
    """A claim this profile runs at a reduced size to show its estimate: the verdict is withheld
    (`estimate`) and left to `run_in`; what the test read stays in its evidence."""
    _, _, estimate = claim["sentence"].partition(": ")
    where = f"decided by the standard profile ({run_in})" if run_in else "decided by a profile that runs it in full"
    return {**claim, "verdict": "estimate", "run_in": run_in,
            "evidence": {**claim.get("evidence", {}), "withheld_test_read": claim["verdict"]},
            "sentence": f"Estimate only, verdict withheld ({where}): {estimate}"}


def parts_sentence(parts: dict[str, stats.Decision], unit=None) -> str:
    """' Contradicted by the data: ... Not shown, not contradicted: ... Untested: ...' for the parts not shown,
    each with its interval against its margin in `unit` (a formatter, or one per part name; plain
    numbers otherwise). Empty when every part was shown."""
    seen = dict(zip(parts, stats.outcomes(parts.values())))
    name = lambda k: k.replace("_", " ")  # noqa: E731
    plain = lambda v: f"{v:.3g}"  # noqa: E731
    units = {k: (unit.get(k, plain) if isinstance(unit, dict) else unit or plain) for k in parts}
    interval = {k: f"[{units[k](d.low)}, {units[k](d.high)}] against {units[k](d.margin)}" for k, d in parts.items()}
    out = ""
    contradicted = [f"{name(k)} (interval {interval[k]})" for k in parts if seen[k] == "contradicted"]
    share = stats.ALPHA / max(len(parts), 1)  # the contradiction level each part gets (stats.outcomes)

    def why_unsure(k: str, d: stats.Decision) -> str:
        if d.p_against < stats.ALPHA:  # the interval excludes the claim, but not at the part's share of alpha
            return (f"interval {interval[k]} excludes the claimed effect at {1 - 2 * stats.ALPHA:.0%}, but the "
                    f"opposite test's p = {d.p_against:.2g} misses the {share:.1%} that each of the "
                    f"{len(parts)} parts gets to contradict the claim")
        return f"interval {interval[k]} holds both the claimed effect and its opposite"

    unsure = [f"{name(k)} ({why_unsure(k, d)})" for k, d in parts.items() if seen[k] == "not_shown"]
    untested = [f"{name(k)} ({d.reason})" for k, d in parts.items() if seen[k] == "untestable"]
    if contradicted:
        out += f" Contradicted by the data: {'; '.join(contradicted)}."
    if unsure:
        out += f" Not shown, not contradicted: {'; '.join(unsure)}."
    if untested:
        out += f" Untested: {'; '.join(untested)}."
    return out


def parts_evidence(parts: dict[str, stats.Decision]) -> dict:
    """Each part's test, with its outcome as `verdict` reads it (alpha shared over the parts)."""
    seen = dict(zip(parts, stats.outcomes(parts.values())))
    return {k: {**d.evidence(), "outcome": seen[k]} for k, d in parts.items()}


def with_calibration(claim: dict, calibration: dict, effect: str) -> dict:
    """Attach a claim's calibration: in its evidence, its sentence and claims.json's fields."""
    claim["evidence"]["calibration"] = calibration
    if calibration["power"] is not None:
        claim["sentence"] += (f" With each part at the edge of its claim (effect = margin) the rule says \"reproduced\" "
                              f"in {calibration['false_positive_rate']:.1%} of simulated runs "
                              f"({calibration['resampled_false_positive_rate']:.1%} resampling this run's values); "
                              f"with {effect} in {calibration['power']:.0%}.")
        band = 3 * math.sqrt(stats.ALPHA * (1 - stats.ALPHA) / calibration["trials"])
        if calibration["resampled_false_positive_rate"] > stats.ALPHA + band:
            claim["sentence"] += (" Resampled from this run's own seeds the rule is liberal at the edge (above 5% by more "
                                  "than the Monte-Carlo error): their shape (skewed, floored or bimodal, or too few "
                                  "seeds to resample) weakens what a \"reproduced\" here would say.")
        if calibration["power"] < stats.TARGET_POWER:
            need = calibration["seeds_for_power"]
            claim["sentence"] += (f" {stats.TARGET_POWER:.0%} power at this spread needs about {need} seeds per group."
                                  if need else f" Even {stats.MAX_SEEDS} seeds per group would not give "
                                               f"{stats.TARGET_POWER:.0%} power at this spread.")
    return {**claim, **{k: calibration.get(k) for k in CALIBRATION_FIELDS}}


def method_paragraph(claims: list[dict] | None = None) -> str:
    """Methods' paragraph on how a verdict is decided and calibrated, with this run's rates and power."""
    verdicts = ("Verdicts: each claim states its direction and margin before the data are seen (e.g. plain "
                "training error rising by more than 2 points over the depth grid), and the margin is the tested "
                "hypothesis. \"A exceeds B by the margin\" is shown when a one-sided t-test over seeds (Welch, or "
                "paired where both arms come from the same models) rejects H0: effect ≤ margin at α = 0.05, i.e. "
                "the 90% interval lies above the margin; \"A does not change\" when the 90% interval lies inside "
                "±margin (two one-sided tests), never from a non-significant difference. A part is contradicted "
                "when the opposite one-sided test rejects (the interval excludes the claimed effect), at α shared "
                "over the claim's parts, so a true claim is refuted in at most 5% of runs. A claim is reproduced "
                "when every part is shown, not reproduced when a part is contradicted, and inconclusive otherwise "
                "— too wide an interval, too few seeds or untrained models — with the part named and the seeds "
                "that would give 80% power. Trends over depth use every depth of the grid, each with its own seed "
                "variance. Diverged runs count as chance error, not as missing. Each claim's rule is calibrated at "
                "this run's seeds and per-group spread (1,000 draws per scenario): the rate of 'reproduced' with "
                "each part in turn at the edge of its claim (effect = margin) and the others holding clearly — "
                "the largest rate is given, drawn from normals and by resampling this run's own per-seed values "
                "(centred, rescaled to their variance, with a small normal kernel), so skewed, floored and "
                "bimodal seeds are covered — and the power with twice the margin. Where a group's spread is the "
                "effect itself (a plain net that failed to train), the scenarios take the spread of a net that "
                "trains in its place (the ResNet at that depth; the residual sigmoid MLPs' change over the same "
                "depths), since a net at the edge of the claim is one that trains. Checks that hold by "
                "construction are reported apart from the tally.")
    calibrated = [c for c in claims or [] if c.get("power") is not None]
    if calibrated:
        verdicts += (" At this run, rate at the edge (simulated / resampled) and power: "
                     + "; ".join(f"{c['id'].replace('_', ' ')} {c['false_positive_rate']:.1%} / "
                                 f"{c['resampled_false_positive_rate']:.1%} / {c['power']:.0%}" for c in calibrated)
                     + ".")
        weak = [c for c in calibrated if c["power"] < 0.8]
        if weak:
            verdicts += (" Below 80% power at these seeds: " + ", ".join(
                f"{c['id'].replace('_', ' ')} (about {c['seeds_for_power']} seeds per group would reach it)"
                if c.get("seeds_for_power") else f"{c['id'].replace('_', ' ')} (not within 64 seeds)" for c in weak)
                + " — an 'inconclusive' there reports the design, not the paper, and the margin was not widened "
                  "to hide it.")
    return verdicts
