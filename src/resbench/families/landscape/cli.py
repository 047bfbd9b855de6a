"""The landscape family's CLI verbs (landscape, landscape-finish): argument parsing and file I/O around its measurement
code. Registered by resbench.cli through the family registry; science defaults come from the schema."""
from __future__ import annotations

import io
import logging
import time
from pathlib import Path

from ...cli_common import CONFIG_HASH_HELP, schema_default

log = logging.getLogger("resbench")


def _landscape_setup(args):
    """Trained model, its fixed training subset (no augmentation) and the two seeded directions."""
    import torch

    from ...data import load_splits
    from ...train.device import select_device
    from ...trained import load_trained
    from .measure import fast_layout, filter_normalized_direction

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

    from ...errors import CorruptFileError
    from ...results import git_info, read_table, write_table_atomic
    from ...results.tables import run_identity
    from .measure import grid_axis, surface_rows

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

    from ...results import read_table, write_json_atomic, write_table_atomic
    from ...results.io import write_bytes_atomic
    from .measure import curvature_map, grid_axis, hessian_extremes, nonconvex_fraction

    model, spec, x, y, directions = _landscape_setup(args)
    surface = pd.concat([read_table(c) for c in args.chunks], ignore_index=True).sort_values(["i", "j"])
    write_table_atomic(surface, args.out)
    buffer = io.BytesIO()
    torch.save({"directions": directions, "direction_seed": args.direction_seed}, buffer)
    write_bytes_atomic(buffer.getvalue(), args.directions_out)  # atomic, and in its folder's ledger
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
        from ...trained import load_trained
        from .measure import interpolation_rows

        partner, partner_spec = load_trained(args.partner, next(model.parameters()).device, config_hash=args.config_hash)
        state_a = {k: v.clone() for k, v in model.state_dict().items()}
        rows = interpolation_rows(model, state_a, partner.state_dict(), x, y, np.linspace(-0.5, 1.5, args.interp_points))
        rows = [{**r, "run_id": spec["run_id"], "partner": partner_spec["run_id"], "arch": spec["arch"],
                 "depth": spec["depth"]} for r in rows]
    write_table_atomic(pd.DataFrame(rows, columns=["kind", "t", "loss", "error", "run_id", "partner", "arch",
                                                   "depth"]), args.interp_out)


def register(sub) -> None:
    """Add this family's verbs to the `resbench` parser's subcommands."""
    def landscape_args(p):
        p.add_argument("--resolution", type=int, default=schema_default("landscape.resolution"), help="grid points per axis (default %(default)s)")
        p.add_argument("--extent", type=float, default=schema_default("landscape.extent"), help="grid spans [-extent, extent]^2 (default %(default)s)")
        p.add_argument("--subset", type=int, default=schema_default("landscape.subset"), help="training images the loss is measured on (default %(default)s)")
        p.add_argument("--direction-seed", type=int, default=schema_default("landscape.direction_seed"),
                       help="seed of the two random directions (default %(default)s)")
        p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
        p.add_argument("--threads", type=int, default=1)
        p.add_argument("--config-hash", help=CONFIG_HASH_HELP)

    p = sub.add_parser("landscape", help="loss surface rows around a trained model (one chunk of the grid)",
                       description="Evaluates loss and error at theta + a*d1 + b*d2 for grid rows FIRST:LAST "
                                   "(Li et al. 2018 filter-normalized directions; BN keeps trained statistics; no "
                                   "augmentation). Each finished row is written atomically, so a killed job resumes.")
    p.add_argument("model", help="a trained run's model.pt")
    p.add_argument("--rows", required=True, metavar="FIRST:LAST", help="half-open range of grid rows")
    p.add_argument("--out", required=True)
    landscape_args(p)
    p.set_defaults(func=cmd_landscape)

    p = sub.add_parser("landscape-finish", help="merge surface chunks; Hessian extreme eigenvalues at the centre",
                       description="Merges the chunks of one model's loss surface into its surface table, computes the "
                                   "extreme Hessian eigenvalues at the trained weights (Lanczos), writes the two "
                                   "directions, and optionally the 1-D interpolation towards another seed and the "
                                   "curvature-ratio map. A damaged chunk is set aside and named, so the workflow "
                                   "recomputes it.")
    p.add_argument("model", help="the trained run's model.pt the chunks were computed around")
    p.add_argument("chunks", nargs="+", help="every chunk CSV written by `resbench landscape` for this model")
    p.add_argument("--out", required=True)
    p.add_argument("--curvature-out", required=True)
    p.add_argument("--directions-out", required=True)
    p.add_argument("--hessian-iters", type=int, default=schema_default("landscape.hessian_iters"), help="Lanczos steps (Hessian-vector products) per point (default %(default)s)")
    p.add_argument("--partner", help="model.pt of another seed: interpolate towards it (t in [-0.5, 1.5])")
    p.add_argument("--interp-points", type=int, default=schema_default("landscape.interp_points"), help="points of the 1-D interpolation (default %(default)s)")
    p.add_argument("--interp-out", required=True, help="CSV of the interpolation (empty without --partner)")
    p.add_argument("--ratio-map", type=int, default=schema_default("landscape.ratio_map"), metavar="K",
                   help="map |lambda_min/lambda_max| on a KxK coarse grid (Li et al. Fig. 8; 0 = off; default %(default)s)")
    p.add_argument("--ratio-map-out", required=True, help="CSV of the ratio map (empty with --ratio-map 0)")
    landscape_args(p)
    p.set_defaults(func=cmd_landscape_finish)
