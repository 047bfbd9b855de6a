"""The look after each round of seeds: every sequential claim (a family's report module lists them in
SEQUENTIAL) decided on the runs of the rounds so far, and on the tables it reads beside them (a loss
surface per mapped run), at this look's level; a decided claim, or one outside its paper's regime
(more seeds would not reach it), stops, as does one this profile only estimates; at the cap an
undecided claim stops as inconclusive; the others name the groups the next round trains. `record` merges the looks into the
depth family's `rounds` table, which the report reads to decide each claim at the look that stopped it."""
from __future__ import annotations

import pandas as pd

from ..calibration import Design
from ..config import round_seeds
from ..families import FAMILIES
from ..report.rounds import runs_through
from ..report.verdicts import stop_reason


def sequential_claims() -> dict:
    """claim id -> (the claim at a look: (tables, design, config) -> claim or None, groups: config ->
    [(arch, depth)], the tables besides `runs` it reads, each keyed by grid seed)."""
    out = {}
    for family in FAMILIES:
        out.update(getattr(family.report(), "SEQUENTIAL", {}))
    return out


def _intervals(claim: dict) -> dict:
    """Each tested part's test, estimate, interval and margin at this look (the report draws them over rounds)."""
    parts = (claim.get("evidence") or {}).get("parts") or {}
    return {k: {f: p.get(f) for f in ("test", "effect", "low", "high", "margin", "p_value")} for k, p in parts.items()}


def look(runs: pd.DataFrame, config: dict, done: int, earlier: list[dict], tables: dict | None = None) -> dict:
    """Round `done`'s look: each sequential claim not stopped at an earlier look, decided on the runs of
    rounds 1..done (and `tables`, cut to the same seeds); the groups the next round trains (those the
    undecided claims read)."""
    cap = config["sequential"]["rounds"]
    stopped = {cid for record in earlier for cid, c in record["claims"].items() if c["stop"] != "next round"}
    stopped |= set(config["report"]["estimate_only"])  # this profile withholds their verdicts: no seeds added
    design = Design(cap, done)
    out = {"round": done, "cap": cap, "look_alpha": design.alpha, "seeds": round_seeds(config, done),
           "claims": {}, "next_groups": []}
    seen = {k: runs_through(t, config, done) for k, t in {"runs": runs, **(tables or {})}.items()}
    for cid, (decide, groups, _) in sequential_claims().items():
        if cid in stopped:
            continue
        claim = decide(seen, design, config)
        if claim is None:
            continue
        stop = stop_reason(claim, done, cap)
        out["claims"][cid] = {"verdict": claim["verdict"], "stop": stop, "seeds": (claim.get("sequential") or {}).get("seeds"),
                              "parts": _intervals(claim)}
        if stop == "next round":
            out["next_groups"] += [[a, int(d)] for a, d in groups(config) if [a, int(d)] not in out["next_groups"]]
    return out


def record(looks: list[dict]) -> dict:
    """The rounds table: every look in order and, per claim, the round whose look stopped it (its last)."""
    looks = sorted(looks, key=lambda record: record["round"])
    stop_round = {cid: record["round"] for record in looks for cid in record["claims"]}
    return {"cap": looks[0]["cap"] if looks else 1, "last_round": looks[-1]["round"] if looks else 1,
            "stop_round": stop_round, "looks": looks}
