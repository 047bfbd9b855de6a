"""The landscape family's checks of the profile (torch-free): it maps what the grid trained."""
from __future__ import annotations

from ...config import check_against_grid, round_seeds
from ...errors import ConfigError

MAPPED_ARCHS = ("plain", "resnet")


def mapped_groups(config: dict) -> list[tuple[str, int]]:
    """The (arch, depth) groups of the grid whose surfaces are mapped."""
    c = config["landscape"]
    if not c["enabled"]:
        return []
    return [(a, d) for a in MAPPED_ARCHS if a in config["model"]["archs"]
            for d in config["model"]["depths"] if c["depths"] is None or d in c["depths"]]


def mapped_seeds(config: dict, rounds: int) -> set[int]:
    """The seeds mapped through round `rounds`: in each round, those in the places `landscape.seeds` hold
    among the profile's seeds (seeds 0-4 and landscape seeds 0, 1: round 2 maps seeds 5 and 6)."""
    places = [config["seeds"].index(s) for s in config["landscape"]["seeds"] or config["seeds"]]
    return {round_seeds(config, r)[i] for r in range(1, rounds + 1) for i in places}


def mapped_runs(config: dict, specs: dict) -> list[str]:
    """Of the grid's runs (run id -> spec, every round scheduled so far), those whose surfaces are mapped."""
    groups, seeds = set(mapped_groups(config)), mapped_seeds(config, config["sequential"]["rounds"])
    return sorted(run for run, s in specs.items() if (s["arch"], s["depth"]) in groups and s["seed"] in seeds)


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
