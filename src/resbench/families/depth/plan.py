"""The depth grid's own checks of the profile (torch-free)."""
from __future__ import annotations

from ...config import check_against_grid, round_seeds
from ...errors import ConfigError

MAX_SEED = 2**31 - 1  # every generator and the per-epoch data-order seed fit


def check(config: dict) -> None:
    for depth in config["model"]["depths"]:
        if (depth - 2) % 6:
            n = max(1, round((depth - 2) / 6))
            raise ConfigError(
                f"config key 'model.depths' has depth {depth}; CIFAR ResNets have depth 6n+2 "
                f"(nearest: {6 * n + 2}, {6 * (n + 1) + 2})"
            )
    check_against_grid("model.stochastic_depth_depths", config["model"]["stochastic_depth_depths"], "model.depths",
                       config["model"]["depths"])
    last = max(round_seeds(config, config["sequential"]["rounds"]))
    if last > MAX_SEED:
        raise ConfigError(f"config key 'sequential.rounds': {config['sequential']['rounds']} rounds of "
                          f"{len(config['seeds'])} seeds after seed {max(config['seeds'])} reach seed {last}, above "
                          f"{MAX_SEED}; use smaller seeds or fewer rounds")
    if config["fuse_seeds"] == "on" and not config["group_seeds"]:
        raise ConfigError("config key 'fuse_seeds' is 'on' but group_seeds is false: only the seeds one job trains "
                          "can be fused; set group_seeds: true (one job per arch and depth) or fuse_seeds: auto")
