"""The toy family's report side: no claim, one table."""
from __future__ import annotations


def claims(tables: dict, config: dict) -> list[dict]:
    return []


def section(tables: dict, claim: dict, config: dict, save) -> dict | None:
    errors = tables.get("toy_errors")
    return None if errors is None else {"rows": errors.to_dict(orient="records")}


def metric_samples(tables: dict) -> list:
    return []


def limitations(config: dict) -> list[str]:
    return []
