"""The `resbench` command: one verb per workflow step. Heavy imports happen inside each verb,
so `resbench report` never loads torch."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from .cli_common import USER_VERBS, import_attr, schema_enum, unknown_verb, verb_listing  # noqa: F401
from .errors import ResbenchError

log = logging.getLogger("resbench")

# The verbs a user runs by hand; every other verb is a workflow step that a Snakemake rule runs.

EPILOG = """\
Examples:
  resbench train --config config/quick.yaml --arch plain --depth 56 --seed 0 --out runs/plain56
  resbench report --config config/quick.yaml --results results/quick --out reports/quick
  resbench data cifar10 --root data --download      # on a machine with internet
  resbench config config/paper.yaml                 # print the validated config with defaults
  resbench compare main HEAD --out-dir cmp          # two commits' archived results (run both first)
  resbench export HEAD --out results.tar.gz         # one commit's results as a bundle for a colleague
"""


def _runs_from_args(args) -> list[tuple[dict, Path]]:
    """(spec, run directory) pairs: repeated --spec/--out, or one run from --config/--arch/--depth."""
    from .hub.profile import grid_spec, load_config

    if args.spec:
        if len(args.spec) != len(args.out):
            raise ResbenchError(f"train got {len(args.spec)} --spec but {len(args.out)} --out; give one --out per --spec")
        return [(json.loads(spec), Path(out)) for spec, out in zip(args.spec, args.out)]
    if not (args.config and args.arch and args.depth is not None) or len(args.out) != 1:
        raise ResbenchError("train needs --spec JSON and --out DIR pairs, or --config with --arch, --depth "
                            "(and --seed) and one --out")
    config = load_config(args.config)
    return [(grid_spec(config, args.arch, args.depth, args.seed), Path(args.out[0]))]


def cmd_train(args) -> None:
    from .families import FAMILIES
    from .train import checkpoint
    from .train.device import select_device
    from .train.loop import RESUME_FILE
    from .train.outputs import write_run

    runs = _runs_from_args(args)
    specs = [spec for spec, _ in runs]
    wanted = {name for spec in specs for name in spec.get("probes", {})}  # what enabled families measure in training
    probes = {p.name: import_attr(p.factory) for f in FAMILIES for p in f.probes if p.name in wanted}
    from .train.fused import fusable, fuse_wanted

    if fusable(specs) and fuse_wanted(args.fuse, select_device(specs[0]["device"])):
        from .train.loop import train_fused

        t0 = time.perf_counter()
        results = train_fused(specs, [out for _, out in runs], threads=args.threads, probes=probes)
        wall = time.perf_counter() - t0
        for (spec, out), result in zip(runs, results):
            write_run(spec, out, result, wall, args.threads)
    else:
        from .train.loop import train_run

        for spec, out in runs:  # several runs share one process start (~5 s on a small CPU)
            t0 = time.perf_counter()
            result = train_run(spec, out, threads=args.threads, probes=probes)
            write_run(spec, out, result, time.perf_counter() - t0, args.threads)
    # Resume states go only when every run of this job is done: a job killed while training its
    # third seed resumes the first two at their last epoch instead of training them again.
    for _, out in runs:
        checkpoint.remove(out / RESUME_FILE)


def cmd_aggregate(args) -> None:
    from .results.tables import aggregate_runs

    aggregate_runs([Path(p) for p in args.summaries], Path(args.out))


def cmd_archive(args) -> None:
    from .hub.profile import validate_config
    from .hub.results import write_archive
    from .results.archive import archive_key

    config = validate_config(json.loads(args.config_json))
    key = args.key or archive_key(None, config)
    folder = write_archive(Path(args.results), Path(args.claims), config, key, Path(args.root))
    log.info("archived %s -> %s", args.results, folder)


def cmd_export(args) -> None:
    from .results.archive import export_bundle, resolve

    try:
        out = export_bundle(resolve(args.source, Path(args.root)), Path(args.out))
    except FileNotFoundError as exc:
        raise ResbenchError(str(exc)) from None
    log.info("wrote %s", out)


def cmd_compare(args) -> int:
    from .hub.results import compare_summary, load_pair
    from .report.compare_render import render_html, render_markdown
    from .results import write_text_atomic

    if not args.base:
        raise ResbenchError("no base to compare with: give an archive key, a git revision with archived results, a "
                            "folder or a bundle (for the Snakemake rule: --config compare_base=<key or rev>)")
    try:
        base, head = load_pair(args.base, args.head, Path(args.root))
        summary = compare_summary(base, head, args.threshold, args.alpha,
                                  refuse_mismatch=args.config_mismatch == "refuse")
    except FileNotFoundError as exc:
        raise ResbenchError(str(exc)) from None
    out = Path(args.out_dir)
    write_text_atomic(render_markdown(summary), out / "compare.md")
    write_text_atomic(render_html(summary), out / "compare.html")
    print(render_markdown(summary) if args.print else summary["headline"])
    log.info("wrote %s and %s", out / "compare.md", out / "compare.html")
    return 1 if summary["gates"] and not args.exit_zero else 0


def cmd_concat(args) -> None:
    from .results import write_table_atomic
    from .results.tables import concat_files

    write_table_atomic(concat_files(args.tables), args.out)


def cmd_data(args) -> None:
    from .data.vision import download_dataset, missing_files, open_dataset

    if args.name == "digits":
        log.info("digits ships with scikit-learn; nothing to fetch")
    else:
        if args.download and missing_files(args.name, args.root):
            download_dataset(args.name, args.root)
        open_dataset(args.name, args.root, verify=not args.no_verify)  # the same checks training runs
        if args.no_verify:
            log.warning("%s: md5 checks skipped (dataset.verify: false); the files may differ from the official set",
                        args.name)
    if args.marker:
        from .results import write_text_atomic

        write_text_atomic(f"{args.name} present under {args.root}\n", args.marker)
    log.info("%s: ready", args.name)


def cmd_verify(args) -> int:
    from .results.verify import verify_tree
    from .train.checkpoint import load

    problems = 0
    for folder in map(Path, args.folders):
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder of results (results/<profile>, reports/<profile> or "
                                    "archive/<key>)")
        found = verify_tree(folder, load)
        for _, why in found.damaged:
            print(f"set aside: {why}")
        for path in found.missing:
            print(f"missing: {path} (written by a job, gone since)")
        for output in found.outputs:
            print(f"set aside with it: {output} (its job makes it again)")
        print(f"{found.checked} files checked under {folder}: {len(found.damaged)} damaged and set aside, "
              f"{len(found.missing)} missing")
        problems += len(found.damaged) + len(found.missing)
    if problems:
        print("run snakemake to make them again, with everything that reads them")
    return 1 if problems else 0


def cmd_config(args) -> None:
    import yaml

    from .config import config_hash
    from .hub.profile import load_config

    config = load_config(args.path)
    print(yaml.safe_dump(config, sort_keys=False), end="")
    print(f"# config hash: {config_hash(config)}")


def cmd_models(args) -> None:
    from .models import count_parameters, create_model, list_models
    from .models.flops import multiply_adds

    for name in list_models():
        print(name)
    if args.params:
        for depth in args.params:
            for arch in ("plain", "resnet"):
                model = create_model(arch, depth)
                print(f"{arch}-{depth}: {count_parameters(model):,} parameters, "
                      f"{multiply_adds(model, (3, 32, 32)) / 1e6:.1f}M multiply-adds per 32x32 image")


def _add_run_verbs(sub) -> None:
    """train and aggregate: the depth grid's runs."""
    p = sub.add_parser("train", help="train one (arch, depth, seed) run; resumes from OUT/resume.pt",
                       description="Train one run. Writes OUT/metrics.csv (one row per epoch), OUT/summary.json, "
                                   "OUT/provenance.json and OUT/model.pt; checkpoints OUT/resume.pt every epoch "
                                   "and resumes from it when rerun. A NaN/inf loss ends the run with status "
                                   "'diverged' (exit code 0).")
    p.add_argument("--spec", action="append", help="run spec as JSON (what the workflow passes); repeat "
                                                   "with one --out each to train several runs in one process")
    p.add_argument("--config", help="YAML profile, used with --arch/--depth/--seed instead of --spec")
    p.add_argument("--arch", choices=schema_enum("model.archs"))
    p.add_argument("--depth", type=int, help="6n+2: 8, 14, 20, 32, 44, 56, 110, ...")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", action="append", required=True, help="run directory (one per --spec)")
    p.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    p.add_argument("--fuse", choices=["auto", "on", "off"], default="auto",
                   help="train the seeds of one recipe given together as one fused model (resbench.train.fused): "
                        "auto = on a GPU only (default %(default)s)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("aggregate", help="collect run summaries and metrics into tidy tables",
                       description="Reads each SUMMARY (run_dir/summary.json) and its metrics.csv; writes "
                                   "OUT/runs.csv (one row per run), OUT/epochs.csv (one row per run x epoch) "
                                   "and OUT/provenance.json.")
    p.add_argument("summaries", nargs="+", metavar="SUMMARY", help="a run's summary.json (its metrics.csv beside it)")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_aggregate)


def _add_result_verbs(sub) -> None:
    """archive, export, compare, concat, report: what is made from finished runs."""
    p = sub.add_parser("archive", help="archive a finished run's summary tables under archive/<commit>-<results hash>/",
                       description="Copies the small summary tables (no checkpoints), claims, config, per-job wall "
                                   "times and provenance of a results folder to archive/KEY/, the unit `compare` works on.")
    p.add_argument("--config-json", required=True)
    p.add_argument("--results", required=True, help="results/<profile> folder")
    p.add_argument("--claims", required=True, help="reports/<profile>/claims.json")
    p.add_argument("--key", help="archive key (default: <commit>[-dirty<diff hash>]-<results hash>)")
    p.add_argument("--root", default="archive")
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser("export", help="write one archived result set as a .tar.gz bundle to send to a colleague",
                       description="Packs one archived result set (summary tables, claims, config, rule times; no "
                                   "checkpoints) into a .tar.gz that `resbench compare` reads directly on another "
                                   "machine.")
    p.add_argument("source", help="archive key, git revision with archived results, or folder")
    p.add_argument("--out", required=True, help="bundle path (.tar.gz)")
    p.add_argument("--root", default="archive")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("compare", help="compare two result sets: changed verdicts and significant regressions first",
                       description="BASE and HEAD are archive keys, git revisions with archived results, results or "
                                   "archive folders, or exported .tar.gz bundles. Writes compare.md (for a pull-request "
                                   "comment) and compare.html: per metric both means +- std over seeds, the delta and "
                                   "Welch's t-test. Exit status: 0, 1 when an error metric regresses significantly "
                                   "beyond --threshold or a claim reproduced in BASE is not in HEAD (same configs), "
                                   "2 on bad input or a refused config mismatch.",
                       epilog="example: resbench compare main HEAD --out-dir reports/quick   (both commits run first)")
    p.add_argument("base", help="the reference result set (e.g. main)")
    p.add_argument("head", help="the result set to judge against it (e.g. HEAD)")
    p.add_argument("--out-dir", default=".", help="where compare.md and compare.html go (default: here)")
    p.add_argument("--threshold", type=float, default=0.01,
                   help="smallest error change (fraction) that counts, default 0.01 = one percentage point")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of Welch's t-test (default 0.05)")
    p.add_argument("--config-mismatch", choices=["warn", "refuse"], default="warn",
                   help="when the two configs differ: list the keys and go on (warn), or stop with status 2")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with regressions (reports only)")
    p.add_argument("--print", action="store_true", help="print the markdown to stdout")
    p.add_argument("--root", default="archive", help="folder of archived result sets (default: archive)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("concat", help="concatenate CSV tables (or flat JSON records) into one CSV",
                       description="Reads every TABLE (verified: a damaged one is set aside and named) and writes "
                                   "their rows, in order, as one CSV; empty tables add nothing.")
    p.add_argument("tables", nargs="+", metavar="TABLE", help="a CSV table or a flat JSON record")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_concat)


def _add_tool_verbs(sub) -> None:
    """data, verify, config, models: checks and listings for users."""
    p = sub.add_parser("data", help="check (or download) a dataset under ROOT",
                       description="Checks that a torchvision dataset is present under ROOT and readable, and "
                                   "that its files pass torchvision's md5 checks (the same checks training runs); "
                                   "says what is missing and how to get it; --download fetches it where there is "
                                   "internet.")
    p.add_argument("name", choices=schema_enum("dataset.name"),
                   help="the dataset (digits ships inside scikit-learn)")
    p.add_argument("--root", default="data")
    p.add_argument("--download", action="store_true")
    p.add_argument("--marker", help="file to write once the dataset is present (for the workflow)")
    p.add_argument("--no-verify", action="store_true",
                   help="skip torchvision's md5 checks (dataset.verify: false) for a deliberately different copy")
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("verify", help="re-check every file the suite wrote under result folders, by format and digest",
                       description="Reads back every file the suite wrote under each FOLDER: tables, records and "
                                   "checkpoints by their format (header width, JSON syntax, checkpoint sha256) and "
                                   "every file by the sha256 its folder's ledger (.digests) recorded when it was "
                                   "written (reports, figures, landscape directions included), so damage that kept "
                                   "an old mtime is found before a job reads it; a file the ledger lists that is "
                                   "gone is reported missing. Damaged files are set aside as <name>.corrupt (a "
                                   "family's figures folder with its file; an archive entry's manifest.json as "
                                   ".stale); the next snakemake run makes them again with everything downstream. "
                                   "Exit 1 when anything was damaged or missing.")
    p.add_argument("folders", nargs="+", metavar="FOLDER",
                   help="results/<profile>, reports/<profile> or archive/<key> (several at once)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("config", help="validate a profile and print it with every default filled in",
                       description="Validates a YAML profile as the workflow will (every key against the schema, "
                                   "the dataset's sizes, each family's block against the grid), then prints it "
                                   "with every default filled in and its config hash. A bad key is one line naming "
                                   "it and its allowed values; exit 2.")
    p.add_argument("path", help="a YAML profile, e.g. config/standard.yaml")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("models", help="list registered models (and parameter / multiply-add counts)",
                       description="Lists every net resbench registers in timm's registry; with --params, the "
                                   "parameters and multiply-adds of the plain and ResNet nets at those depths.")
    p.add_argument("--params", type=int, nargs="*", metavar="DEPTH",
                   help="print parameters and multiply-adds (torch's FLOP counter) at these depths")
    p.set_defaults(func=cmd_models)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resbench",
        description="Train plain vs residual networks of growing depth and report, from the data, "
                    "whether deep plain networks degrade.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    _add_run_verbs(sub)
    from .hub.report_cli import add_report_verbs
    from .hub.rounds_cli import add_round_verbs
    from .families import FAMILIES

    add_round_verbs(sub)
    for family in FAMILIES:  # each family's own verbs (lesion, landscape, signal-*, ...)
        verbs = family.cli()
        if verbs is not None:
            verbs.register(sub)
    _add_result_verbs(sub)
    add_report_verbs(sub)
    _add_tool_verbs(sub)
    sub.help = argparse.SUPPRESS  # listed in two groups instead, in the epilog
    parser.usage = "resbench [-h] [-v] VERB ..."
    parser.epilog = verb_listing({a.dest: a.help for a in sub._choices_actions}) + "\n" + EPILOG
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    verbs = [a.dest for a in next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))._choices_actions]
    said = unknown_verb(argv, verbs)
    if said:
        print(said, file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    for noisy in ("fontTools", "weasyprint", "matplotlib"):  # font subsetting chatter in report logs
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(args) or 0
    except ResbenchError as exc:
        print(f"resbench {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError, RecursionError) as exc:  # bad arguments, missing or unreadable files
        if args.verbose or isinstance(exc, BrokenPipeError):
            if isinstance(exc, BrokenPipeError):  # `resbench config FILE | head`: the reader left, nothing to say
                sys.stderr.close()
                return 0
            raise
        print(f"resbench {args.verb}: error: {exc} (-v for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
