"""The report's verbs: `claims` (decide and calibrate every claim once per result set), `report` (figures,
HTML and PDF from the tables and those claims) and `figures` (the figures alone, one family's if asked):
redrawing a figure never recomputes a calibration."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def _config(args) -> dict:
    from .profile import load_config, validate_config

    return validate_config(json.loads(args.config_json)) if args.config_json else load_config(args.config)


def cmd_claims(args) -> None:
    from .report import decide_claims

    decide_claims(_config(args), Path(args.results), Path(args.out))


def _workers(args) -> int:
    from .figures import usable_cores

    return args.jobs or usable_cores()


def cmd_report(args) -> None:
    from .report import build_report

    build_report(_config(args), Path(args.results), Path(args.out), pdf=not args.no_pdf,
                 claims=Path(args.claims) if args.claims else None, drawn=args.drawn, workers=_workers(args))


def cmd_figures(args) -> None:
    from .report import draw_figures

    names = draw_figures(_config(args), Path(args.results), Path(args.out), args.family,
                         claims=Path(args.claims) if args.claims else None, workers=_workers(args))
    where = Path(args.out) / "figures" / (args.family or "<family>")
    print(f"{len(names)} figures redrawn under {where}: {', '.join(names)}")


def _common(p, out_help: str) -> None:
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--config", help="YAML profile the results came from")
    group.add_argument("--config-json", help="validated config as JSON (what the workflow passes)")
    p.add_argument("--results", required=True, help="results/<profile> directory")
    p.add_argument("--out", required=True, help=out_help)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, 1 or more (got {text!r})")
    return int(text)


def _jobs(p) -> None:
    p.add_argument("--jobs", type=_positive, metavar="N", help="processes drawing figures at once (default: every core "
                                                        "this process may use; the workflow passes its job's threads)")


def add_report_verbs(sub) -> None:
    from ..families import FAMILIES

    p = sub.add_parser("claims", help="decide and calibrate every claim from cached tables -> claims.json",
                       description="Reads every family's tables under RESULTS and writes OUT (claims.json): each "
                                   "claim's verdict, sentence, evidence and calibration (the slow part of a report, "
                                   "done once per result set; `report` and `figures` read it back).")
    _common(p, "the claims.json to write")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("report", help="claims, figures, HTML and PDF report from cached tables (no training)",
                       description="Reads every family's tables under RESULTS (each family's declared tables; "
                                   "those a profile did not make are listed as not run) and writes OUT/claims.json "
                                   "(unless --claims gives it), OUT/report.html, OUT/report.pdf and "
                                   "OUT/figures/<family>/*.{png,svg} (with --drawn, the figures already there are "
                                   "read, not redrawn).")
    _common(p, "reports/<profile> directory")
    p.add_argument("--claims", help="a claims.json `resbench claims` wrote for these tables (else decided here)")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    p.add_argument("--drawn", action="store_true",
                   help="read the figures `resbench figures` drew for these same tables instead of redrawing them "
                        "(what the workflow does; a missing one is drawn)")
    _jobs(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("figures", help="redraw the report's figures from cached tables and claims (seconds)",
                       description="Redraws OUT/figures/<family>/*.{png,svg} from the tables under RESULTS and the claims in "
                                   "OUT/claims.json (or --claims), every family's or only --family's; no calibration "
                                   "is recomputed and no HTML or PDF is written (`report` does that).")
    _common(p, "reports/<profile> directory (its claims.json is read)")
    p.add_argument("--family", choices=[f.name for f in FAMILIES], help="only this family's figures")
    p.add_argument("--claims", help="claims.json to read (default: OUT/claims.json)")
    _jobs(p)
    p.set_defaults(func=cmd_figures)
