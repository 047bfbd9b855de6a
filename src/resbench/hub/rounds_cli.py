"""The verbs of seeds in rounds: `look` (after each round) and `rounds` (their record for the report)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger("resbench")


def cmd_look(args) -> None:
    import pandas as pd

    from .profile import validate_config
    from .rounds import look
    from ..results.io import read_json, write_json_atomic
    from ..results.tables import concat_files

    config = validate_config(json.loads(args.config_json))
    runs = pd.DataFrame([read_json(Path(p)) for p in args.summaries])
    tables = {name: concat_files(files) for name, *files in args.table}
    result = look(runs, config, args.round, [read_json(Path(p)) for p in args.earlier], tables)
    write_json_atomic(result, Path(args.out))
    for cid, c in result["claims"].items():
        log.info("round %d of %d: %s %s (%s, %s seeds)", args.round, result["cap"], cid, c["verdict"], c["stop"],
                 c["seeds"])
    if result["next_groups"]:
        log.info("next round trains %s", ", ".join(f"{a}-{d}" for a, d in result["next_groups"]))


def cmd_rounds(args) -> None:
    from .rounds import record
    from ..results.io import read_json, write_json_atomic

    write_json_atomic(record([read_json(Path(p)) for p in args.looks]), Path(args.out))


def add_round_verbs(sub) -> None:
    p = sub.add_parser("look", help="after a round of seeds: decide the sequential claims, name the next round's groups",
                       description="Decides each claim that reads the depth grid's runs (the families' SEQUENTIAL) on "
                                   "the runs (and --table tables) of rounds 1..ROUND at this look's level (O'Brien-Fleming-type spending "
                                   "over the profile's sequential.rounds). Writes OUT: each claim's verdict, why it "
                                   "stops or goes on, its intervals, and the (arch, depth) groups the next round trains.")
    p.add_argument("--round", type=int, required=True, help="the round just finished (1-based)")
    p.add_argument("--config-json", required=True, help="the validated profile (its seeds, sequential, model, train)")
    p.add_argument("--summaries", nargs="+", required=True, metavar="SUMMARY", help="summary.json of every run so far")
    p.add_argument("--earlier", nargs="*", default=[], metavar="LOOK", help="the earlier rounds' looks")
    p.add_argument("--table", nargs="+", action="append", default=[], metavar=("NAME", "FILE"),
                   help="a table a sequential claim reads beside the runs (e.g. landscape_curvature), as its "
                        "aggregate would concatenate it from FILEs (one per mapped run so far); repeatable")
    p.add_argument("--out", required=True, help="the look's JSON")
    p.set_defaults(func=cmd_look)

    p = sub.add_parser("rounds", help="merge the looks into the rounds table the report reads",
                       description="Writes OUT (depth/rounds.json): every look, and per claim the round that stopped it.")
    p.add_argument("looks", nargs="+", metavar="LOOK", help="a round's look (rounds/lookN.json), any order")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_rounds)
