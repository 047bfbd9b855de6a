"""The toy family's verb."""
from __future__ import annotations


def cmd_toy(args) -> None:
    import pandas as pd

    from ...results import write_table_atomic

    runs = pd.read_csv(args.runs)
    write_table_atomic(runs.groupby("arch")["final_test_error"].mean().rename("error").reset_index(), args.out)


def register(sub) -> None:
    p = sub.add_parser("toy", help="the grid's mean test error per architecture",
                       description="Reads the grid's runs.csv; writes one row per architecture to OUT.")
    p.add_argument("runs", help="the depth grid's runs.csv")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_toy)
