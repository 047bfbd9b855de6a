"""The signal family's CLI verbs (signal-mlp, signal-rank, signal-construct): argument parsing and file I/O around its measurement
code. Registered by resbench.cli through the family registry; science defaults come from the schema."""
from __future__ import annotations

import json
import logging
import time

log = logging.getLogger("resbench")


def _signal_setup(args):
    """(validated config, its signal section, data splits) for the signal verbs."""
    import torch

    from ...config import load_schema, validate_schema
    from ...data import load_splits

    torch.set_num_threads(args.threads)
    config = validate_schema(json.loads(args.config_json), load_schema())  # the workflow's, already checked
    return config, config["signal"], load_splits(config["dataset"])


def cmd_signal_mlp(args) -> None:
    import pandas as pd
    import torch

    from ...results import write_table_atomic
    from .nielsen import MLP, train_mlps
    from .plan import seed_rounds

    config, sig, data = _signal_setup(args)
    epochs, speeds = [], []
    kinds = [("sigmoid", False), ("relu", False), ("sigmoid", True)]
    seeds = seed_rounds(config["seeds"], sig["mlp_seeds"])
    for activation, residual in kinds:
        for layers in sig["mlp_layers"]:  # every seed of one shape at once: one stacked model
            t0 = time.perf_counter()
            nets = []
            for seed in seeds:
                torch.manual_seed(seed)
                nets.append(MLP(data.train_x[0].numel(), sig["mlp_width"], layers, data.num_classes, activation,
                                residual))
            rows, speed = train_mlps(nets, (data.train_x, data.train_y), (data.test_x, data.test_y),
                                     sig["mlp_epochs"], sig["mlp_batch_size"], sig["mlp_lr"], seeds)
            for seed, seed_rows, seed_speed in zip(seeds, rows, speed):
                key = {"activation": activation, "residual": residual, "layers": layers, "seed": seed}
                epochs += [{**key, **r} for r in seed_rows]
                speeds += [{**key, **r} for r in seed_speed]
            log.info("MLPs %s%s, %d hidden, %d seeds: mean test accuracy %.4f (%.1f s)", activation,
                     " + residual" if residual else "", layers, len(seeds),
                     sum(r[-1]["test_accuracy"] for r in rows) / len(rows), time.perf_counter() - t0)
    write_table_atomic(pd.DataFrame(epochs), args.epochs_out)
    write_table_atomic(pd.DataFrame(speeds), args.speeds_out)


def cmd_signal_rank(args) -> None:
    import pandas as pd
    import torch

    from ...models import create_model
    from ...results import write_table_atomic
    from .plan import seed_rounds
    from .rank import block_ranks, rank_by_layer

    config, sig, data = _signal_setup(args)
    x = data.train_x[:sig["rank_batch"]]
    rows = []
    # Residual branches unscaled and scaled by 1/sqrt(depth): whether shortcuts slow the collapse
    # depends on it (Daneshmand et al.), so both are measured.
    stacks = [(False, "none", 1.0), (True, "none", 1.0), (True, "inv_sqrt_depth", sig["rank_depth"] ** -0.5)]
    for init in seed_rounds(config["seeds"], sig["rank_inits"]):
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

    from ...config import config_hash
    from ...results import write_json_atomic, write_table_atomic
    from ...trained import load_trained, loss_and_error
    from .construct import identity_extended, train_appended
    from .rank import weight_spectrum_rows

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
    for path in args.shallow if sig["append_blocks"] else []:  # every seed's frozen shallow net: a spread
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


def register(sub) -> None:
    """Add this family's verbs to the `resbench` parser's subcommands."""
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
