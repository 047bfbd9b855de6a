"""Issue 34, "what passes the check runs": Hypothesis changes one to three keys of the quick profile to
values the schema allows (drawn from each key's own type, bounds, enums, lengths and uniqueness, extremes
included); a profile the loader accepts is planned by every family as the workflow plans it, and each
value a job will meet must work there: seeds in torch's and numpy's generators, run ids and the profile as
file names, the config as one command-line argument. A value the check accepted may not fail a job."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resbench.config import config_subset
from resbench.errors import ConfigError
from resbench.families.architectures.plan import net_specs
from resbench.families.landscape.plan import mapped_runs
from resbench.families.variants.plan import variant_specs
from resbench.hub.profile import grid_specs, load_schema, validate_config
from resbench.results.archive import results_hash

from .conftest import REPO

QUICK = yaml.safe_load((REPO / "config" / "quick.yaml").read_text())
SCHEMA = load_schema()
ARG_MAX = 128 * 1024  # Linux's limit on one command-line argument (MAX_ARG_STRLEN)
NAME_MAX = 255


def leaves(schema: dict, prefix: tuple = ()) -> list[tuple[tuple, dict]]:
    """(key path, schema) of every settable key: objects are walked, everything else is a leaf."""
    out = []
    for key, sub in schema.get("properties", {}).items():
        if sub.get("type") == "object" and "properties" in sub:
            out += leaves(sub, (*prefix, key))
        else:
            out.append(((*prefix, key), sub))
    return out


LEAVES = [(path, sub) for path, sub in leaves(SCHEMA) if path != ("dataset", "root")]  # a folder: not drawn


def values(sub: dict) -> st.SearchStrategy:
    """What the schema allows for one key, its edges drawn often."""
    types = sub.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "enum" in sub:
        return st.sampled_from(sub["enum"])
    options = []
    if "null" in types:
        options.append(st.none())
    if "boolean" in types:
        options.append(st.booleans())
    if "integer" in types:
        low, high = sub.get("minimum", -(2**70)), sub.get("maximum", 2**70)  # unbounded: past any fixed width
        options.append(st.one_of(st.sampled_from([low, high]), st.integers(low, high)))
    if "number" in types:
        low, high = sub.get("minimum", -1e6), sub.get("maximum", 1e6)
        options.append(st.one_of(st.sampled_from([float(low), float(high)]),
                                 st.floats(low, high, allow_nan=False, allow_infinity=False,
                                           exclude_min="exclusiveMinimum" in sub)))
    if "string" in types:
        options.append(st.text(min_size=sub.get("minLength", 0), max_size=sub.get("maxLength", 400))
                       if "pattern" not in sub else st.from_regex(sub["pattern"], fullmatch=True)
                       .filter(lambda s: len(s) <= sub.get("maxLength", 10**9)))
    if "array" in types:
        items = values(sub.get("items", {"type": "integer"}))
        options.append(st.lists(items, min_size=sub.get("minItems", 0), max_size=min(sub.get("maxItems", 6), 6),
                                unique_by=(lambda v: json.dumps(v)) if sub.get("uniqueItems") else None))
    return st.one_of(options) if options else st.nothing()


@st.composite
def profiles(draw) -> dict:
    config = copy.deepcopy(QUICK)
    for path, sub in draw(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=3, unique_by=lambda leaf: leaf[0])):
        node = config
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = draw(values(sub))
    return config


def plan(config: dict) -> None:
    """What the workflow does with an accepted profile before any job runs, and what each job will meet."""
    grid = {s["run_id"]: s for s in grid_specs(config)}
    runs = {**grid, **{s["run_id"]: s for s in net_specs(config) + variant_specs(config)}}
    mapped_runs(config, grid)
    results_hash(config)
    for run_id, spec in runs.items():
        assert len(run_id.encode()) < NAME_MAX, run_id
        torch.Generator().manual_seed(spec["seed"])
        np.random.default_rng(spec["seed"])
        json.dumps(spec, allow_nan=False)
    torch.Generator().manual_seed(config["landscape"]["direction_seed"])
    assert len(f"results/{config['profile']}".encode()) < NAME_MAX
    assert len(json.dumps(config_subset(config, [*config]))) < ARG_MAX  # the widest job argument


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_every_profile_the_check_accepts_is_planned_and_runs(config):
    try:
        accepted = validate_config(config)
    except ConfigError as exc:
        assert "\n" not in str(exc).strip() or str(exc).count("\n") < 20  # a refusal is a message, not a dump
        return
    plan(accepted)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_the_strategy_reaches_every_key_and_accepts_some():
    """Not a test that holds by construction: the drawn keys cover the schema, and drawn profiles are
    accepted often enough for the planning above to run."""
    assert len(LEAVES) > 60
    accepted = 0
    for seed in range(40):
        config = profiles().example() if seed else QUICK
        try:
            validate_config(config)
            accepted += 1
        except ConfigError:
            pass
    assert accepted >= 5


@pytest.mark.parametrize("path, value", [(("landscape", "direction_seed"), 2**31), (("profile",), "p" * 65),
                                         (("report", "title"), "t" * 301), (("seeds",), [0, 0]),
                                         (("landscape", "depths"), [8, 8]), (("signal", "mlp_layers"), [1, 1])])
def test_values_past_the_bounds_a_job_needs_are_refused_naming_the_key(path, value):
    config = copy.deepcopy(QUICK)
    node = config
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(ConfigError, match=path[-1]):
        validate_config(config)
