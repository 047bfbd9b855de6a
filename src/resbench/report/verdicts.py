"""What every family's claims share: the sentence formatting of numbers, the constants a verdict
counts with, the sentence parts every verdict says (which part was shown, contradicted or not shown)
and attaching a claim's calibration. Pure pandas/numpy; no family is named here."""
from __future__ import annotations

import math

from .. import calibration, stats
from ..calibration import MAX_SEEDS, TARGET_POWER

MIN_EFFECT = 0.01  # an error difference under one percentage point is never called a change
CHANCE_ERROR = 0.9  # what a diverged 10-class run is counted as (its error is NaN)
MIN_SPREAD = 0.002  # seed spread floor in calibration draws (an error of 0 on every seed is still noisy)
HEADS = {"reproduced": "Reproduced", "not_reproduced": "Not reproduced", "inconclusive": "Inconclusive"}  # sentence openers
CALIBRATION_FIELDS = ("false_positive_rate", "resampled_false_positive_rate", "calibrated_alpha", "power",
                      "resampled_power", "own_power", "paper_power", "seeds_for_power", "own_seeds_for_power",
                      "seeds_for_calibration")


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


# Rules of the calibration changed after data were seen (listed in Methods with the families' own).
RULE_CHANGES = (
    "Calibration (issue 32, 052119b and after, once the standard profile's rates on seeds 0-4 had been seen): the "
    "bootstrap edge rate is a plain bootstrap of each group's own per-seed values (rescaled to their sample "
    "variance), no longer smoothed by a normal kernel of half the group's spread; for a rule liberal at this run's "
    "own values (bootstrap rate above 5% by more than three Monte-Carlo errors) alpha is lowered until it is not, "
    "and a verdict stands only if it holds there; power is printed at the run's own spreads beside the assumed "
    "ones, and at the paper's effect where it gives one; appended plain blocks take the residual blocks' spread. "
    "On the standard profile's seeds 0-4 one verdict moved: landscape smoothness, not reproduced -> inconclusive "
    "(bootstrap edge rate 19.2% at 5%; at the calibrated alpha = 0.005 its contradiction no longer holds). Rank "
    "collapse's 'reproduced' holds at alpha = 0.01 (8.7% at 5%); lesion across families is liberal at every level "
    "tried (22.8%; it was inconclusive already). Printed power: degradation 100% at a trained net's spread and 12% "
    "at its own; appended layers 100% and 8% (9% was printed alone); stochastic depth 20 -> 42% (three rounds).",
)


def _power_words(calibration: dict, effect: str) -> str:
    """' ... with EFFECT in P%' and, where a spread was replaced, the power at the run's own spreads."""
    out = f"with {effect} in {calibration['power']:.0%}"
    replaced = calibration.get("replaced_spreads") or {}
    if replaced:
        reasons = "; ".join(f"{k}: {why}" for k, why in replaced.items())
        out += (f" at the spreads the scenarios assume ({reasons}) and in {calibration['own_power']:.0%} at this run's "
                "own spreads")
    if calibration.get("paper_power") is not None:
        out += f"; at the paper's effect size, {calibration['paper_power']:.0%}"
    return out


def _seeds_words(calibration: dict) -> str:
    need, own = calibration["seeds_for_power"], calibration.get("own_seeds_for_power")
    if calibration["power"] >= TARGET_POWER and calibration.get("own_power", 1.0) >= TARGET_POWER:
        return ""
    words = lambda n: f"about {n} seeds per group" if n else f"more than {MAX_SEEDS} seeds per group"  # noqa: E731
    out = f" {TARGET_POWER:.0%} power needs {words(need)}"
    if calibration.get("replaced_spreads"):
        out += f" at the assumed spreads and {words(own)} at this run's own"
    return out + "."


def with_calibration(claim: dict, groups: dict, rule: calibration.Rule, effect: str,
                     design: calibration.Design = calibration.Design()) -> dict:
    """Calibrate the rule that decided `claim` (at `design`'s look) on its groups and attach the result
    (evidence, sentence, claims.json's fields) with the design (seeds, rounds, alpha spent, why it
    stopped). The one rule for a rule liberal at this run's own values (bootstrap edge rate above alpha
    by more than three Monte-Carlo errors): the level is lowered until it is not (`calibrated_alpha`)
    and a verdict stands only if the rule still says it there (`_at_calibrated_alpha`)."""
    cal = calibration.calibrate(groups, rule, design=design)
    claim["evidence"]["calibration"] = cal
    if cal["power"] is not None:
        claim["sentence"] += (f" With each part at the edge of its claim (effect = margin) the rule says \"reproduced\" "
                              f"in {cal['false_positive_rate']:.1%} of simulated runs "
                              f"({cal['resampled_false_positive_rate']:.1%} in a plain bootstrap of this run's "
                              f"per-seed values); {_power_words(cal, effect)}.")
        degenerate = cal.get("degenerate") or {}
        if degenerate:
            claim["sentence"] += (" Resampling is degenerate for " + ", ".join(
                f"{k} (a drawn group is constant in {c:.0%} of draws)" for k, c in degenerate.items())
                + ": the bootstrap reads those groups as having almost no spread.")
        claim["sentence"] += _seeds_words(cal)
        claim = _at_calibrated_alpha(claim, cal, groups, rule, design)
    n = cal.get("n") or {}
    level = cal.get("calibrated_alpha") or stats.ALPHA
    sequential = {"seeds": max(n.values()) if n else None, "rounds": design.done, "cap_rounds": design.rounds,
                  "look_alpha": design.alpha_at(level), "alpha_spent": design.spent(level)}
    claim = {**claim, "sequential": sequential, **{k: cal.get(k) for k in CALIBRATION_FIELDS}}
    claim["sequential"]["stop"] = stop_reason(claim, design.done, design.rounds)
    return claim


def _at_calibrated_alpha(claim: dict, cal: dict, groups: dict, rule: calibration.Rule,
                         design: calibration.Design) -> dict:
    """A decided claim whose rule is liberal at this run's own values, decided again at the calibrated
    level (this look's share of it): the verdict stands only if the rule still says it there. With no
    level on the ladder within the limit, a "reproduced" is withheld (a contradiction is not what the
    edge rate measures, so a "not reproduced" stands)."""
    level, said = cal.get("calibrated_alpha"), claim["verdict"]
    if said not in ("reproduced", "not_reproduced") or level == stats.ALPHA or (level is None and said != "reproduced"):
        return claim
    rate = cal["resampled_false_positive_rate"]
    liberal = (f"the rule is liberal at this run's own values (bootstrap edge rate {rate:.1%} at α = 5%, above 5% by "
               "more than three Monte-Carlo errors)")
    words = said.replace("_", " ")
    if level is not None and rule.decide(groups, design.alpha_at(level)) == said:
        claim["sentence"] += (f" As {liberal}, α was lowered to {level:g} (bootstrap edge rate "
                              f"{cal['alpha_ladder'][level]:.1%}), where the rule still says \"{words}\".")
        return claim
    where = (f"at the calibrated α = {level:g} (bootstrap edge rate {cal['alpha_ladder'][level]:.1%}) it no longer says "
             f"\"{words}\"" if level is not None else f"no level down to α = {calibration.ALPHA_LADDER[-1]:g} is "
                                                     "within it")
    _, _, rest = claim["sentence"].partition(": ")
    claim["evidence"]["liberal_test_read"] = said
    need = cal.get("seeds_for_calibration")
    more = (f"about {need} seeds per group would bring the bootstrap edge rate within it at α = 5%" if need
            else f"more than {MAX_SEEDS} seeds per group would be needed to bring the bootstrap edge rate within it")
    return {**claim, "verdict": "inconclusive", "sentence": f"Inconclusive: {liberal}, and {where}; {more}. {rest}"}


def stop_reason(claim: dict, done: int, cap: int) -> str:
    """Why a claim's seeds stopped after round `done` of `cap`: 'decided', 'estimate only' (this profile
    withholds the verdict), 'outside regime' (more seeds would not reach it), 'cap' (the last round,
    still undecided) or 'next round' (rounds left)."""
    if claim["verdict"] in ("reproduced", "not_reproduced"):
        return "decided"
    if claim["verdict"] == "estimate":
        return "estimate only"
    if (claim.get("regime") or {}).get("met") is False:
        return "outside regime"
    return "cap" if done >= cap else "next round"


def cap_words(claim: dict) -> str:
    """For an inconclusive claim whose seeds stopped at the profile's cap: that the cap stopped it (a
    family whose runs are not in rounds has a cap of one round) and the seeds it would need."""
    seq = claim.get("sequential") or {}
    if claim["verdict"] != "inconclusive" or seq.get("stop") != "cap":
        return ""
    rounds = f"round {seq['rounds']} of {seq['cap_rounds']}, its cap" + (
        "" if seq["cap_rounds"] > 1 else " (seeds in rounds cover the claims on the grid's runs and their loss "
                                         "surfaces; the other claims take one round)")
    liberal = claim.get("power") is not None and claim.get("calibrated_alpha") != stats.ALPHA
    need = [claim.get("own_seeds_for_power")] + ([claim.get("seeds_for_calibration")] if liberal else [])
    words = (f"with about {max(need)} seeds per group its rule would be within its edge rate at α = 5% and have "
             f"{TARGET_POWER:.0%} power at this run's own spreads" if None not in need
             else f"more than {MAX_SEEDS} seeds per group would be needed")
    if claim.get("power") is None:  # no calibration (too few finite values): no count to give
        words = "its rule had nothing to calibrate, so no seed count is given"
    return f" Its seeds ({seq['seeds']} per group) stopped at {rounds}; {words}."


def _named(claims: list[dict]) -> str:
    return ", ".join(c["id"].replace("_", " ") for c in claims)


def method_paragraph(claims: list[dict] | None = None) -> str:
    """Methods' paragraph on how a verdict is decided and calibrated, with this run's rates and power; its
    examples are this run's claims (the paragraph names no family)."""
    claims = claims or []
    example = next((c["claim"] for c in claims if c.get("margin") is not None and c.get("claim")), None)
    lent = [c for c in claims if c.get("own_power") is not None and c.get("power") is not None
            and c["own_power"] != c["power"]]
    paper = [c for c in claims if c.get("paper_power") is not None]
    verdicts = ("Verdicts: each claim states its direction and margin before the data are seen"
                + (f" (e.g. {example[0].lower()}{example[1:].rstrip('.')})" if example else "")
                + ", and the margin is the tested "
                "hypothesis. \"A exceeds B by the margin\" is shown when a one-sided t-test over seeds (Welch, or "
                "paired where both arms come from the same models) rejects H0: effect ≤ margin at α = 0.05, i.e. "
                "the 90% interval lies above the margin; \"A does not change\" when the 90% interval lies inside "
                "±margin (two one-sided tests), never from a non-significant difference. A part is contradicted "
                "when the opposite one-sided test rejects (the interval excludes the claimed effect), at α shared "
                "over the claim's parts, so a true claim is refuted in at most 5% of runs. A claim is reproduced "
                "when every part is shown, not reproduced when a part is contradicted, and inconclusive otherwise "
                "— too wide an interval, too few seeds or untrained models — with the part named and the seeds "
                "that would give 80% power. Trends over depth use every depth of the grid, each with its own seed "
                "variance. Diverged runs count as chance error, not as missing. Each claim's rule — the same object that "
                "decides its verdict — is calibrated at this run's seeds and per-group spread (1,000 draws per "
                "scenario, looks and stopping included): the rate of 'reproduced' with each part in turn at the "
                "edge of its claim (effect = margin) and the others holding clearly — the largest rate is given, "
                "drawn from normals and from a plain bootstrap of this run's own per-seed values (centred, rescaled "
                "to their sample variance, no smoothing; a group whose draws are often constant is named as "
                "degenerate) — and the power with twice the margin. One rule (added after data were seen: see the "
                "list of such changes): when the bootstrap rate exceeds 5% by more than three Monte-Carlo errors, α "
                "is lowered along 0.025, 0.01, 0.005, 0.001 until it does not, and a verdict stands only if the "
                "rule still says it there (inconclusive otherwise). Where a group's spread is the effect itself (a "
                "net that failed to train), the scenarios take the spread of a group that trains in its place, as "
                "the claim's rule names it, and the power at this run's own spreads is printed beside it"
                + (f" ({_named(lent)} here)" if lent else "") + "; where the paper gives an effect size the power "
                "at it is printed too" + (f" ({_named(paper)} here)" if paper else "") + ". Seeds come in rounds, "
                "each look at the level an O'Brien–Fleming-type Lan–DeMets spending function leaves it (one round: "
                "one look at 5%). Checks that hold by construction are reported apart from the tally.")
    calibrated = [c for c in claims if c.get("power") is not None]
    if calibrated:
        verdicts += (" At this run, rate at the edge (simulated / resampled) and power: "
                     + "; ".join(f"{c['id'].replace('_', ' ')} {c['false_positive_rate']:.1%} / "
                                 f"{c['resampled_false_positive_rate']:.1%} / {c['power']:.0%}"
                                 + (f" ({c['own_power']:.0%} at its own spreads)" if c.get("own_power") is not None
                                    and c["own_power"] != c["power"] else "") for c in calibrated)
                     + ".")
        weak = [c for c in calibrated if c["power"] < 0.8]
        if weak:
            verdicts += (" Below 80% power at these seeds: " + ", ".join(
                f"{c['id'].replace('_', ' ')} (about {c['seeds_for_power']} seeds per group would reach it)"
                if c.get("seeds_for_power") else f"{c['id'].replace('_', ' ')} (not within 64 seeds)" for c in weak)
                + " — an 'inconclusive' there reports the design, not the paper, and the margin was not widened "
                  "to hide it.")
    return verdicts
