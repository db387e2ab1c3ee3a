"""dataPoints.list: which types list, page sizes, and the visible points newest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sandbox.google.data import DATA_TYPES, HealthData
from sandbox.google.errors import ApiFailure
from sandbox.google.filters import parse_filter
from sandbox.google.paging import decode_token, encode_token
from sandbox.google.render import render_point, render_resting, render_sleep
from sandbox.server import Request

LIST_PAGE_DEFAULT, LIST_PAGE_MAX, SESSION_PAGE_MAX = 1440, 10000, 25


@dataclass
class ListQuery:
    """A validated list request: what matches, how many per page, and where to start."""

    data_type: str
    predicate: Callable[[tuple], bool]
    page_size: int
    query_key: str  # binds page tokens to this query
    offset: int


def parse_list(data_type: str, request: Request, filter_mode: str) -> ListQuery:
    """Check the data type, filter, page size and page token; a 400 ``ApiFailure`` if wrong."""
    if data_type not in DATA_TYPES:
        raise ApiFailure(400, f"Unknown data type: {data_type}.", "INVALID_DATA_TYPE")
    observed = filter_mode == "observed"
    if data_type == "total-calories" or (data_type == "floors" and observed):
        raise ApiFailure(400, f"Data type {data_type} supports only the following actions: "
                         "rollup, dailyRollup.", "UNSUPPORTED_DATA_TYPE_ACTION")
    if data_type == "sleep" and request.arg("dataSourceFamily"):
        raise ApiFailure(400, "Filtering by data source family is not supported for sleep; "
                         "use ReconcileDataPoints instead.")
    predicate = parse_filter(data_type, request.arg("filter") or "", filter_mode)
    size = page_size(data_type, request.arg("pageSize"))
    query_key = f"{data_type}|{request.arg('filter') or ''}|{size}"
    offset = decode_token(request.arg("pageToken"), query_key)
    return ListQuery(data_type, predicate, size, query_key, offset)


def page_size(data_type: str, raw: str | None) -> int:
    maximum = SESSION_PAGE_MAX if data_type == "sleep" else LIST_PAGE_MAX
    default = SESSION_PAGE_MAX if data_type == "sleep" else LIST_PAGE_DEFAULT
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


def list_page(data: HealthData, query: ListQuery) -> dict[str, Any]:
    """One page of the matching points, newest first."""
    matching = sorted((i for i in items(data, query.data_type) if query.predicate(i)),
                      key=lambda i: i[0], reverse=True)
    page = matching[query.offset:query.offset + query.page_size]
    if not page:
        return {}  # an exhausted listing answers with an empty object
    body: dict[str, Any] = {"dataPoints": [item[1]() for item in page]}
    # like the live API, a full page carries a token even when nothing follows
    if len(page) == query.page_size:
        body["nextPageToken"] = encode_token(query.offset + query.page_size, query.query_key)
    return body


def items(data: HealthData, data_type: str) -> list[tuple]:
    """(sort key, render, filter values) per visible point of ``data_type``."""
    if data_type == "sleep":
        return [(s.start, lambda s=s: render_sleep(data, s),
                 {"interval.end_time": s.end,
                  "interval.civil_end_time": s.end + timedelta(seconds=s.end_offset)})
                for s in data.visible_sleeps()]
    if data_type == "daily-resting-heart-rate":
        return [(data.local(r.day), lambda r=r: render_resting(r), {"date": r.day})
                for r in data.visible_resting()]
    return [(p.start, lambda p=p: render_point(data, p),
             {"interval.start_time": p.start,
              "interval.civil_start_time": p.start + timedelta(seconds=p.offset)})
            for p in data.visible_points(data_type)]
