"""Fuzz the config loader: random mutations of config/quick.yaml are either valid or one ConfigError
that names the key (or the file, for bytes that are not YAML); never another exception."""
import copy
import random

import yaml

from resbench.hub.profile import load_config
from resbench.errors import ConfigError

from .conftest import REPO

QUICK = yaml.safe_load((REPO / "config" / "quick.yaml").read_text())
ODD_VALUES = [None, True, False, "", "x", "{8, 20}", "8.0", -1, 0, 1, 10**30, -10**30, 8.0, 1e308, float("nan"),
              float("inf"), -0.5, [], [None], [1, "a"], {}, {"a": 1}, "é<script>%s"]


def paths(node, prefix=()):
    """Every key path of a nested mapping (list items included by index)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def mutate(config: dict, rng: random.Random):
    """One random change; returns (new config or raw bytes, the key path touched)."""
    config = copy.deepcopy(config)
    kind = rng.choice(["value", "value", "delete", "unknown", "garbage", "negate", "huge"])
    if kind == "garbage":
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))), ()
    path = rng.choice(list(paths(config)))
    *parent_path, last = path
    parent = config
    for key in parent_path:
        parent = parent[key]
    if kind == "delete":
        if isinstance(parent, list):
            parent.pop(last)
        else:
            del parent[last]
    elif kind == "unknown":
        target = parent[last] if isinstance(parent[last], dict) else parent if isinstance(parent, dict) else config
        target[rng.choice(["lrr", "depth", "seedz", "1", "Epochs"])] = rng.choice(ODD_VALUES)
    elif kind == "negate" and isinstance(parent[last], (int, float)) and not isinstance(parent[last], bool):
        parent[last] = -parent[last] - 1
    elif kind == "huge":
        parent[last] = rng.choice([10**30, 1e308, -10**30])
    else:
        parent[last] = rng.choice(ODD_VALUES)
    return config, path


def test_200_mutations_of_the_quick_profile_give_no_traceback(tmp_path):
    rng = random.Random(20261126)
    outcomes = {"valid": 0, "error": 0}
    for trial in range(240):
        mutated, path = mutate(QUICK, rng)
        file = tmp_path / f"m{trial}.yaml"
        file.write_bytes(mutated if isinstance(mutated, bytes) else yaml.safe_dump(mutated, allow_unicode=True).encode())
        try:
            load_config(file)
            outcomes["valid"] += 1
        except ConfigError as exc:
            outcomes["error"] += 1
            message = str(exc)
            assert message.startswith(("invalid configuration: config key", "invalid configuration: unknown config key",
                                       "invalid configuration:\n  ", f"config file {file}", "config key",
                                       "a config must be")), message
            if len(message.splitlines()) > 1:  # several problems: one line each, each naming its key
                assert all("config key" in line for line in message.splitlines()[1:]), message
        # anything else (TypeError, KeyError, ...) fails the test with its traceback
    assert outcomes["valid"] > 20 and outcomes["error"] > 100, outcomes
