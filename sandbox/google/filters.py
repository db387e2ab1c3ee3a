"""AIP-160 ``filter`` parsing for dataPoints.list, in the ``observed`` or ``documented`` mode.

A filter becomes a predicate over the filter values of one listed item (see ``listing``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from sandbox.google.data import DATA_TYPES
from sandbox.google.errors import ApiFailure

CIVIL = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TERM = re.compile(r'^\s*([A-Za-z0-9_.]+)\s*(>=|<=|!=|=|<|>)\s*"([^"]*)"\s*$')


def allowed_members(data_type: str, filter_mode: str) -> dict[str, tuple[str, ...]]:
    """Filter member -> allowed operators, per record kind and filter mode."""
    kind = DATA_TYPES[data_type][2]
    if kind == "session":
        kind = data_type if data_type == "sleep" else "session"  # sleep filters on its end
    if filter_mode == "observed":
        return {"interval": {"interval.civil_start_time": (">=",)},
                "daily": {"date": (">=",)},
                "sample": {"sample_time.civil_time": (">=",)},
                "session": {"interval.civil_start_time": (">=",)},
                "sleep": {}}[kind]
    return {"interval": {"interval.start_time": (">=", "<"),
                         "interval.civil_start_time": (">=", "<")},
            "daily": {"date": (">=", "<")},
            "sample": {"sample_time.physical_time": (">=", "<"),
                       "sample_time.civil_time": (">=", "<")},
            "session": {"interval.civil_start_time": (">=", "<")},
            "sleep": {"interval.end_time": (">=", "<"),
                      "interval.civil_end_time": (">=", "<")}}[kind]


def parse_filter(data_type: str, text: str, filter_mode: str) -> Callable[[tuple], bool]:
    """A predicate over ``(sort key, render, filter values)`` items; a 400 for a bad filter."""
    if not text.strip():
        return lambda item: True
    prefix = DATA_TYPES[data_type][1] + "."
    allowed = allowed_members(data_type, filter_mode)
    joiner = " OR " if data_type == "sleep" and " OR " in text else " AND "
    if " OR " in text and data_type != "sleep":
        raise ApiFailure(400, "Invalid filter: OR is not supported for this data type.",
                         "INVALID_DATA_POINT_FILTER_LOGICAL_OPERATOR")
    checks = []
    for term in text.split(joiner):
        match = TERM.match(term)
        if not match:
            raise ApiFailure(400, f"Invalid filter: cannot parse {term.strip()!r}.",
                             "INVALID_DATA_POINT_FILTER")
        field_name, op, literal = match.groups()
        if not field_name.startswith(prefix):
            raise ApiFailure(400, f"Invalid filter: field {field_name!r} does not belong to "
                             f"data type {data_type}.", "INVALID_DATA_POINT_FILTER_DATA_TYPE")
        member = field_name.removeprefix(prefix)
        if member not in allowed:
            raise ApiFailure(400, f"Invalid filter: {field_name!r} is not a supported filter "
                             f"member for {data_type}.",
                             "INVALID_DATA_POINT_FILTER_DATA_TYPE_MEMBER")
        if op not in allowed[member]:
            raise ApiFailure(400, f"Invalid filter: operator {op!r} is not supported for "
                             f"{field_name!r}.", "INVALID_DATA_POINT_FILTER_OPERATOR")
        checks.append((member, op, parse_literal(member, literal)))

    def value_ok(values: dict, member: str, op: str, bound) -> bool:
        actual = values[member]
        if isinstance(bound, datetime) and bound.tzinfo is None:
            actual = actual.replace(tzinfo=None)
        return actual >= bound if op == ">=" else actual < bound

    def predicate(item) -> bool:
        results = [value_ok(item[2], m, op, b) for m, op, b in checks]
        return any(results) if joiner == " OR " else all(results)

    return predicate


def parse_literal(member: str, literal: str):
    """A date, a naive civil datetime or an aware instant, as ``member`` wants it."""
    try:
        if member == "date":
            if not DATE.match(literal):
                raise ValueError
            return date.fromisoformat(literal)
        if member.endswith(("civil_start_time", "civil_end_time", "civil_time")):
            if not CIVIL.match(literal):
                raise ValueError
            return datetime.fromisoformat(literal)
        parsed = datetime.fromisoformat(literal.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    except ValueError:
        raise ApiFailure(400, f"Invalid filter: literal {literal!r} has the wrong format for "
                         f"{member}.",
                         "INVALID_DATA_POINT_FILTER_CIVIL_DATE_TIME_FORMAT") from None
