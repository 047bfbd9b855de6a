"""The variants family's plan: its training runs (one spec per variant and seed) and its checks of
the profile (torch-free)."""
from __future__ import annotations

from ...config import run_spec, spec_hash
from ...errors import ConfigError
from .catalog import VARIANTS


def schema_enums() -> dict[str, list[str]]:
    """The allowed `variants.names`: the catalog's, each a registered model (tests/models/test_variants.py)."""
    return {"variants.names": list(VARIANTS)}


def check(config: dict) -> None:
    if (config["variants"]["depth"] - 2) % 6:
        raise ConfigError(f"config key 'variants.depth' has depth {config['variants']['depth']}; "
                          "variants use basic blocks, depth 6n+2")


def variant_run_id(name: str, depth: int, seed: int) -> str:
    return f"var_{name}_d{depth}_s{seed}"


def variant_specs(config: dict) -> list[dict]:
    """One spec per (variant, seed); empty when the family is off."""
    cfg = config["variants"]
    if not cfg["enabled"]:
        return []
    train = {**config["train"], "epochs": cfg["epochs"] or config["train"]["epochs"]}
    specs = []
    for name in cfg["names"]:
        for seed in config["seeds"]:
            spec = run_spec(config, "resnet", cfg["depth"], seed, probes={})  # no grid measurements
            variant = VARIANTS[name]
            spec.update(run_id=variant_run_id(name, cfg["depth"], seed), variant=name, model=variant["model"],
                        model_args=variant.get("args", {}), train=train)
            spec["config_hash"] = spec_hash(spec)
            specs.append(spec)
    return specs
