"""A profile as the whole suite sees it: the schema with the values families derive from their own
catalogs, every family's check of its own block, and the depth grid's run specs with the
measurements families take inside those runs."""
from __future__ import annotations

from pathlib import Path

from .. import config as core
from ..families import FAMILIES, plan_hooks


def load_schema() -> dict:
    """The config schema with every family's allowed values (e.g. `variants.names`) filled in."""
    enums: dict[str, list] = {}
    for schema_enums in plan_hooks("schema_enums"):
        enums.update(schema_enums())
    enums["report.estimate_only"] = [claim_id for family in FAMILIES for claim_id, _, _ in family.claims]
    return core.load_schema(enums)


def validate_config(config: dict | None) -> dict:
    """Fill defaults and validate the whole profile, each family checking its own block against the
    grid (and filling derived values); ConfigError names the offending key. Returns a new dict."""
    config = core.validate_schema(config, load_schema())
    for check in plan_hooks("check"):
        check(config)
    return config


def named_after_file(config: dict, path: str | Path) -> dict:
    """A profile file without `profile:` is named after the file (so it never overwrites results/quick/):
    the Snakefile and `resbench config` name a file the same way, so they accept and refuse the same files."""
    return config if "profile" in config else {**config, "profile": Path(path).stem}


def load_config(path: str | Path, overrides: dict | None = None) -> dict:
    """Read a YAML profile, apply `overrides` (nested dict) on top, validate."""
    return validate_config(named_after_file(core.deep_update(core.load_yaml(path), overrides or {}), path))


def grid_probes(config: dict) -> dict[str, int]:
    """Measurements families take inside the grid's training runs (name -> every how many epochs)."""
    out = {}
    for family in FAMILIES:
        block = config.get(family.config_key) or {}
        for probe in family.probes:
            if block.get(probe.every_key):  # enabled or not: toggling a family retrains nothing
                out[probe.name] = block[probe.every_key]
    return out


def grid_specs(config: dict) -> list[dict]:
    """One spec per (arch, depth, seed) of the depth grid."""
    (specs,) = plan_hooks("grid_specs")  # the one family that plans the grid every other reads
    return specs(config, grid_probes(config))


def grid_spec(config: dict, arch: str, depth: int, seed: int) -> dict:
    """The spec of one run of the depth grid."""
    (spec,) = plan_hooks("grid_spec")
    return spec(config, arch, depth, seed, grid_probes(config))
