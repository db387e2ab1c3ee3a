"""Request parameters shared by the endpoints: integers, comma lists and object type names."""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.errors import BadRequest
from sandbox.hubspot.schema import resolve_type


def as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an integer, got {value!r}") from None


def csv_values(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated query values, flattened (``a,b&x=c`` -> a, b, c)."""
    return [part for value in values or [] for part in value.split(",") if part]


def parse_type(name: str) -> str:
    """The object type a path names (``contacts``, ``contact``, ``0-1``); a 400 if none."""
    resolved = resolve_type(name)
    if resolved is None:
        raise BadRequest(f"Unable to infer object type from: {name}")
    return resolved
