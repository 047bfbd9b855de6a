"""The experiment families, found in this package's sub-folders (each declares `FAMILY`), in report
order. Shared code loops over `FAMILIES`; adding a family adds a folder and edits no list."""
from __future__ import annotations

import importlib
import pkgutil

from .base import REPORT_MODULES, Family, Metric, Probe

__all__ = ["FAMILIES", "REPORT_MODULES", "Family", "Metric", "Probe", "bibliography", "family", "plan_hooks", "table_paths"]


def _discover() -> tuple[Family, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg:
            module = importlib.import_module(f"{__name__}.{info.name}")
            declared = getattr(module, "FAMILY", None)
            if not isinstance(declared, Family) or declared.name != info.name:
                raise TypeError(f"resbench.families.{info.name} must declare FAMILY = Family(name={info.name!r}, ...)")
            found.append(declared)
    return tuple(sorted(found, key=lambda f: (f.order, f.name)))


FAMILIES: tuple[Family, ...] = _discover()


def family(name: str) -> Family:
    for f in FAMILIES:
        if f.name == name:
            return f
    raise KeyError(f"no experiment family {name!r}; known: {', '.join(f.name for f in FAMILIES)}")


def plan_hooks(name: str) -> list:
    """The function `name` of every family's plan module that defines it, in family order
    (e.g. "check", called by config.validate_config)."""
    plans = (f.plan() for f in FAMILIES)
    return [getattr(plan, name) for plan in plans if plan is not None and hasattr(plan, name)]


def _merged(attr: str, what: str) -> dict[str, str]:
    """Every family's `attr` mapping in one dict; a key two families declare is refused."""
    out: dict[str, str] = {}
    for f in FAMILIES:
        clash = set(out) & set(getattr(f, attr))
        if clash:
            raise ValueError(f"family {f.name} declares {what} another family declares: {sorted(clash)}")
        out.update(getattr(f, attr))
    return out


def bibliography() -> dict[str, str]:
    """Every family's bibliography entries: key -> reference (a key is declared by one family only)."""
    return _merged("references", "references")


def table_paths() -> dict[str, str]:
    """Every family's tables: key -> path under results/<profile>/ (keys are unique across families)."""
    return _merged("tables", "table keys")
