"""The architectures family's plan: its training runs (one spec per net and seed) and its checks of
the profile (torch-free)."""
from __future__ import annotations

from ...config import check_against_grid, run_spec, spec_hash
from ...errors import ConfigError
from .catalog import NETS, model_of


def schema_enums() -> dict[str, list[str]]:
    """The allowed `architectures.nets`: the catalog's."""
    return {"architectures.nets": list(NETS)}


def check(config: dict) -> None:
    block = config["architectures"]
    if block["seeds"] is None:  # every seed of the profile
        block["seeds"] = list(config["seeds"])
    check_against_grid("architectures.seeds", block["seeds"], "seeds", config["seeds"])
    if block["enabled"] and not block["nets"]:
        raise ConfigError("config key 'architectures.nets' is empty but architectures.enabled is true; "
                          "name nets to train or set architectures.enabled: false")
    if block["size"] == "canonical":
        missing = [n for n in block["nets"] if NETS[n]["canonical"] is None]
        if missing:
            raise ConfigError(f"config key 'architectures.nets' has {', '.join(missing)}, which exist at "
                              "architectures.size 'budget' only (the cardinality sweep); at 'canonical' "
                              "ResNeXt-29 8x64d is 'resnext_c8'")


def net_run_id(name: str, seed: int) -> str:
    return f"net_{name}_s{seed}"


def net_specs(config: dict) -> list[dict]:
    """One spec per (net, seed); empty when the family is off. The recipe is the profile's, with the
    family's epochs and a net's own paper's learning rate where the catalog gives one; at the canonical
    size, the paper's own schedule where the catalog has it."""
    block = config["architectures"]
    if not block["enabled"]:
        return []
    specs = []
    for name in block["nets"]:
        info = NETS[name]
        model, args = model_of(name, block["size"])
        train = {**config["train"], "epochs": block["epochs"] or config["train"]["epochs"]}
        if info["lr"] is not None:
            train["lr"] = info["lr"]
        if block["size"] == "canonical" and "paper_train" in info:
            train.update(info["paper_train"])  # the paper's schedule; an explicit epochs still shortens it
            train["epochs"] = block["epochs"] or train["epochs"]
        for seed in block["seeds"]:
            spec = run_spec(config, name, info["depth"], seed, probes={})  # the grid's measurements are the grid's
            spec.pop("drop_path_rate", None)
            spec.update(run_id=net_run_id(name, seed), model=model, model_args=args, sized_by_depth=False,
                        train=train)
            spec["config_hash"] = spec_hash(spec)
            specs.append(spec)
    return specs
