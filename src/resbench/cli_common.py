"""What the `resbench` CLI and the families' verbs share (no torch): help texts, science defaults read
from the config schema (so a verb and a profile never disagree), and lazy imports."""
from __future__ import annotations

import functools
import importlib
from typing import Any

CONFIG_HASH_HELP = ("refuse (and set aside) a model.pt trained with another config than this hash; the workflow "
                    "passes the hash of the run's own config, so a stale model is never lesioned or mapped")


@functools.cache
def _schema() -> dict:
    from .config import load_schema

    return load_schema()


def schema_default(dotted: str) -> Any:
    """The schema's default for a config key, e.g. "landscape.resolution"."""
    from .config import schema_node

    return schema_node(_schema(), dotted)["default"]


def schema_enum(dotted: str) -> list:
    """The allowed values of a config key (of its items, for a list), e.g. "model.archs"."""
    from .config import schema_node

    node = schema_node(_schema(), dotted)
    return list(node.get("enum") or node["items"]["enum"])


def import_attr(target: str) -> Any:
    """The object a "module:attribute" string names."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
