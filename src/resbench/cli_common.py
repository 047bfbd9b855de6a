"""What the `resbench` CLI and the families' verbs share (no torch): help texts, science defaults read
from the config schema (so a verb and a profile never disagree), and lazy imports."""
from __future__ import annotations

import difflib
import functools
import importlib
from typing import Any

USER_VERBS = ("config", "train", "report", "compare", "export", "verify", "data", "models")
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


def unknown_verb(argv: list[str], verbs: list[str]) -> str | None:
    """'resbench: unknown verb 'reprot' (did you mean 'report'?)' for a first word that is no verb."""
    word = next((a for a in argv if not a.startswith("-")), None)
    if word is None or word in verbs:
        return None
    close = difflib.get_close_matches(word, verbs, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"resbench: unknown verb '{word}'{hint}; resbench --help lists them"


def verb_listing(helps: dict[str, str]) -> str:
    """--help's list of verbs, the ones for users first and the workflow's steps apart."""
    def block(names):
        return "\n".join(f"  {name:<18}{helps[name]}" for name in names)

    users = [v for v in USER_VERBS if v in helps]
    steps = [v for v in helps if v not in USER_VERBS]
    return (f"Verbs (resbench VERB --help for each):\n{block(users)}\n\n"
            f"Workflow steps (Snakemake's rules run these; each writes exactly its rule's outputs):\n{block(steps)}\n")
