"""Load, validate and hash configuration.

The JSON schema (schemas/config.schema.yaml, also at workflow/schemas/) is the single source of
keys, defaults, allowed values and descriptions; this module fills defaults, turns validation
failures into messages that name the key and the allowed values, and derives per-run specs.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .data_sizes import check_root, check_split_sizes
from .errors import ConfigError
from .grid import ARCHS

SCHEMA_PATH = Path(str(files("resbench") / "schemas" / "config.schema.yaml"))
# The shared training recipe: the profile's keys that change what any training run computes. A run's
# own choices (shortcut, drop-path rate, variant model) are in its spec and so in its hash too.
RECIPE_KEYS = ("dataset", "train", "deterministic")
# Spec fields that name a run, say what is measured beside it, or where it runs, not how it is trained.
# The device preference is where: `auto` on a GPU and `cuda` train the same runs (a cluster profile that
# says `cuda` reuses a grid trained with `auto`), and the workflow is planned where no GPU may be
# visible, so the preference cannot be resolved there. The device each run used, and its precision,
# are in its provenance and the report; the archive key still tells result sets of two devices apart.
RUN_LABEL_KEYS = ("run_id", "profile", "arch", "depth", "seed", "variant", "probes", "config_hash", "device")


def load_schema(enums: dict[str, list] | None = None) -> dict:
    """The config schema, with the grid's archs (resbench.grid) and `enums` (dotted key -> allowed
    values) filled in as allowed values: the hub passes the values families derive from their own
    tables (e.g. the variants catalog's names), so no list of them is kept twice. Without them, those
    keys accept any value of their type."""
    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    for key, values in {"model.archs": ARCHS, **(enums or {})}.items():
        node = schema_node(schema, key)
        (node["items"] if node.get("type") == "array" else node)["enum"] = list(values)
    return schema


def schema_node(schema: dict, dotted: str) -> dict:
    """The schema of one config key, e.g. "landscape.resolution"."""
    node = schema
    for part in dotted.split("."):
        node = node["properties"][part]
    return node


def fill_defaults(config: dict, schema: dict) -> dict:
    """Return a copy of `config` with every missing key set to its schema default, recursively."""
    config = copy.deepcopy(config)
    for key, sub in schema.get("properties", {}).items():
        if key not in config and "default" in sub:
            config[key] = copy.deepcopy(sub["default"])
        if sub.get("type") == "object" and isinstance(config.get(key), dict):
            config[key] = fill_defaults(config[key], sub)
    return config


def _schema_at(schema: dict, path: list) -> dict:
    for key in path:
        if isinstance(key, int):
            schema = schema.get("items", {})
        else:
            schema = schema.get("properties", {}).get(key, {})
    return schema


def _is_integer(checker, instance) -> bool:
    """Strict: 8.0 is not an integer here (a depth of 8.0 would name a file plain8.0.csv)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(checker, instance) -> bool:
    """Finite numbers only: a learning rate of .nan or .inf is a typo, not a setting."""
    return (isinstance(instance, (int, float)) and not isinstance(instance, bool)
            and math.isfinite(instance))


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}),
)


def _describe(error: jsonschema.ValidationError, schema: dict) -> str:
    path = list(error.absolute_path)
    where = ".".join(str(p) for p in path) or "<top level>"
    if error.validator == "additionalProperties":
        allowed = sorted(_schema_at(schema, path).get("properties", {}))
        unknown = sorted({str(k) for k in error.instance} - set(allowed))
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        scope = f"under '{where}'" if path else "at the top level"
        return f"unknown config key {', '.join(hints)} {scope}; allowed keys: {', '.join(allowed)}"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        hint = ""
        if isinstance(error.instance, bool) and {"on", "off"} & set(error.validator_value):
            hint = " (YAML reads a bare on/off as true/false: quote it, e.g. 'off')"
        return f"config key '{where}' has value {error.instance!r}; allowed values: {allowed}{hint}"
    if error.validator == "type" and isinstance(error.instance, float) and not math.isfinite(error.instance):
        return f"config key '{where}' is {error.instance}; it must be a finite number"
    described = _schema_at(schema, path).get("description", "")
    note = f" ({described.strip()})" if described else ""
    if error.validator == "maxLength":  # never echo a 100,000-character value back in one line
        return (f"config key '{where}' is {len(error.instance):,} characters long; at most "
                f"{error.validator_value:,} are allowed{note}")
    return f"config key '{where}': {error.message}{note}"


def validate_schema(config: dict | None, schema: dict) -> dict:
    """Fill defaults and validate against `schema`, then the dataset's sizes and root; raise ConfigError
    naming the offending key. Returns a new dict. The families' own checks are the hub's
    (resbench.hub.profile.validate_config, which calls this first)."""
    if config is not None and not isinstance(config, dict):
        raise ConfigError(f"a config must be a mapping of keys to values (profile: ..., seeds: ...), "
                          f"not a {type(config).__name__}")
    config = fill_defaults(config or {}, schema)
    errors = sorted(_Validator(schema).iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        by_key: dict[tuple, jsonschema.ValidationError] = {}
        for error in errors:  # one message per key: an enum's allowed values say more than its type
            key = tuple(map(str, error.absolute_path))
            if key not in by_key or error.validator == "enum":
                by_key[key] = error
        messages = [_describe(e, schema) for e in by_key.values()]
        if len(messages) == 1:
            raise ConfigError(f"invalid configuration: {messages[0]}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(messages))
    check_split_sizes(config["dataset"])
    check_root(config["dataset"])
    return config


def check_against_grid(key: str, values: list | None, grid_key: str, grid: list) -> None:
    """A family reads what the grid trained: its seeds/depths must be among the grid's."""
    missing = sorted(set(values or []) - set(grid))
    if missing:
        raise ConfigError(f"config key '{key}' has {missing} that are not in {grid_key} "
                          f"({', '.join(map(str, grid))}); a family can only read what the grid trains")


def load_yaml(path: str | Path) -> dict:
    """A YAML profile as a mapping, every way of failing to read it one line (ConfigError)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"config file {path} is a folder, not a YAML file (e.g. config/standard.yaml)")
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise ConfigError(f"config file {path} is not valid YAML: {reason}") from None
    except RecursionError:
        raise ConfigError(f"config file {path} nests mappings or lists too deeply to read; a profile is a few "
                          "levels deep (dataset: {name: ...})") from None
    if raw is None or raw == {}:  # Snakemake refuses such a file too ("keys at top level")
        raise ConfigError(f"config file {path} is empty: a profile holds at least its name (profile: my-profile) "
                          "and what differs from the schema defaults")
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {path} holds a {type(raw).__name__}, not a mapping of keys to values "
                          "(profile: ..., seeds: ...)")
    return raw


def deep_update(base: dict, update: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_update(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def config_subset(config: dict, keys: tuple[str, ...] | list[str]) -> dict:
    """Only `keys` of a config (dotted for part of a block: "model.depths"), nested as in the config;
    the whole config when no key is given. What a job that reads only these keys receives."""
    if not keys:
        return config
    part: dict = {}
    for key in keys:
        *blocks, last = key.split(".")
        source, target = config, part
        for block in blocks:
            source, target = source[block], target.setdefault(block, {})
        target[last] = source[last]
    return part


def stable_hash(obj: Any, length: int = 12) -> str:
    """Short sha256 of the canonical JSON of `obj`."""
    blob = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:length]


def spec_hash(spec: dict) -> str:
    """Hash of everything in a run spec that changes the numbers it trains to: the recipe, the
    shortcut, the drop-path rate, a variant's model and arguments; not its name, seed, depth or
    probes. Seeds of one (arch, depth) share it, and so do plain and ResNet runs of one profile."""
    return stable_hash({k: v for k, v in spec.items() if k not in RUN_LABEL_KEYS})


def config_hash(config: dict) -> str:
    """The hash of the profile's plain and ResNet runs (stochastic-depth and variant runs add their
    own settings to it: see spec_hash)."""
    return spec_hash({**{k: config[k] for k in RECIPE_KEYS}, "shortcut": config["model"]["shortcut"]})


def round_seeds(config: dict, r: int) -> list[int]:
    """The seeds of round `r` (1-based): the profile's `seeds` first, then as many new consecutive seeds
    per round after the largest (seeds 0-4: round 2 is 5-9, round 3 is 10-14)."""
    seeds = list(config["seeds"])
    if r == 1:
        return seeds
    start = max(seeds) + 1 + (r - 2) * len(seeds)
    return list(range(start, start + len(seeds)))


def seeds_through(config: dict, k: int) -> list[int]:
    """Every seed of rounds 1 to k."""
    return [s for r in range(1, k + 1) for s in round_seeds(config, r)]


def run_id(arch: str, depth: int, seed: int) -> str:
    return f"{arch}{depth}_s{seed}"


def run_spec(config: dict, arch: str, depth: int, seed: int, probes: dict[str, int], extra: dict | None = None) -> dict:
    """One run's spec; `probes` (name -> every how many epochs) are measurements taken while it
    trains (none for a family's own runs); `extra`: settings a family's runs add (e.g. a drop-path rate),
    part of the hash."""
    spec = {
        "run_id": run_id(arch, depth, seed),
        "profile": config["profile"],
        "arch": arch,
        "depth": depth,
        "seed": seed,
        "shortcut": config["model"]["shortcut"],
        "dataset": config["dataset"],
        "train": config["train"],
        "device": config["device"],
        "deterministic": config["deterministic"],
    }
    if probes:
        spec["probes"] = dict(probes)
    spec.update(extra or {})
    spec["config_hash"] = spec_hash(spec)
    return spec
