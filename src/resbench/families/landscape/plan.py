"""The landscape family's checks of the profile (torch-free): it maps what the grid trained."""
from __future__ import annotations

from ...config import check_against_grid
from ...errors import ConfigError


def check(config: dict) -> None:
    landscape = config["landscape"]
    if not landscape["enabled"]:
        return
    if landscape["seeds"] is None:  # derived from the grid: every seed
        landscape["seeds"] = list(config["seeds"])
    check_against_grid("landscape.seeds", landscape["seeds"], "seeds", config["seeds"])
    check_against_grid("landscape.depths", landscape["depths"], "model.depths", config["model"]["depths"])
    if not {"plain", "resnet"} & set(config["model"]["archs"]):
        raise ConfigError("config key 'landscape.enabled' is true but model.archs has neither plain nor resnet, "
                          "whose surfaces it maps; add one or set landscape.enabled: false")
