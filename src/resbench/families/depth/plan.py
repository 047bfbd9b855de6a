"""The depth grid's runs and its own checks of the profile (torch-free)."""
from __future__ import annotations

from ...config import check_against_grid, round_seeds, run_spec
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


def grid_spec(config: dict, arch: str, depth: int, seed: int, probes: dict[str, int]) -> dict:
    """One run of the grid. Only ResNet-SD carries a drop-path rate (adding the key to it alone leaves
    every other run's hash as it was)."""
    extra = {"drop_path_rate": 1.0 - config["model"]["stochastic_depth_survival"]} if arch == "resnet_sd" else None
    return run_spec(config, arch, depth, seed, probes, extra)


def grid_specs(config: dict, probes: dict[str, int]) -> list[dict]:
    """One self-contained spec per (arch, depth, seed) of the grid: everything a training job needs.
    `probes`: what the families measure inside the grid's runs (resbench.hub.profile.grid_probes).
    ResNet-SD runs only at `model.stochastic_depth_depths` (every depth when null)."""
    sd_depths = config["model"]["stochastic_depth_depths"]
    return [grid_spec(config, arch, depth, seed, probes) for arch in config["model"]["archs"]
            for depth in config["model"]["depths"] if not (arch == "resnet_sd" and sd_depths is not None
                                                          and depth not in sd_depths)
            for seed in config["seeds"]]
