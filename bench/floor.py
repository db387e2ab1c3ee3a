"""The API floor: the fewest requests a source needs, and the least time the limits allow.

Computed from the sandbox's truth (``truth.py``), never from the requests a run made. Each floor
is a breakdown by component so it says what it includes:

- ``data``: what the data itself needs: ceil(records / largest page size) per endpoint, the fixed
  discovery calls, the association batches, Notion's property-item reads for lists cut at 25
  references, Google's per-type roll-up chunks.
- ``checks``: requests the configuration asks for on top (Notion's trash sweep, HubSpot's count
  check). They are reported apart; ``min_requests`` is ``data`` + ``checks``.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import yaml

# the objects file the pipeline reads by default: the floor counts the same objects and pairs
from pipelines.sources.hubspot.objects import OBJECTS_FILE

NOTION_PAGE = 100            # every Notion list
HUBSPOT_LIST_PAGE = 100      # GET /crm/objects/2026-09/{type}
HUBSPOT_BATCH = 1000         # association batch read inputs
GOOGLE_SESSION_PAGE = 25     # sleep sessions per reconcile page
GOOGLE_LIST_PAGE = 10000     # data points per list page
ROLLUP_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories")


def pages(records: int, page_size: int) -> int:
    """Requests to list ``records`` at ``page_size`` a page (an empty list still takes one)."""
    return max(1, math.ceil(records / page_size))


def window_floor_s(requests: int, limit: int, window: float) -> float:
    """Least seconds for ``requests`` under "at most ``limit`` in any ``window`` seconds".

    Request k (from 0) can go out at floor(k / limit) * window at the earliest; the floor is
    when the last one goes.
    """
    return 0.0 if requests <= 0 else (requests - 1) // int(limit) * float(window)


def notion_floor(truth: dict[str, Any], sweep_every_run: bool = True) -> dict[str, Any]:
    """Notion: one search, the pages of each data source, full reads of lists cut at 25."""
    by_ds = truth["data_sources"]
    discovery = {"search data sources": pages(len(by_ds), NOTION_PAGE)}
    full = {**discovery,
            "query pages": sum(pages(n, NOTION_PAGE) for n in by_ds.values()),
            "relation/people items past 25": sum(pages(n, NOTION_PAGE) for n in truth["list_reads"]),
            "rollup items past 25": sum(pages(n, NOTION_PAGE) for n in truth["rollup_reads"]),
            "formulas of cut pages": truth["formula_reads"]}
    no_change = {**discovery, "changes query per data source": len(by_ds)}
    sweep = {"trash sweep id scan": sum(pages(n, NOTION_PAGE) for n in by_ds.values())}
    return {"full": {"data": full, "checks": {}},
            "no_change": {"data": no_change, "checks": sweep if sweep_every_run else {}}}


def hubspot_pairs(objects_file: Path = OBJECTS_FILE) -> tuple[list[str], list[tuple[str, str]]]:
    """Object types and (from type, to type) association pairs the source is set to sync."""
    spec = yaml.safe_load(objects_file.read_text())
    types = list(spec.get("objects", {}))
    pairs = [(t, to) for t, obj in spec.get("objects", {}).items() for to in obj.get("associations", {})]
    engagements = spec.get("engagements") or {}
    for t in engagements.get("types", {}):
        types.append(t)
        pairs += [(t, to) for to in engagements.get("associations", {})]
    return types, pairs


def hubspot_floor(truth: dict[str, Any], count_check: bool = True,
                  objects_file: Path = OBJECTS_FILE) -> dict[str, Any]:
    """HubSpot: list pages per object type, association batches; one search per type after."""
    objects = truth["objects"]
    types, pairs = hubspot_pairs(objects_file)
    full = {"list live records": sum(pages(objects[t]["live"], HUBSPOT_LIST_PAGE) for t in types),
            # archived records land as deleted rows; learning there are none takes one request
            "list archived records": sum(pages(objects[t]["archived"], HUBSPOT_LIST_PAGE)
                                         for t in types),
            "association batches": sum(math.ceil(objects[f]["live"] / HUBSPOT_BATCH)
                                       for f, _ in pairs)}
    checks = {"count check searches": len(types)} if count_check else {}
    return {"full": {"data": full, "checks": dict(checks)},
            "no_change": {"data": {"changes search per object type": len(types)},
                          "checks": dict(checks)},
            "search_endpoints": ["count check searches", "changes search per object type"]}


def fitbit_floor(truth: dict[str, Any], initial_date: date = date(2020, 1, 1),
                 lookback_days: int = 7) -> dict[str, Any]:
    """Google Health: token, settings, profile; sleep pages, resting days, roll-up chunks."""
    first = max(date.fromisoformat(truth["first_day"]), initial_date)
    days = (date.fromisoformat(truth["today"]) - first).days + 1
    per_request = truth["rollup_days_per_request"]
    full = {"token + settings + profile": 3,
            "sleep reconcile pages": pages(truth["sleep_sessions"], GOOGLE_SESSION_PAGE),
            "resting heart rate pages": pages(truth["resting_days"], GOOGLE_LIST_PAGE),
            "roll-up chunks": sum(math.ceil(days / per_request[t]) for t in ROLLUP_TYPES)}
    window = lookback_days + 1  # the look-back plus today
    no_change = {"token + settings": 2, "sleep reconcile pages": 1, "resting heart rate pages": 1,
                 "roll-up chunks": sum(math.ceil(window / per_request[t]) for t in ROLLUP_TYPES)}
    return {"full": {"data": full, "checks": {}}, "no_change": {"data": no_change, "checks": {}},
            "days": days}


def total(part: dict[str, dict[str, int]]) -> int:
    """Requests in one floor (data plus checks)."""
    return sum(part["data"].values()) + sum(part["checks"].values())


def floor_seconds(source: str, part: dict[str, dict[str, int]],
                  limits: dict[str, list[float]]) -> float:
    """Least seconds the published limits allow for a floor's requests.

    HubSpot's search has its own limit beside the general one; the two overlap, so the floor
    is the slower of the two.
    """
    if source != "hubspot":
        return window_floor_s(total(part), *limits["limit"])
    searches = sum(n for key, n in {**part["data"], **part["checks"]}.items() if "search" in key)
    return max(window_floor_s(total(part) - searches, *limits["limit"]),
               window_floor_s(searches, *limits["search_limit"]))
