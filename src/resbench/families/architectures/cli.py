"""The architectures family's CLI verb (architectures): cost of every net side by side, deletion of
each net's blocks, and the Inception bottleneck count. Argument parsing and file I/O only."""
from __future__ import annotations

import logging
import time

from ...cli_common import schema_default

log = logging.getLogger("resbench")


def cmd_architectures(args) -> None:
    import pandas as pd
    import torch

    from ...data import load_splits
    from ...results import git_info, write_json_atomic, write_table_atomic
    from ...results.tables import run_identity
    from ...train.device import eval_batch_size, select_device
    from ...trained import load_trained
    from .measure import bottleneck_example, cost_table, deletion_table

    torch.set_num_threads(args.threads)
    device = select_device(args.device)
    deletions, first_of_net, data = [], {}, None
    for path in args.models:
        t0 = time.perf_counter()
        model, spec = load_trained(path, device)
        if data is None:  # every net shares the dataset
            data = load_splits(spec["dataset"]).to(device)
        table = deletion_table(model, data.test_x, data.test_y,
                               eval_batch_size(spec["train"].get("eval_batch_size"), device))
        deletions.append(table.assign(net=spec["arch"], **run_identity(spec, git_info())))
        first_of_net.setdefault(spec["arch"], model)
        log.info("%s: %d blocks deleted in turn (%.1f s)", spec["run_id"], len(table) - 1, time.perf_counter() - t0)
    t0 = time.perf_counter()
    cost = cost_table(first_of_net, tuple(data.test_x.shape[1:]), data.num_classes, args.batch, args.rounds)
    log.info("cost of %d nets side by side, %d rounds (%.1f s)", len(first_of_net), args.rounds,
             time.perf_counter() - t0)
    write_table_atomic(pd.concat(deletions, ignore_index=True), args.deletion_out)
    write_table_atomic(cost, args.cost_out)
    write_json_atomic(bottleneck_example(), args.bottleneck_out)


def register(sub) -> None:
    """Add this family's verb to the `resbench` parser's subcommands."""
    p = sub.add_parser("architectures", help="cost and block deletion of trained classic nets",
                       description="Measures trained nets of the architectures family: per net, parameters, "
                                   "multiply-adds, training and inference images/s (all nets side by side in "
                                   "this process) and training memory per batch (COST_OUT); per model, the test "
                                   "error with each shape-keeping block deleted (DELETION_OUT); and the Inception "
                                   "1x1-reduction example counted on real modules (BOTTLENECK_OUT).")
    p.add_argument("models", nargs="+", metavar="MODEL", help="model.pt files written by `resbench train`")
    p.add_argument("--cost-out", required=True)
    p.add_argument("--deletion-out", required=True)
    p.add_argument("--bottleneck-out", required=True)
    p.add_argument("--batch", type=int, default=schema_default("architectures.throughput_batch"),
                   help="images per step of the speed measurement (default %(default)s)")
    p.add_argument("--rounds", type=int, default=schema_default("architectures.throughput_rounds"),
                   help="interleaved rounds of the speed measurement (default %(default)s)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=cmd_architectures)
