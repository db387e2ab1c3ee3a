"""dataPoints.list and dataPoints.reconcile: which types they serve, page sizes, and the visible
points in order.

``list`` returns every source's points (two sessions for a night two devices recorded);
``reconcile`` merges the sources into one stream (one session per night), its points carry
``dataPointName`` instead of ``name`` and no ``dataSource``, and it takes ``dataSourceFamily``
for every type (``list`` refuses it for sleep). Only ``list`` documents its order (newest first);
``reconcile`` pages come in the order ``modes.reconcile_order`` says. ``Snapshots`` keeps what
a listing's first page matched, so its later pages do not scan the whole history again.
"""

from __future__ import annotations

import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.google.data import DATA_TYPES, HealthData
from sandbox.google.errors import ApiFailure
from sandbox.google.filters import parse_filter
from sandbox.google.health import DAILY_VITALS, SAMPLE_TYPES
from sandbox.google.paging import decode_token, encode_token
from sandbox.google.render import (
    DEVICE,
    SECOND_DEVICE,
    render_daily,
    render_exercise,
    render_point,
    render_resting,
    render_sample,
    render_sleep,
)
from sandbox.server import Request

LIST_PAGE_DEFAULT, LIST_PAGE_MAX, SESSION_PAGE_MAX = 1440, 10000, 25
SNAPSHOTS_KEPT = 32  # listings whose later pages can be served from their first page's scan
FAMILY = re.compile(r"^users/[^/]+/dataSourceFamilies/"
                    r"(all-sources|google-wearables|google-sources|self-sources)$")


@dataclass
class ListQuery:
    """A validated list request: what matches, how many per page, and where to start."""

    data_type: str
    predicate: Callable[[tuple], bool]
    page_size: int
    query_key: str  # binds page tokens to this query
    offset: int
    reconcile: bool = False
    second_device: bool = True  # list shows the second device's sessions too
    self_sources: bool = False  # only what this client wrote: nothing here
    order: str = "newest_first"  # newest_first, oldest_first or shuffled (reconcile's mode)


def parse_list(data_type: str, request: Request, filter_mode: str, *, reconcile: bool = False,
               second_device: bool = True, order: str = "newest_first") -> ListQuery:
    """Check the data type, filter, page size and page token; a 400 ``ApiFailure`` if wrong."""
    if data_type not in DATA_TYPES:
        raise ApiFailure(400, f"Unknown data type: {data_type}.", "INVALID_DATA_TYPE")
    observed = filter_mode == "observed"
    if data_type == "total-calories" or (data_type == "floors" and observed and not reconcile):
        raise ApiFailure(400, f"Data type {data_type} supports only the following actions: "
                         "rollup, dailyRollup.", "UNSUPPORTED_DATA_TYPE_ACTION")
    family = request.arg("dataSourceFamily") or ""
    if family and data_type == "sleep" and not reconcile:
        raise ApiFailure(400, "Filtering by data source family is not supported for sleep; "
                         "use ReconcileDataPoints instead.")
    if family and not FAMILY.match(family):
        raise ApiFailure(400, f"Invalid data source family: {family!r}.")
    predicate = parse_filter(data_type, request.arg("filter") or "", filter_mode)
    size = page_size(data_type, request.arg("pageSize"))
    action = "reconcile" if reconcile else "list"
    query_key = f"{action}|{data_type}|{request.arg('filter') or ''}|{size}|{family}"
    offset = decode_token(request.arg("pageToken"), query_key)
    return ListQuery(data_type, predicate, size, query_key, offset, reconcile, second_device,
                     family.endswith("/self-sources"), order)


def page_size(data_type: str, raw: str | None) -> int:
    session = data_type in ("sleep", "exercise")  # 25 by default and at most
    maximum = SESSION_PAGE_MAX if session else LIST_PAGE_MAX
    default = SESSION_PAGE_MAX if session else LIST_PAGE_DEFAULT
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ApiFailure(400, f"Invalid value at 'page_size' (TYPE_INT32), \"{raw}\"") from None
    if size < 0:
        raise ApiFailure(400, "page_size must not be negative.")
    return default if size == 0 else min(size, maximum)


def empty_page(query: ListQuery) -> dict[str, Any]:
    """A page with no points but a token for the same offset (a live API quirk)."""
    return {"nextPageToken": encode_token(query.offset, query.query_key)}


def list_page(data: HealthData, query: ListQuery,
              snapshots: Snapshots | None = None) -> dict[str, Any]:
    """One page of the matching points, in the query's order (``list``: newest first)."""
    matching = (snapshots.matching(data, query) if snapshots is not None
                else matching_items(data, query))
    page = matching[query.offset:query.offset + query.page_size]
    if not page:
        return {}  # an exhausted listing answers with an empty object
    render = reconciled if query.reconcile else (lambda point: point)
    body: dict[str, Any] = {"dataPoints": [render(item[1]()) for item in page]}
    # like the live API, a full page carries a token even when nothing follows
    if len(page) == query.page_size:
        body["nextPageToken"] = encode_token(query.offset + query.page_size, query.query_key)
    return body


def matching_items(data: HealthData, query: ListQuery) -> list[tuple]:
    """Every visible point the query matches, in its order (a scan of the whole history)."""
    visible = [] if query.self_sources else items(data, query)
    return ordered([i for i in visible if query.predicate(i)], query)


class Snapshots:
    """What each listing's first page matched, for its later pages.

    Scanning the history for every page made a listing's cost grow with the square of the
    history (a sleep backfill reads it 25 sessions a page). A first page (no token) always scans
    afresh, and so does any page once the clock has moved: data changed between runs is seen
    by the next listing. Points render when served, so an edit to a listed point shows.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, tuple[datetime, list[tuple]]] = OrderedDict()

    def matching(self, data: HealthData, query: ListQuery) -> list[tuple]:
        now = data.now()
        key = (query.query_key, query.order, query.second_device)  # the modes change it too
        with self._lock:
            kept = self._kept.get(key)
        if query.offset and kept is not None and kept[0] == now:
            return kept[1]
        found = matching_items(data, query)
        with self._lock:
            self._kept[key] = (now, found)
            self._kept.move_to_end(key)
            while len(self._kept) > SNAPSHOTS_KEPT:
                self._kept.popitem(last=False)
        return found


def ordered(matching: list[tuple], query: ListQuery) -> list[tuple]:
    """Newest first, oldest first, or a fixed shuffle of the query (the same on every page)."""
    newest = sorted(matching, key=lambda i: i[0], reverse=True)
    if query.order == "oldest_first":
        return newest[::-1]
    if query.order == "shuffled":
        random.Random(query.query_key).shuffle(newest)
    return newest


def reconciled(point: dict) -> dict:
    """A list point as ``reconcile`` shows it: ``dataPointName``, no ``dataSource``."""
    out = {k: v for k, v in point.items() if k not in ("name", "dataSource")}
    if point.get("name"):
        out = {"dataPointName": point["name"], **out}
    return out


def sleep_items(data: HealthData, query: ListQuery) -> list[tuple]:
    """Sleep sessions: every device's for list, one per night for reconcile."""
    sessions = [(s, DEVICE) for s in data.visible_sleeps()]
    if query.second_device and not query.reconcile:
        sessions += [(s, SECOND_DEVICE) for s in data.visible_other_sleeps()]
    return [(s.start, lambda s=s, d=d: render_sleep(data, s, d),
             {"interval.end_time": s.end,
              "interval.civil_end_time": s.end + timedelta(seconds=s.end_offset)})
            for s, d in sessions]


def items(data: HealthData, query: ListQuery) -> list[tuple]:
    """(sort key, render, filter values) per visible point of the query's data type."""
    data_type = query.data_type
    if data_type == "sleep":
        return sleep_items(data, query)
    if data_type == "daily-resting-heart-rate":
        return [(data.local(r.day), lambda r=r: render_resting(r), {"date": r.day})
                for r in data.visible_resting()]
    if data_type in DAILY_VITALS:
        return [(data.local(d.day), lambda d=d: render_daily(d), {"date": d.day})
                for d in data.visible_daily(data_type)]
    if data_type in SAMPLE_TYPES:
        return [(s.time, lambda s=s: render_sample(s),
                 {"sample_time.physical_time": s.time,
                  "sample_time.civil_time": s.time + timedelta(seconds=s.offset)})
                for s in data.visible_samples(data_type)]
    if data_type == "exercise":
        return [(e.start, lambda e=e: render_exercise(data, e),
                 {"interval.civil_start_time": e.start + timedelta(seconds=e.start_offset)})
                for e in data.visible_exercises()]
    return [(p.start, lambda p=p: render_point(data, p),
             {"interval.start_time": p.start,
              "interval.civil_start_time": p.start + timedelta(seconds=p.offset)})
            for p in data.visible_points(data_type)]
