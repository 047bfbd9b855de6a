"""Seeds in rounds, as the report reads them: the round at which each sequential claim stopped (the
looks' record, `depth/rounds.json`), the design of that look and the runs of the rounds it read. A
claim decided at round 1 is reported on round 1's seeds even when another claim's groups went on.
Pure Python; no family is named here."""
from __future__ import annotations

import pandas as pd

from ..calibration import Design
from ..config import seeds_through


def stop_round(rounds: dict | None, claim_id: str) -> int:
    """The round whose look stopped `claim_id` (1 when no look recorded it)."""
    return int(((rounds or {}).get("stop_round") or {}).get(claim_id, 1))


def design_of(config: dict, rounds: dict | None, claim_id: str) -> Design:
    return Design(config["sequential"]["rounds"], min(stop_round(rounds, claim_id), config["sequential"]["rounds"]))


def runs_through(runs: pd.DataFrame, config: dict, k: int) -> pd.DataFrame:
    """The rows of a table keyed by grid seed (runs, loss surfaces) from rounds 1 to k."""
    return runs[runs["seed"].isin(seeds_through(config, k))]


def at_its_stop(tables: dict, config: dict, claim_id: str, keys: tuple = ("runs",)) -> tuple[dict, Design]:
    """(the tables a sequential claim reads, `keys` cut to the seeds of the look that stopped it; that
    look's design). The rounds' record is the `rounds` table."""
    design = design_of(config, tables.get("rounds"), claim_id)
    cut = {k: runs_through(tables[k], config, design.done) for k in keys if tables.get(k) is not None}
    return {**tables, **cut}, design
