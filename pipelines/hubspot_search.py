"""Changed records through HubSpot search, past its 10,000-results-per-query cap.

One query asks for ``cursor >= since`` sorted ascending on the last-modified property. When
paging reaches the cap, the next query re-anchors at the newest timestamp read so far
(``>= that time``, skipping ids already read at it). When a whole capped window shares one
timestamp, re-anchoring cannot move, so those records are walked by ``hs_object_id``
(``== time and hs_object_id > last id``) and the window resumes after that time. Every
step strictly advances (a later time, or a larger id), so it never loops, and ascending
order means nothing before the anchor is left unread, so it never skips.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from pipelines.common.http import ApiError

log = logging.getLogger("prp.hubspot")

SearchFn = Callable[[dict[str, Any]], dict[str, Any]]


def to_ms(value: str | None) -> int | None:
    """Epoch milliseconds of a HubSpot datetime string (ISO or epoch ms)."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def _record_ms(record: dict[str, Any], cursor_property: str) -> int:
    value = to_ms((record.get("properties") or {}).get(cursor_property))
    if value is None:
        value = to_ms(record.get("updatedAt"))
    return value or 0


def _pages(search: SearchFn, body: dict[str, Any], cap: int) -> Iterator[list[dict[str, Any]]]:
    """Pages of one query until it ends (then returns True) or hits the cap (False)."""
    offset = 0
    while True:
        request = dict(body)
        if offset:
            request["after"] = str(offset)
        try:
            response = search(request)
        except ApiError as exc:
            # a cap lower than configured: paging past it is HubSpot's 400
            if exc.status == 400 and offset > 0:
                log.info("hubspot: search stopped at %d results (the result cap)", offset)
                return False
            raise
        results = response.get("results") or []
        if results:
            yield results
        after = ((response.get("paging") or {}).get("next") or {}).get("after")
        if not after or not results:
            return True
        offset = int(after)
        if offset >= cap:
            return False


def _query(cursor_property: str, filters: list[dict[str, Any]], sort_property: str,
           properties: list[str], page_size: int) -> dict[str, Any]:
    return {"filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": sort_property, "direction": "ASCENDING"}],
            "properties": properties, "limit": page_size}


def _walk_one_timestamp(search: SearchFn, cursor_property: str, ts: int, skip: set[str],
                        properties: list[str], page_size: int, cap: int
                        ) -> Iterator[dict[str, Any]]:
    """Every record modified exactly at ``ts``, by ascending ``hs_object_id``."""
    last_id = 0
    while True:
        filters = [{"propertyName": cursor_property, "operator": "EQ", "value": str(ts)},
                   {"propertyName": "hs_object_id", "operator": "GT", "value": str(last_id)}]
        body = _query(cursor_property, filters, "hs_object_id", properties, page_size)
        pages = _pages(search, body, cap)
        while True:
            try:
                page = next(pages)
            except StopIteration as stop:
                finished = stop.value
                break
            for record in page:
                last_id = max(last_id, int(record["id"]))
                if record["id"] not in skip:
                    skip.add(record["id"])
                    yield record
        if finished:
            return
        log.info("hubspot: %s walking one timestamp past id %d", cursor_property, last_id)


def _fills_a_window(search: SearchFn, cursor_property: str, ts: int, ids_at_ts: int,
                    read: int, cap: int) -> bool:
    """Whether more records than one capped window share ``ts`` (so re-anchoring is futile).

    Asked only when most of the window just read shares ``ts``: one search with ``limit=1``
    whose ``total`` counts them.
    """
    if ids_at_ts == read:
        return True
    if ids_at_ts * 2 <= read:
        return False
    probe = search({"filterGroups": [{"filters": [
        {"propertyName": cursor_property, "operator": "EQ", "value": str(ts)}]}],
        "properties": [cursor_property], "limit": 1})
    return int(probe.get("total") or 0) >= cap


def changed_records(search: SearchFn, cursor_property: str, properties: list[str],
                    since_ms: int, until_ms: int | None = None, *, page_size: int = 200,
                    cap: int = 10_000) -> Iterator[dict[str, Any]]:
    """Every record with ``since_ms <= cursor (< until_ms)``, each once, oldest first."""
    low, inclusive = since_ms, True
    seen_at_low: set[str] = set()
    queries = 0
    while True:
        queries += 1
        filters = [{"propertyName": cursor_property, "operator": "GTE" if inclusive else "GT",
                    "value": str(low)}]
        if until_ms is not None:
            filters.append({"propertyName": cursor_property, "operator": "LT",
                            "value": str(until_ms)})
        body = _query(cursor_property, filters, cursor_property, properties, page_size)
        newest: int | None = None
        newest_ids: set[str] = set()
        read = 0
        pages = _pages(search, body, cap)
        while True:
            try:
                page = next(pages)
            except StopIteration as stop:
                finished = stop.value
                break
            read += len(page)
            for record in page:
                ts = _record_ms(record, cursor_property)
                if newest is None or ts > newest:
                    newest, newest_ids = ts, set()
                newest_ids.add(record["id"])
                if ts == low and record["id"] in seen_at_low:
                    continue
                yield record
        if finished:
            return
        if newest is None:
            raise RuntimeError("hubspot search hit its result cap without returning records")
        if newest < low or (newest == low and not inclusive):
            raise RuntimeError(f"hubspot search for {cursor_property} > {low} returned older "
                               "records; refusing to loop")
        if newest > low and not _fills_a_window(search, cursor_property, newest,
                                                  len(newest_ids), read, cap):
            # re-anchor at the newest time read; its ids are already read
            low, inclusive, seen_at_low = newest, True, newest_ids
            log.info("hubspot: %s window re-anchored at %d (query %d)", cursor_property, low,
                     queries + 1)
            continue
        # a full capped window at one timestamp (re-anchoring could not move): walk that
        # timestamp by id, then move past it
        skip = newest_ids | (seen_at_low if newest == low else set())
        yield from _walk_one_timestamp(search, cursor_property, newest, skip, properties,
                                       page_size, cap)
        low, inclusive, seen_at_low = newest, False, set()
