"""``POST /crm/objects/<version>/{type}/search`` (and v3): request limits, filter matching, one
sort, capped paging.

Archived records never match, and a write reaches the index ``index_lag_ms`` after it happens
(``Crm.searchable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.hubspot.crm import Crm, Record, to_ms
from sandbox.hubspot.errors import BadRequest
from sandbox.hubspot.params import as_int
from sandbox.hubspot.render import render_record
from sandbox.hubspot.schema import (
    DEFAULT_ENGAGEMENT_PROPERTIES,
    DEFAULT_SEARCH_PROPERTIES,
    PROPERTIES,
)

MAX_SEARCH_LIMIT = 200
FILTER_OPERATORS = ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
                    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")


@dataclass
class SearchQuery:
    """A search body that passed the request limits."""

    body: dict[str, Any]
    groups: list[dict[str, Any]]
    sorts: list[dict[str, Any]]
    limit: int
    offset: int


def parse_search(body: Any, search_cap: int) -> SearchQuery:
    """Check the filter, sort, limit and paging limits; a 400 ``BadRequest`` if one is broken."""
    groups = body.get("filterGroups") or []
    if len(groups) > 5 or any(len(g.get("filters") or []) > 6 for g in groups) or \
            sum(len(g.get("filters") or []) for g in groups) > 18:
        raise BadRequest("Search allows at most 5 filterGroups, 6 filters per group and "
                         "18 filters in total.")
    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        raise BadRequest("Search supports only one sort.")
    limit = as_int(body.get("limit", 10), "limit")
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
    offset = as_int(body.get("after") or 0, "after")
    if offset >= search_cap:
        raise BadRequest(f"Paging past {search_cap} results is not supported.")
    return SearchQuery(body, groups, sorts, limit, offset)


def run_search(crm: Crm, object_type: str, query: SearchQuery, search_cap: int,
               nullable: bool = True) -> dict[str, Any]:
    """The search answer: ``total``, one page of ``results`` and ``paging`` while more follow."""
    groups, sorts, offset = query.groups, query.sorts, query.offset
    now = crm.now_ms()
    found = [r for r in crm.records[object_type].values()
             if crm.searchable(r, now)
             and (not groups or any(all(matches(r, f) for f in g.get("filters") or [])
                                    for g in groups))]
    if sorts:
        name = sorts[0].get("propertyName")
        descending = str(sorts[0].get("direction", "ASCENDING")).upper() == "DESCENDING"
        missing = float("-inf") if descending else float("inf")

        def key(r: Record):
            value = comparable(object_type, name, r.value(name))
            return (value is None, value if value is not None else missing, r.id)
        found.sort(key=key, reverse=descending)
    # with no sort HubSpot returns records by creation, oldest first (ids ascend)
    names = query.body.get("properties") or DEFAULT_SEARCH_PROPERTIES.get(
        object_type, DEFAULT_ENGAGEMENT_PROPERTIES)
    end = min(offset + query.limit, search_cap, len(found))
    out: dict[str, Any] = {"total": len(found),
                           "results": [render_record(r, names, nullable)
                                       for r in found[offset:end]]}
    if end < len(found):
        out["paging"] = {"next": {"after": str(end)}}
    return out


def property_type(object_type: str, name: str) -> str:
    return PROPERTIES.get(object_type, {}).get(name, "string")


def comparable(object_type: str, name: str, value: Any) -> Any:
    """A property or filter value in the form HubSpot compares it (ms, numbers, text)."""
    if value is None:
        return None
    kind = property_type(object_type, name)
    text = str(value)
    if kind in ("datetime", "date"):
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            return to_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise BadRequest(f"{text!r} is not a valid value for {name}") from None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise BadRequest(f"{text!r} is not a valid number for {name}") from None
    return text.lower()


def matches(record: Record, flt: dict[str, Any]) -> bool:
    """Whether ``record`` passes one search filter."""
    name = flt.get("propertyName")
    op = flt.get("operator")
    if not name or op not in FILTER_OPERATORS:
        raise BadRequest(f"filter {flt!r}: unknown operator or missing propertyName")
    actual = comparable(record.type, name, record.value(name))
    if op == "HAS_PROPERTY":
        return actual not in (None, "")
    if op == "NOT_HAS_PROPERTY":
        return actual in (None, "")
    if op in ("IN", "NOT_IN"):
        values = flt.get("values")
        if not isinstance(values, list):
            raise BadRequest(f"filter on {name}: {op} needs `values`")
        wanted = {comparable(record.type, name, v) for v in values}
        return (actual in wanted) == (op == "IN")
    if "value" not in flt:
        raise BadRequest(f"filter on {name}: {op} needs `value`")
    expected = comparable(record.type, name, flt["value"])
    if op == "CONTAINS_TOKEN":
        return actual is not None and str(expected).strip("*") in str(actual)
    if op == "NOT_CONTAINS_TOKEN":
        return actual is None or str(expected).strip("*") not in str(actual)
    if op == "NEQ":
        return actual != expected
    if actual is None:
        return False
    if op == "BETWEEN":
        high = comparable(record.type, name, flt.get("highValue"))
        return high is not None and expected <= actual <= high
    try:
        return {"EQ": actual == expected, "LT": actual < expected, "LTE": actual <= expected,
                "GT": actual > expected, "GTE": actual >= expected}[op]
    except TypeError:  # text against number: HubSpot simply finds nothing
        return False


def edit_one_of(crm: Crm, object_type: str, results: list[dict[str, Any]]) -> str | None:
    """Edit (touch) the first record of a page just served, as a user might mid-read.

    Its last-modified time becomes now and the index has it at once, so it moves to the end
    of an ascending sort and every later record shifts one place towards the start: an
    ``after`` offset then skips the record at the next page's boundary.
    """
    now = crm.now_ms()
    for item in results:
        record = crm.get(object_type, item["id"])
        if record is not None and record.updated_ms < now:
            crm.edit(object_type, record.id)
            record.indexed_ms = now
            return str(record.id)
    return None
