"""The API floor: the fewest requests a source needs, and the least time the published limits allow.

Requests come from the sandbox's truth (``truth.py``), never from the requests a run made. Each
floor is a breakdown by component so it says what it includes:

- ``data``: what the data itself needs: ceil(records / largest page size) per endpoint, the fixed
  discovery calls (with Notion's schema read per data source when search lists title-only
  schemas, as from version 2026-12-01), the archive partition (Notion's ``is_archived`` query,
  HubSpot's ``archived=true`` list), the association batches, Notion's property-item reads for
  lists cut at 25 references, Google's per-type roll-up chunks and one list per daily type.
- ``checks``: requests the configuration asks for on top (Notion's trash sweep, HubSpot's count
  check and its objects-file check when the file changed). They are reported apart;
  ``min_requests`` is ``data`` + ``checks``.

Seconds come from each API's published limit (``DOCUMENTED_LIMITS``, with where it is
published), never from the project's pacing nor the sandbox's: a window's whole budget may go
at once, so ``n`` requests under "at most ``b`` in any ``w`` seconds" take at least
(ceil(n / b) - 1) * w.
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
# read by dailyRollUp: daily activity, then heart-rate zones
ROLLUP_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories",
                "time-in-heart-rate-zone", "active-zone-minutes")
# read by list, besides the resting heart rate: the daily vitals, then the weigh-ins
VITAL_TYPES = ("daily-heart-rate-variability", "daily-oxygen-saturation", "daily-respiratory-rate",
               "daily-sleep-temperature-derivations", "daily-vo2-max")
WEIGH_IN_TYPES = ("weight", "body-fat")

# Each API's published limit: name -> [requests, seconds], and where it is published.
DOCUMENTED_LIMITS: dict[str, dict[str, list[float]]] = {
    # per connection, every plan but Business and Enterprise (600 there); any pacing inside it
    "notion": {"limit": [180, 60.0]},
    # the burst limit of a Free/Starter account (190 on Professional and Enterprise, 250 with
    # the API limit increase); search apart, at 5 per second per account
    "hubspot": {"limit": [100, 10.0], "search_limit": [5, 1.0]},
    # per user: 300 requests per minute
    "fitbit": {"limit": [300, 60.0]},
}
LIMIT_SOURCES = {
    "notion": "https://developers.notion.com/reference/request-limits",
    "hubspot": "https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines "
               "(burst per tier; https://developers.hubspot.com/changelog/increasing-our-api-limits); "
               "search: HubSpot's CRM search guide (5 requests per second per account)",
    "fitbit": "https://developers.google.com/health/rate-limits",
}
HUBSPOT_TIERS = {100: "Free/Starter", 190: "Professional/Enterprise",
                 250: "with the API limit increase"}


def documented_limits(source: str, hubspot_per_10s: int = 100) -> dict[str, list[float]]:
    """The published limits a source's floor is computed from (HubSpot's burst per its tier)."""
    limits = {name: list(value) for name, value in DOCUMENTED_LIMITS[source].items()}
    if source == "hubspot":
        limits["limit"] = [hubspot_per_10s, 10.0]
    return limits


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
    """Notion: search (and each schema when search lists titles only), the pages of each data
    source and of its archive, full reads of lists cut at 25; a sweep reads the archive again and
    scans the live ids."""
    by_ds = truth["data_sources"]
    archived = truth.get("archived") or {}
    discovery = {"search data sources": pages(len(by_ds), NOTION_PAGE)}
    if truth.get("title_only_search"):  # from 2026-12-01 search lists the title column only
        discovery["data source schemas"] = len(by_ds)
    archive = {"archive query per data source": sum(pages(archived.get(ds, 0), NOTION_PAGE)
                                                    for ds in by_ds)}
    full = {**discovery,
            "query pages": sum(pages(n, NOTION_PAGE) for n in by_ds.values()),
            **archive,
            "relation/people items past 25": sum(pages(n, NOTION_PAGE) for n in truth["list_reads"]),
            "rollup items past 25": sum(pages(n, NOTION_PAGE) for n in truth["rollup_reads"]),
            "formulas of cut pages": truth["formula_reads"]}
    no_change = {**discovery, "changes query per data source": len(by_ds)}
    sweep = {**archive,
             "trash sweep id scan": sum(pages(n, NOTION_PAGE) for n in by_ds.values())}
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
                  objects_file: Path = OBJECTS_FILE, objects_file_new: bool = True,
                  sweep_due: bool = False) -> dict[str, Any]:
    """HubSpot: list pages per object type, association batches; one search per type after.

    ``objects_file_new``: the full run is the first with this objects file, so it checks the
    file against the properties API (one request per object type); a no-change run after it
    does not. The count check runs with every full run and on the sweep's schedule
    (``association_sweep_hours``, 20 h): ``sweep_due`` says whether a no-change run makes it.
    """
    objects = truth["objects"]
    types, pairs = hubspot_pairs(objects_file)
    full = {"list live records": sum(pages(objects[t]["live"], HUBSPOT_LIST_PAGE) for t in types),
            # archived records land as deleted rows; learning there are none takes one request
            "list archived records": sum(pages(objects[t]["archived"], HUBSPOT_LIST_PAGE)
                                         for t in types),
            "association batches": sum(math.ceil(objects[f]["live"] / HUBSPOT_BATCH)
                                       for f, _ in pairs)}
    checks = {"count check searches": len(types)} if count_check else {}
    file_check = {"objects file check (properties per type)": len(types)} if objects_file_new else {}
    return {"full": {"data": full, "checks": {**file_check, **checks}},
            "no_change": {"data": {"changes search per object type": len(types)},
                          "checks": dict(checks) if sweep_due else {}},
            "search_endpoints": ["count check searches", "changes search per object type"]}


def fitbit_floor(truth: dict[str, Any], initial_date: date = date(2020, 1, 1),
                 lookback_days: int = 7) -> dict[str, Any]:
    """Google Health: token, settings, profile; sleep and exercise pages, one list per daily
    type and weigh-in type, roll-up chunks. A run with nothing new reads the look-back window,
    and every sleep page where sleep refuses its end-time filter."""
    first = max(date.fromisoformat(truth["first_day"]), initial_date)
    days = (date.fromisoformat(truth["today"]) - first).days + 1
    per_request = truth["rollup_days_per_request"]
    points = truth["list_points"]
    full = {"token + settings + profile": 3,
            "sleep reconcile pages": pages(truth["sleep_sessions"], GOOGLE_SESSION_PAGE),
            "resting heart rate pages": pages(truth["resting_days"], GOOGLE_LIST_PAGE),
            "daily vitals pages": sum(pages(points[t], GOOGLE_LIST_PAGE) for t in VITAL_TYPES),
            "exercise pages": pages(truth["exercises"], GOOGLE_SESSION_PAGE),
            "weigh-in pages": sum(pages(points[t], GOOGLE_LIST_PAGE) for t in WEIGH_IN_TYPES),
            "roll-up chunks": sum(math.ceil(days / per_request[t]) for t in ROLLUP_TYPES)}
    window = lookback_days + 1  # the look-back plus today
    # sleep's end-time filter refused (as the live API was seen to): reconcile states no order,
    # so every run reads every page, after the one request that finds the filter refused
    refused = 0 if truth.get("sleep_filter_accepted", True) else 1
    full["sleep reconcile pages"] += refused
    sleep_no_change = 1 if not refused else refused + pages(truth["sleep_sessions"], GOOGLE_SESSION_PAGE)
    no_change = {"token + settings": 2, "sleep reconcile pages": sleep_no_change,
                 "resting heart rate pages": 1,
                 "daily vitals pages": len(VITAL_TYPES), "exercise pages": 1,
                 "weigh-in pages": len(WEIGH_IN_TYPES),
                 "roll-up chunks": sum(math.ceil(window / per_request[t]) for t in ROLLUP_TYPES)}
    return {"full": {"data": full, "checks": {}}, "no_change": {"data": no_change, "checks": {}},
            "days": days}


def total(part: dict[str, dict[str, int]]) -> int:
    """Requests in one floor (data plus checks)."""
    return sum(part["data"].values()) + sum(part["checks"].values())


def floor_seconds(source: str, part: dict[str, dict[str, int]],
                  limits: dict[str, list[float]]) -> float:
    """Least seconds the published limits (``documented_limits``) allow for a floor's requests.

    HubSpot's search has its own limit beside the general one; the two overlap, so the floor
    is the slower of the two.
    """
    if source != "hubspot":
        return window_floor_s(total(part), *limits["limit"])
    searches = sum(n for key, n in {**part["data"], **part["checks"]}.items() if "search" in key)
    return max(window_floor_s(total(part) - searches, *limits["limit"]),
               window_floor_s(searches, *limits["search_limit"]))


def last_window_share(source: str, part: dict[str, dict[str, int]],
                      limits: dict[str, list[float]]) -> float:
    """The share of a floor's requests that can only go in its last window (all of them when
    they fit in one): the work on them cannot overlap any waiting the limits impose."""
    n = total(part)
    if source == "hubspot":
        n -= sum(v for key, v in {**part["data"], **part["checks"]}.items() if "search" in key)
    budget = int(limits["limit"][0])
    if n <= 0:
        return 1.0
    return (n - (math.ceil(n / budget) - 1) * budget) / n


def wall_floor_s(floor_s: float, share: float, unlimited_wall_s: float | None) -> float | None:
    """The least wall time a full run can take under the limits: the waiting they impose, then
    at least the last window's share of the work a run takes with no limits (its own limits-off
    wall time); ``None`` without that figure."""
    if unlimited_wall_s is None:
        return None
    return round(floor_s + share * unlimited_wall_s, 3)
