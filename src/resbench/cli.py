"""The `resbench` command: one verb per workflow step. Heavy imports happen inside each verb,
so `resbench report` never loads torch."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from .errors import ResbenchError

log = logging.getLogger("resbench")

EPILOG = """\
The Snakemake workflow calls these verbs; you rarely need them directly. Examples:
  resbench train --config config/quick.yaml --arch plain --depth 56 --seed 0 --out runs/plain56
  resbench report --config config/quick.yaml --results results/quick --out reports/quick
  resbench data cifar10 --root data --download      # on a machine with internet
  resbench config config/paper.yaml                 # print the validated config with defaults
  resbench compare main HEAD --out-dir cmp          # two commits' archived results (run both first)
  resbench export HEAD --out results.tar.gz         # one commit's results as a bundle for a colleague
"""


CONFIG_HASH_HELP = ("refuse (and set aside) a model.pt trained with another config than this hash; the workflow "
                    "passes its profile's")


def _runs_from_args(args) -> list[tuple[dict, Path]]:
    """(spec, run directory) pairs: repeated --spec/--out, or one run from --config/--arch/--depth."""
    from .config import load_config, run_spec

    if args.spec:
        if len(args.spec) != len(args.out):
            raise ResbenchError(f"train got {len(args.spec)} --spec but {len(args.out)} --out; give one --out per --spec")
        return [(json.loads(spec), Path(out)) for spec, out in zip(args.spec, args.out)]
    if not (args.config and args.arch and args.depth is not None) or len(args.out) != 1:
        raise ResbenchError("train needs --spec JSON and --out DIR pairs, or --config with --arch, --depth "
                            "(and --seed) and one --out")
    config = load_config(args.config)
    return [(run_spec(config, args.arch, args.depth, args.seed), Path(args.out[0]))]


def cmd_train(args) -> None:
    from .train import checkpoint
    from .train.loop import RESUME_FILE

    runs = _runs_from_args(args)
    for spec, out in runs:  # several runs share one process start (~5 s on a small CPU)
        train_one(spec, out, args.threads)
    # Resume states go only when every run of this job is done: a job killed while training its
    # third seed resumes the first two at their last epoch instead of training them again.
    for _, out in runs:
        checkpoint.remove(out / RESUME_FILE)


def train_one(spec: dict, out: Path, threads: int) -> None:
    from .results import provenance, write_json_atomic, write_table_atomic
    from .results.tables import layer_table, run_tables
    from .train import checkpoint, train_run

    t0 = time.perf_counter()
    result = train_run(spec, out, threads=threads)
    wall = time.perf_counter() - t0
    prov = {**provenance(), "dataset_verified": spec["dataset"]["name"] == "digits" or spec["dataset"].get("verify", True),
            "wall_seconds": wall, "device": result["device"], "threads": threads,
            "amp": result["amp"], "channels_last": result["channels_last"], "eval_batch_size": result["eval_batch_size"],
            "peak_memory_mb": result["peak_memory_mb"]}
    epochs, summary = run_tables(spec, result, prov)
    checkpoint.save_atomic({"spec_json": json.dumps(spec), "model": result["state_dict"],
                            "status": result["status"]}, out / "model.pt")
    write_table_atomic(epochs, out / "metrics.csv")
    write_table_atomic(layer_table(spec, result, prov), out / "layers.csv")
    write_json_atomic(prov, out / "provenance.json")
    write_json_atomic(summary, out / "summary.json")
    log.info("%s: %s; final train error %.4f, test error %.4f (%.1f s)", spec["run_id"], summary["status"],
             summary["final_train_error"], summary["final_test_error"], wall)


def cmd_aggregate(args) -> None:
    from .results.tables import aggregate_runs

    aggregate_runs([Path(p) for p in args.summaries], Path(args.out))


def cmd_lesion(args) -> None:
    import pandas as pd
    import torch

    from .data import load_splits
    from .experiments.lesion import lesion_table, path_gradient_table
    from .results import git_info, write_table_atomic
    from .results.tables import run_identity
    from .train.device import eval_batch_size, select_device
    from .trained import load_trained

    torch.set_num_threads(args.threads)
    lesions, paths, data = [], [], None
    for path in args.models:
        t0 = time.perf_counter()
        model, spec = load_trained(path, select_device(args.device), config_hash=args.config_hash)
        device = next(model.parameters()).device
        if data is None:  # every seed of one (arch, depth) shares the dataset
            data = load_splits(spec["dataset"]).to(device)
        identity = run_identity(spec, git_info())
        table = lesion_table(model, data.test_x, data.test_y, args.draws, spec["seed"],
                             batch_size=eval_batch_size(spec["train"].get("eval_batch_size"), device),
                             max_k_points=args.max_k_points)
        lesions.append(table.assign(**identity))
        grads = path_gradient_table(model, data.test_x[:args.path_batch], data.test_y[:args.path_batch],
                                    args.path_samples, spec["seed"])
        paths.append(grads.assign(**identity))
        log.info("%s: %d lesions, %d path lengths (%.1f s)", spec["run_id"], len(table), len(grads),
                 time.perf_counter() - t0)
    write_table_atomic(pd.concat(lesions, ignore_index=True), args.out)
    write_table_atomic(pd.concat(paths, ignore_index=True), args.paths_out)


def _landscape_setup(args):
    """Trained model, its fixed training subset (no augmentation) and the two seeded directions."""
    import torch

    from .data import load_splits
    from .experiments.landscape import filter_normalized_direction
    from .experiments.landscape import fast_layout
    from .train.device import select_device
    from .trained import load_trained

    torch.set_num_threads(args.threads)
    model, spec = load_trained(args.model, select_device(args.device), config_hash=args.config_hash)
    device = next(model.parameters()).device
    data = load_splits(spec["dataset"])
    x, y = data.train_x[:args.subset].to(device), data.train_y[:args.subset].to(device)
    model, x = fast_layout(model, x)
    directions = [filter_normalized_direction(model, args.direction_seed + k) for k in (0, 1)]
    return model, spec, x, y, directions


def cmd_landscape(args) -> None:
    import shutil

    import pandas as pd

    from .experiments.landscape import grid_axis, surface_rows
    from .errors import CorruptFileError
    from .results import git_info, read_table, write_table_atomic
    from .results.tables import run_identity

    model, spec, x, y, directions = _landscape_setup(args)
    axis = grid_axis(args.resolution, args.extent)
    first, last = (int(v) for v in args.rows.split(":"))
    rows_dir = Path(str(args.out) + ".rows")  # finished rows survive a killed job

    def row_done(i: int) -> bool:
        if not (rows_dir / f"{i}.csv").exists():
            return False
        try:
            return len(read_table(rows_dir / f"{i}.csv")) == len(axis)
        except CorruptFileError as exc:  # set aside; the row is computed again
            log.warning("%s", exc)
            return False

    todo = [i for i in range(first, min(last, args.resolution)) if not row_done(i)]
    log.info("%s: rows %d-%d of %d, %d to compute", spec["run_id"], first, last - 1, args.resolution, len(todo))
    write_row = lambda i, recs: write_table_atomic(pd.DataFrame(recs), rows_dir / f"{i}.csv")  # noqa: E731
    t0 = time.perf_counter()
    surface_rows(model, x, y, directions, axis, axis, todo, on_row=write_row)
    seconds = time.perf_counter() - t0
    frames = [read_table(rows_dir / f"{i}.csv") for i in range(first, min(last, args.resolution))]
    table = pd.concat(frames, ignore_index=True).assign(**run_identity(spec, git_info()))
    write_table_atomic(table, args.out)
    shutil.rmtree(rows_dir)  # the rows (and any damaged row set aside) are in the chunk now
    log.info("%s: %d points in %.1f s (%.3f s per point)", spec["run_id"], len(todo) * len(axis), seconds,
             seconds / max(1, len(todo) * len(axis)))


def cmd_landscape_finish(args) -> None:
    import numpy as np
    import pandas as pd
    import torch

    from .experiments.landscape import curvature_map, grid_axis, hessian_extremes, nonconvex_fraction
    from .results import read_table, write_json_atomic, write_table_atomic

    model, spec, x, y, directions = _landscape_setup(args)
    surface = pd.concat([read_table(c) for c in args.chunks], ignore_index=True).sort_values(["i", "j"])
    write_table_atomic(surface, args.out)
    torch.save({"directions": directions, "direction_seed": args.direction_seed}, args.directions_out)
    grid = surface.pivot(index="i", columns="j", values="loss").to_numpy()
    curvature = hessian_extremes(model, x, y, iters=args.hessian_iters, seed=args.direction_seed)
    summary = {"run_id": spec["run_id"], "arch": spec["arch"], "depth": spec["depth"], "seed": spec["seed"],
               **curvature, "nonconvex_fraction": nonconvex_fraction(grid),
               "center_loss": float(surface.loc[surface["alpha"].abs().add(surface["beta"].abs()).idxmin(), "loss"])}
    write_json_atomic(summary, args.curvature_out)
    log.info("%s: curvature ratio %.3f, non-convex fraction %.3f", spec["run_id"], summary["curvature_ratio"],
             summary["nonconvex_fraction"])
    if args.ratio_map:
        t0 = time.perf_counter()
        axis = grid_axis(args.ratio_map, args.extent) if args.ratio_map > 1 else np.zeros(1)
        cells = curvature_map(model, x, y, directions, axis, args.hessian_iters, args.direction_seed)
        log.info("%s: |lambda_min/lambda_max| on %d points in %.1f s", spec["run_id"], len(cells),
                 time.perf_counter() - t0)
    else:
        cells = []
    write_table_atomic(pd.DataFrame(cells, columns=["i", "j", "alpha", "beta", "lambda_max", "lambda_min",
                                                    "curvature_ratio"]).assign(run_id=spec["run_id"], arch=spec["arch"],
                                                                               depth=spec["depth"]),
                       args.ratio_map_out)
    rows = []
    if args.partner:  # 1-D interpolation towards another seed's solution of the same net
        from .experiments.landscape import interpolation_rows
        from .trained import load_trained

        partner, partner_spec = load_trained(args.partner, next(model.parameters()).device, config_hash=args.config_hash)
        state_a = {k: v.clone() for k, v in model.state_dict().items()}
        rows = interpolation_rows(model, state_a, partner.state_dict(), x, y, np.linspace(-0.5, 1.5, args.interp_points))
        rows = [{**r, "run_id": spec["run_id"], "partner": partner_spec["run_id"], "arch": spec["arch"],
                 "depth": spec["depth"]} for r in rows]
    write_table_atomic(pd.DataFrame(rows, columns=["kind", "t", "loss", "error", "run_id", "partner", "arch",
                                                   "depth"]), args.interp_out)


def _signal_setup(args):
    """(validated config, its signal section, data splits) for the signal verbs."""
    import torch

    from .config import validate_config
    from .data import load_splits

    torch.set_num_threads(args.threads)
    config = validate_config(json.loads(args.config_json))
    return config, config["signal"], load_splits(config["dataset"])


def cmd_signal_mlp(args) -> None:
    import pandas as pd
    import torch

    from .experiments.nielsen import MLP, train_mlp
    from .results import write_table_atomic

    config, sig, data = _signal_setup(args)
    epochs, speeds = [], []
    kinds = [("sigmoid", False), ("relu", False), ("sigmoid", True)]
    for seed in config["seeds"][:sig["mlp_seeds"]]:
        for activation, residual in kinds:
            for layers in sig["mlp_layers"]:
                t0 = time.perf_counter()
                torch.manual_seed(seed)
                model = MLP(data.train_x[0].numel(), sig["mlp_width"], layers, data.num_classes, activation, residual)
                rows, speed = train_mlp(model, (data.train_x, data.train_y), (data.test_x, data.test_y),
                                        sig["mlp_epochs"], sig["mlp_batch_size"], sig["mlp_lr"], seed)
                key = {"activation": activation, "residual": residual, "layers": layers, "seed": seed}
                epochs += [{**key, **r} for r in rows]
                speeds += [{**key, **r} for r in speed]
                log.info("MLP %s%s, %d hidden: test accuracy %.4f, speeds at init %s (%.1f s)", activation,
                         " + residual" if residual else "", layers, rows[-1]["test_accuracy"],
                         " ".join(f"{r['speed']:.4f}" for r in speed[:layers]), time.perf_counter() - t0)
    write_table_atomic(pd.DataFrame(epochs), args.epochs_out)
    write_table_atomic(pd.DataFrame(speeds), args.speeds_out)


def cmd_signal_rank(args) -> None:
    import pandas as pd
    import torch

    from .experiments.rank import block_ranks, rank_by_layer
    from .models import create_model
    from .results import write_table_atomic

    config, sig, data = _signal_setup(args)
    x = data.train_x[:sig["rank_batch"]]
    rows = []
    # Residual branches unscaled and scaled by 1/sqrt(depth): whether shortcuts slow the collapse
    # depends on it (Daneshmand et al.), so both are measured.
    stacks = [(False, "none", 1.0), (True, "none", 1.0), (True, "inv_sqrt_depth", sig["rank_depth"] ** -0.5)]
    for init in range(sig["rank_inits"]):
        for activation in ("linear", "relu", "tanh"):
            for residual, scaling, scale in stacks:
                for batchnorm in (False, True):
                    key = {"net": "fc", "activation": activation, "residual": residual, "branch_scaling": scaling,
                           "batchnorm": batchnorm, "depth": sig["rank_depth"], "init": init}
                    rows += [{**key, **r} for r in rank_by_layer(x, sig["rank_depth"], sig["rank_width"], activation,
                                                                 residual, batchnorm, seed=init, branch_scale=scale)]
        for arch in ("plain", "resnet"):  # the grid's conv nets at init: conv-BN-ReLU, one row per block
            depth = max(config["model"]["depths"])
            torch.manual_seed(init)
            model = create_model(arch, depth, shortcut=config["model"]["shortcut"], in_chans=data.in_chans,
                                 num_classes=data.num_classes)
            key = {"net": "conv", "activation": "relu", "residual": arch != "plain", "branch_scaling": "none",
                   "batchnorm": True, "depth": depth, "init": init}
            rows += [{**key, **r} for r in block_ranks(model, x)]
    table = pd.DataFrame(rows)
    write_table_atomic(table, args.out)
    deepest = table[table["layer"] == table.groupby("net")["layer"].transform("max")]
    log.info("effective rank at the deepest layer:\n%s",
             deepest.groupby(["net", "activation", "residual", "branch_scaling", "batchnorm"])["effective_rank"]
             .mean().round(2))


def cmd_signal_construct(args) -> None:
    import pandas as pd
    import torch

    from .experiments.construct import identity_extended, train_appended
    from .experiments.landscape import loss_and_error
    from .experiments.rank import weight_spectrum_rows
    from .results import write_json_atomic, write_table_atomic
    from .trained import load_trained

    from .config import config_hash

    config, sig, data = _signal_setup(args)
    expected = config_hash(config)
    shallow, spec = load_trained(args.shallow[0], config_hash=expected)
    x, y = data.train_x, data.train_y
    shallow_loss, shallow_error = loss_and_error(shallow, x, y)
    constructed = []
    with torch.no_grad():
        shallow_logits = shallow(x)
    for model_path in args.deep:
        trained, deep_spec = load_trained(model_path, config_hash=expected)
        deep = identity_extended(shallow, deep_spec["depth"])
        with torch.no_grad():
            diff = float((deep(x) - shallow_logits).abs().max())
        loss, error = loss_and_error(deep, x, y)
        trained_loss, trained_error = loss_and_error(trained, x, y)
        constructed.append({"shallow": spec["run_id"], "depth": deep_spec["depth"], "max_abs_diff": diff,
                            "constructed_train_loss": loss, "constructed_train_error": error,
                            "trained_run": deep_spec["run_id"], "trained_train_loss": trained_loss,
                            "trained_train_error": trained_error})
        log.info("identity construction %s -> plain-%d: max |diff| %.2e, train error %.4f (trained from scratch: %.4f)",
                 spec["run_id"], deep_spec["depth"], diff, error, trained_error)
    write_json_atomic({"shallow": spec["run_id"], "shallow_depth": spec["depth"], "shallow_train_loss": shallow_loss,
                       "shallow_train_error": shallow_error, "constructed": constructed}, args.identity_out)
    rows = []
    for path in args.shallow:  # appended blocks on every seed's frozen shallow net: a spread for the verdict
        base, base_spec = (shallow, spec) if path == args.shallow[0] else load_trained(path, config_hash=expected)
        base_error = loss_and_error(base, x, y)[1]
        for residual in (False, True):
            t0 = time.perf_counter()
            curve = train_appended(base, x, y, sig["append_blocks"], residual, sig["append_epochs"], sig["append_lr"],
                                   config["train"]["batch_size"], base_spec["seed"])
            rows += [{"appended": "residual" if residual else "plain", "blocks": sig["append_blocks"],
                      "shallow": base_spec["run_id"], "seed": base_spec["seed"], "shallow_train_error": base_error, **r}
                     for r in curve]
            log.info("%s + %d appended %s blocks: train error %.4f after %d epochs (%.1f s)", base_spec["run_id"],
                     sig["append_blocks"], "residual" if residual else "plain", curve[-1]["train_error"],
                     sig["append_epochs"], time.perf_counter() - t0)
    write_table_atomic(pd.DataFrame(rows), args.appended_out)
    spectra = []
    for model_path in args.spectra:
        model, run = load_trained(model_path, config_hash=expected)
        spectra += [{"run_id": run["run_id"], "arch": run["arch"], "depth": run["depth"], "index": k, **r}
                    for k, r in enumerate(weight_spectrum_rows(model))]
    write_table_atomic(pd.DataFrame(spectra), args.spectra_out)


def cmd_archive(args) -> None:
    from .config import validate_config
    from .results.archive import archive_key, write_archive

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
    import datetime as dt

    from .report.compare_render import display_rows, render_html, render_markdown
    from .results import write_text_atomic
    from .results.archive import resolve, results_hash
    from .results.compare import compare_metrics, config_differences, load_result_set, verdict_changes

    if not args.base:
        raise ResbenchError("no base to compare with: give an archive key, a git revision with archived results, a "
                            "folder or a bundle (for the Snakemake rule: --config compare_base=<key or rev>)")
    root = Path(args.root)
    try:
        head = load_result_set(resolve(args.head, root), args.head)
        prefer = results_hash(head.config) if head.config else None
        base = load_result_set(resolve(args.base, root, prefer_hash=prefer), args.base)
    except FileNotFoundError as exc:
        raise ResbenchError(str(exc)) from None
    diff = config_differences(base.config, head.config)
    if diff:
        keys = ", ".join(d["key"] for d in diff)
        if args.config_mismatch == "refuse":
            raise ResbenchError(f"the two result sets were made with different configs ({keys}); pass "
                                f"--config-mismatch warn to compare them anyway")
        log.warning("the configs differ in: %s", keys)
    table = compare_metrics(base, head, args.threshold, args.alpha)
    gating = table[table["gates"] & (table["status"] == "regression")]
    verdicts = verdict_changes(base, head)
    n_changed = sum(not v["unchanged"] for v in verdicts)
    lost = [v["id"] for v in verdicts if v["lost"]]
    # A claim lost under the same config is a regression of the code; under another config it may
    # be the config's doing, so it is reported, not gated.
    lost_gates = bool(lost) and not diff
    headline = (f"{len(gating)} significant error regression(s), {len(lost)} claim(s) no longer reproduced, "
                f"{n_changed} changed verdict(s)" if len(gating) or n_changed
                else "No significant error regression and no changed verdict")
    if lost and diff:
        headline += " (the configs differ, so lost claims do not set the exit status)"
    summary = {"base": args.base, "head": args.head, "threshold": args.threshold, "alpha": args.alpha,
               "headline": headline, "config_diff": diff, "verdicts": verdicts, "rows": display_rows(table),
               "n_regressions": len(gating) + (len(lost) if lost_gates else 0),
               "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    out = Path(args.out_dir)
    write_text_atomic(render_markdown(summary), out / "compare.md")
    write_text_atomic(render_html(summary), out / "compare.html")
    print(render_markdown(summary) if args.print else headline)
    log.info("wrote %s and %s", out / "compare.md", out / "compare.html")
    return 1 if (len(gating) or lost_gates) and not args.exit_zero else 0


def cmd_concat(args) -> None:
    import pandas as pd

    from .results import read_json, read_table, write_table_atomic

    frames = [pd.json_normalize(read_json(p)) if p.endswith(".json") else read_table(p) for p in args.tables]
    frames = [f for f in frames if len(f)]
    write_table_atomic(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(), args.out)


def cmd_report(args) -> None:
    from .config import load_config, validate_config
    from .report.render import build_report

    config = validate_config(json.loads(args.config_json)) if args.config_json else load_config(args.config)
    build_report(config, Path(args.results), Path(args.out), pdf=not args.no_pdf)


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


def cmd_config(args) -> None:
    import yaml

    from .config import config_hash, load_config

    config = load_config(args.path)
    print(yaml.safe_dump(config, sort_keys=False), end="")
    print(f"# config hash: {config_hash(config)}")


def cmd_models(args) -> None:
    from .models import count_parameters, create_model, list_models

    for name in list_models():
        print(name)
    if args.params:
        for depth in args.params:
            for arch in ("plain", "resnet"):
                print(f"{arch}-{depth}: {count_parameters(create_model(arch, depth)):,} parameters")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resbench",
        description="Train plain vs residual networks of growing depth and report, from the data, "
                    "whether deep plain networks degrade.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = sub.add_parser("train", help="train one (arch, depth, seed) run; resumes from OUT/resume.pt",
                       description="Train one run. Writes OUT/metrics.csv (one row per epoch), OUT/summary.json, "
                                   "OUT/provenance.json and OUT/model.pt; checkpoints OUT/resume.pt every epoch "
                                   "and resumes from it when rerun. A NaN/inf loss ends the run with status "
                                   "'diverged' (exit code 0).")
    p.add_argument("--spec", action="append", help="run spec as JSON (what the workflow passes); repeat "
                                                   "with one --out each to train several runs in one process")
    p.add_argument("--config", help="YAML profile, used with --arch/--depth/--seed instead of --spec")
    p.add_argument("--arch", choices=["plain", "resnet", "resnet_sd"])
    p.add_argument("--depth", type=int, help="6n+2: 8, 14, 20, 32, 44, 56, 110, ...")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", action="append", required=True, help="run directory (one per --spec)")
    p.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("aggregate", help="collect run summaries and metrics into tidy tables",
                       description="Reads each SUMMARY (run_dir/summary.json) and its metrics.csv; writes "
                                   "OUT/runs.csv (one row per run), OUT/epochs.csv (one row per run x epoch) "
                                   "and OUT/provenance.json.")
    p.add_argument("summaries", nargs="+", metavar="SUMMARY")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_aggregate)

    p = sub.add_parser("lesion", help="delete/reorder blocks of trained models; gradient per path length",
                       description="Veit et al. (2016) lesion study on trained models (BatchNorm keeps its "
                                   "trained statistics). Writes one row per model x lesion kind x k x draw to "
                                   "OUT, and the gradient per path length (residual models) to PATHS_OUT.")
    p.add_argument("models", nargs="+", metavar="MODEL", help="model.pt files written by `resbench train`")
    p.add_argument("--out", required=True)
    p.add_argument("--paths-out", required=True)
    p.add_argument("--draws", type=int, default=5, help="random draws per k (default 5)")
    p.add_argument("--max-k-points", type=int, default=10, help="values of k evaluated (default 10)")
    p.add_argument("--path-samples", type=int, default=4, help="random branch sets per path length (default 4)")
    p.add_argument("--path-batch", type=int, default=128, help="test images per gradient measurement")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--config-hash", help=CONFIG_HASH_HELP)
    p.set_defaults(func=cmd_lesion)

    def landscape_args(p):
        p.add_argument("--resolution", type=int, default=21, help="grid points per axis (default 21)")
        p.add_argument("--extent", type=float, default=1.0, help="grid spans [-extent, extent]^2")
        p.add_argument("--subset", type=int, default=512, help="training images the loss is measured on")
        p.add_argument("--direction-seed", type=int, default=0)
        p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
        p.add_argument("--threads", type=int, default=1)
        p.add_argument("--config-hash", help=CONFIG_HASH_HELP)

    p = sub.add_parser("landscape", help="loss surface rows around a trained model (one chunk of the grid)",
                       description="Evaluates loss and error at theta + a*d1 + b*d2 for grid rows FIRST:LAST "
                                   "(Li et al. 2018 filter-normalized directions; BN keeps trained statistics; no "
                                   "augmentation). Each finished row is written atomically, so a killed job resumes.")
    p.add_argument("model")
    p.add_argument("--rows", required=True, metavar="FIRST:LAST", help="half-open range of grid rows")
    p.add_argument("--out", required=True)
    landscape_args(p)
    p.set_defaults(func=cmd_landscape)

    p = sub.add_parser("landscape-finish", help="merge surface chunks; Hessian extreme eigenvalues at the centre")
    p.add_argument("model")
    p.add_argument("chunks", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--curvature-out", required=True)
    p.add_argument("--directions-out", required=True)
    p.add_argument("--hessian-iters", type=int, default=20, help="Lanczos steps (Hessian-vector products) per point")
    p.add_argument("--partner", help="model.pt of another seed: interpolate towards it (t in [-0.5, 1.5])")
    p.add_argument("--interp-points", type=int, default=21)
    p.add_argument("--interp-out", required=True, help="CSV of the interpolation (empty without --partner)")
    p.add_argument("--ratio-map", type=int, default=0, metavar="K",
                   help="map |lambda_min/lambda_max| on a KxK coarse grid (Li et al. Fig. 8; 0 = off)")
    p.add_argument("--ratio-map-out", required=True, help="CSV of the ratio map (empty with --ratio-map 0)")
    landscape_args(p)
    p.set_defaults(func=cmd_landscape_finish)

    def signal_args(p):
        p.add_argument("--config-json", required=True, help="the validated profile config (the rule passes it)")
        p.add_argument("--threads", type=int, default=1)

    p = sub.add_parser("signal-mlp", help="Nielsen's vanishing gradients: sigmoid/ReLU/residual MLPs vs depth",
                       description="Trains fully connected nets with 1..n hidden layers (sigmoid, ReLU, sigmoid with "
                                   "residual connections) and records the speed of learning ||dC/db|| per layer at "
                                   "init and after every epoch, and test accuracy.")
    signal_args(p)
    p.add_argument("--epochs-out", required=True)
    p.add_argument("--speeds-out", required=True)
    p.set_defaults(func=cmd_signal_mlp)

    p = sub.add_parser("signal-rank", help="rank collapse at init: effective/stable rank per layer vs depth",
                       description="Effective and stable rank of a fixed batch's representation after every layer "
                                   "at initialization: fully connected stacks (linear/ReLU/tanh, plain/residual, "
                                   "with/without BN) and the grid's deepest conv nets.")
    signal_args(p)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_signal_rank)

    p = sub.add_parser("signal-construct", help="identity construction, appended layers, trained weight spectra",
                       description="Builds deeper plain nets from a trained shallow one with identity blocks (outputs "
                                   "must match), trains appended plain vs residual blocks on the frozen shallow net, "
                                   "and writes singular-value summaries of trained weights.")
    signal_args(p)
    p.add_argument("--shallow", nargs="+", required=True,
                   help="model.pt of the trained shallow plain net, one per seed (the first is also extended)")
    p.add_argument("--deep", nargs="+", required=True, help="model.pt of trained deeper plain nets")
    p.add_argument("--spectra", nargs="+", required=True, help="model.pt whose weight spectra are summarized")
    p.add_argument("--identity-out", required=True)
    p.add_argument("--appended-out", required=True)
    p.add_argument("--spectra-out", required=True)
    p.set_defaults(func=cmd_signal_construct)

    p = sub.add_parser("archive", help="archive a finished run's summary tables under archive/<commit>-<config hash>/",
                       description="Copies the small summary tables (no checkpoints), claims, config, per-job wall "
                                   "times and provenance of a results folder to archive/KEY/, the unit `compare` works on.")
    p.add_argument("--config-json", required=True)
    p.add_argument("--results", required=True, help="results/<profile> folder")
    p.add_argument("--claims", required=True, help="reports/<profile>/claims.json")
    p.add_argument("--key", help="archive key (default: <commit>[-dirty]-<config hash>)")
    p.add_argument("--root", default="archive")
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser("export", help="write one archived result set as a .tar.gz bundle to send to a colleague")
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
    p.add_argument("base")
    p.add_argument("head")
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

    p = sub.add_parser("concat", help="concatenate CSV tables (or flat JSON records) into one CSV")
    p.add_argument("tables", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_concat)

    p = sub.add_parser("report", help="claims, figures, HTML and PDF report from cached tables (no training)",
                       description="Reads RESULTS/depth/{runs,epochs}.csv and writes OUT/claims.json, "
                                   "OUT/report.html, OUT/report.pdf and OUT/figures/*.{png,svg}.")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--config", help="YAML profile the results came from")
    group.add_argument("--config-json", help="validated config as JSON (what the workflow passes)")
    p.add_argument("--results", required=True, help="results/<profile> directory")
    p.add_argument("--out", required=True, help="reports/<profile> directory")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("data", help="check (or download) a dataset under ROOT",
                       description="Checks that a torchvision dataset is present under ROOT and readable, and "
                                   "that its files pass torchvision's md5 checks (the same checks training runs); "
                                   "says what is missing and how to get it; --download fetches it where there is "
                                   "internet.")
    p.add_argument("name", choices=["digits", "cifar10", "cifar100", "mnist", "fashion_mnist"])
    p.add_argument("--root", default="data")
    p.add_argument("--download", action="store_true")
    p.add_argument("--marker", help="file to write once the dataset is present (for the workflow)")
    p.add_argument("--no-verify", action="store_true",
                   help="skip torchvision's md5 checks (dataset.verify: false) for a deliberately different copy")
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("config", help="validate a profile and print it with every default filled in")
    p.add_argument("path")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("models", help="list registered models (and parameter counts)")
    p.add_argument("--params", type=int, nargs="*", metavar="DEPTH", help="print parameter counts at these depths")
    p.set_defaults(func=cmd_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    for noisy in ("fontTools", "weasyprint", "matplotlib"):  # font subsetting chatter in report logs
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(args) or 0
    except ResbenchError as exc:
        print(f"resbench {args.verb}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
