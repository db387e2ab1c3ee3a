"""HubSpot search paged by key instead of by ``after`` offsets (a dlt paginator).

Search's ``after`` is an offset into a live result set: a record edited between two pages
moves to the end of an ascending sort and shifts the rest, so the record at the next page
boundary is skipped; and one query stops at 10,000 results. So every page is a fresh query
from the last key read: ``last-modified >= the newest time read``, sorted ascending, dropping
ids already read at that very time. That never skips and never meets the cap. When a whole
page shares one time (a bulk import), the time cannot move, so that instant is walked by id
(``== time and hs_object_id > last id``, sorted by id) and the window resumes after it.
Every query strictly advances (a later time, or a larger id), so paging always ends.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import requests
from dlt.sources.helpers.rest_client.paginators import BasePaginator

log = logging.getLogger("prp.hubspot")


def to_ms(value: str | None) -> int | None:
    """Epoch milliseconds of a HubSpot datetime string (ISO or epoch ms)."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def record_ms(record: dict[str, Any], cursor_property: str) -> int:
    """A record's last-modified time (its cursor property, else ``updatedAt``), epoch ms."""
    value = to_ms((record.get("properties") or {}).get(cursor_property))
    if value is None:
        value = to_ms(record.get("updatedAt"))
    return value or 0


def record_at(record: dict[str, Any], cursor_property: str) -> datetime:
    """``record_ms`` as a UTC time."""
    return datetime.fromtimestamp(record_ms(record, cursor_property) / 1000, UTC)


def _filter(name: str, operator: str, value: int) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": str(value)}


class KeysetSearchPaginator(BasePaginator):
    """Pages of ``POST /crm/objects/<version>/{type}/search`` by (last-modified, id) key.

    ``update_state`` drops the records of a page that were already read at the anchor time
    (dlt yields the page after it), so each record version comes out once.
    """

    def __init__(self, cursor_property: str, since_ms: int, until_ms: int | None = None):
        super().__init__()
        self.cursor_property = cursor_property
        self.until_ms = until_ms
        self.low, self.inclusive = since_ms, True  # the window: cursor >= low (or > low)
        self.seen_at_low: set[str] = set()         # ids already read at exactly ``low``
        self.walk_at: int | None = None            # walking one instant by id when set
        self.walk_after = 0
        self.queries = 1

    # the query for the next page -----------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        if self.walk_at is not None:
            filters = [_filter(self.cursor_property, "EQ", self.walk_at),
                       _filter("hs_object_id", "GT", self.walk_after)]
            sort = "hs_object_id"
        else:
            filters = [_filter(self.cursor_property, "GTE" if self.inclusive else "GT", self.low)]
            if self.until_ms is not None:
                filters.append(_filter(self.cursor_property, "LT", self.until_ms))
            sort = self.cursor_property
        return {"filterGroups": [{"filters": filters}],
                "sorts": [{"propertyName": sort, "direction": "ASCENDING"}]}

    def init_request(self, request: requests.Request) -> None:
        request.json = {**(request.json or {}), **self._body()}

    def update_request(self, request: requests.Request) -> None:
        self.queries += 1
        request.json = {**(request.json or {}), **self._body()}

    # what a page tells us ------------------------------------------------------------------
    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        records = data if data is not None else []
        more = bool(((response.json().get("paging") or {}).get("next") or {}).get("after"))
        if self.walk_at is not None:
            fresh = self._after_walk_page(records, more)
        else:
            fresh = self._after_window_page(records, more)
        records[:] = fresh

    def _after_window_page(self, records: list[dict[str, Any]], more: bool) -> list[dict]:
        at_low = self.seen_at_low if self.inclusive else set()
        fresh = [r for r in records
                 if not (record_ms(r, self.cursor_property) == self.low and r["id"] in at_low)]
        if not more or not records:
            self._has_next_page = False
            return fresh
        times = [record_ms(r, self.cursor_property) for r in records]
        newest = max(times)
        ids_at_newest = {r["id"] for r, t in zip(records, times, strict=True) if t == newest}
        if min(times) == newest:  # a whole page at one instant: the time cannot move
            self.walk_at, self.walk_after = newest, 0
            self.seen_at_low = ids_at_newest | (at_low if newest == self.low else set())
            log.info("hubspot: %s: more than a page at %d, reading that instant by id",
                     self.cursor_property, newest)
        else:
            self.low, self.inclusive, self.seen_at_low = newest, True, ids_at_newest
        return fresh

    def _after_walk_page(self, records: list[dict[str, Any]], more: bool) -> list[dict]:
        fresh = [r for r in records if r["id"] not in self.seen_at_low]
        self.seen_at_low.update(r["id"] for r in fresh)
        if records:
            self.walk_after = max(int(r["id"]) for r in records)
        if not more or not records:  # the instant is done: resume strictly after it
            self.low, self.inclusive = self.walk_at or self.low, False
            self.walk_at, self.seen_at_low = None, set()
        return fresh
