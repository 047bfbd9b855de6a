"""The signal family's checks of the profile (torch-free)."""
from __future__ import annotations

from ...errors import ConfigError


def check(config: dict) -> None:
    if config["signal"]["enabled"] and config["signal"]["mlp_seeds"] > len(config["seeds"]):
        raise ConfigError(f"config key 'signal.mlp_seeds' is {config['signal']['mlp_seeds']} but seeds lists only "
                          f"{len(config['seeds'])}; it counts how many of seeds train each MLP")
