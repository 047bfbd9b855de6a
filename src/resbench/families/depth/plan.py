"""The depth grid's own checks of the profile (torch-free)."""
from __future__ import annotations

from ...config import check_against_grid
from ...errors import ConfigError


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
