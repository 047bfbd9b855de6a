"""The lesion family's CLI verbs (lesion): argument parsing and file I/O around its measurement
code. Registered by resbench.cli through the family registry; science defaults come from the schema."""
from __future__ import annotations

import logging
import time

from ...cli_common import CONFIG_HASH_HELP, schema_default

log = logging.getLogger("resbench")


def cmd_lesion(args) -> None:
    import pandas as pd
    import torch

    from ...data import load_splits
    from ...results import git_info, write_table_atomic
    from ...results.tables import run_identity
    from ...train.device import eval_batch_size, select_device
    from ...trained import load_trained
    from .measure import lesion_table, path_gradient_table

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


def register(sub) -> None:
    """Add this family's verbs to the `resbench` parser's subcommands."""
    p = sub.add_parser("lesion", help="delete/reorder blocks of trained models; gradient per path length",
                       description="Veit et al. (2016) lesion study on trained models (BatchNorm keeps its "
                                   "trained statistics). Writes one row per model x lesion kind x k x draw to "
                                   "OUT, and the gradient per path length (residual models) to PATHS_OUT.")
    p.add_argument("models", nargs="+", metavar="MODEL", help="model.pt files written by `resbench train`")
    p.add_argument("--out", required=True)
    p.add_argument("--paths-out", required=True)
    p.add_argument("--draws", type=int, default=schema_default("lesion.draws"), help="random draws per k (default %(default)s)")
    p.add_argument("--max-k-points", type=int, default=schema_default("lesion.max_k_points"), help="values of k evaluated (default %(default)s)")
    p.add_argument("--path-samples", type=int, default=schema_default("lesion.path_samples"), help="random branch sets per path length (default %(default)s)")
    p.add_argument("--path-batch", type=int, default=schema_default("lesion.path_batch"), help="test images per gradient measurement (default %(default)s)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--config-hash", help=CONFIG_HASH_HELP)
    p.set_defaults(func=cmd_lesion)
