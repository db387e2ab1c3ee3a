"""Notion habit databases (API version 2025-09-03) as a dlt source.

Discovers the data sources shared with the integration (one search), then per data source
loads changed pages into ``notion__<title>`` and their property values, by stable property
id, into the shared long table ``notion__property_values``. Incremental on
``last_edited_time``: Notion rounds it down to the minute, so each run re-reads a short
overlap and skips pages whose content it has already loaded. Pages moved to the trash
vanish from queries; a separate ``in_trash`` query marks them so staging drops them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.sources import DltResource

from pipelines.common.errors import ConfigurationError
from pipelines.common.http import ApiClient
from pipelines.common.logs import register_secret
from pipelines.common.progress import Progress
from pipelines.common.runner import RunWindow, run_source
from pipelines.notion_properties import plain_text, property_rows, truncated_properties

log = logging.getLogger("prp.notion")

PAGE_SIZE = 100
PROPERTY_VALUES_TABLE = "notion__property_values"

PROPERTY_VALUE_COLUMNS = {
    "page_id": {"data_type": "text", "nullable": False},
    "property_id": {"data_type": "text", "nullable": False},
    "property_name": {"data_type": "text"},
    "property_type": {"data_type": "text"},
    "value_text": {"data_type": "text"},
    "value_number": {"data_type": "double"},
    "value_bool": {"data_type": "bool"},
    "value_date": {"data_type": "text"},
    "value_date_end": {"data_type": "text"},
    "value_json": {"data_type": "text"},
    "item_count": {"data_type": "bigint"},
}
PAGE_COLUMNS = {
    "page_id": {"data_type": "text", "nullable": False},
    "data_source_id": {"data_type": "text"},
    "database_id": {"data_type": "text"},
    "title": {"data_type": "text"},
    "created_time": {"data_type": "timestamp"},
    "last_edited_time": {"data_type": "timestamp"},
    "in_trash": {"data_type": "bool"},
    "url": {"data_type": "text"},
}


def table_name_for(title: str) -> str:
    """``Daily Habits`` -> ``notion__daily_habits``."""
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return f"notion__{slug or 'untitled'}"


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _schema_digest(ds: dict[str, Any]) -> str:
    """Which columns (by id and type) a data source has; names do not matter."""
    columns = sorted((p["id"], p["type"]) for p in ds.get("properties", {}).values())
    return hashlib.sha256(json.dumps(columns).encode()).hexdigest()[:16]


def _content_hash(page: dict[str, Any]) -> str:
    body = json.dumps([page.get("in_trash"), page.get("properties")], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


class NotionClient:
    """The few Notion endpoints the source reads, paced under 3 requests/s."""

    def __init__(self, base_url: str, api_key: str, version: str, requests_per_second: float,
                 max_retries: int = 8):
        register_secret(api_key)
        self.api = ApiClient(
            "notion", base_url, requests_per_second=requests_per_second, burst=3,
            max_retries=max_retries,
            headers={"Authorization": f"Bearer {api_key}", "Notion-Version": version},
        )

    def _list(self, method: str, path: str, body: dict[str, Any] | None = None) -> Iterator[dict]:
        cursor = None
        while True:
            if method == "POST":
                payload = {**(body or {}), "page_size": PAGE_SIZE}
                if cursor:
                    payload["start_cursor"] = cursor
                response = self.api.request_json("POST", path, json_body=payload)
            else:
                params = {"page_size": PAGE_SIZE, **({"start_cursor": cursor} if cursor else {})}
                response = self.api.request_json("GET", path, params=params)
            yield from response.get("results", [])
            if response.get("request_status", {}).get("type") == "incomplete":
                log.warning("notion: %s returned an incomplete result (%s)", path,
                            response["request_status"].get("incomplete_reason"))
            cursor = response.get("next_cursor")
            if not response.get("has_more") or not cursor:
                return

    def data_sources(self) -> list[dict[str, Any]]:
        body = {"filter": {"property": "object", "value": "data_source"},
                "sort": {"timestamp": "last_edited_time", "direction": "ascending"}}
        return list(self._list("POST", "/v1/search", body))

    def query(self, data_source_id: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        return self._list("POST", f"/v1/data_sources/{data_source_id}/query", body)

    def full_reference_list(self, page_id: str, property_id: str) -> list[dict[str, Any]]:
        """Every item of a relation/people property, past the 25 a page response carries."""
        path = f"/v1/pages/{page_id}/properties/{quote(property_id, safe='')}"
        return [item[item["type"]] for item in self._list("GET", path)]


def _select_data_sources(found: list[dict[str, Any]], wanted: dict[str, str] | None
                         ) -> list[tuple[dict[str, Any], str]]:
    """(data source, table name) pairs: the configured ones, or every shared one."""
    by_title = {plain_text(ds.get("title")): ds for ds in found}
    if not wanted:
        return [(ds, table_name_for(title)) for title, ds in sorted(by_title.items())]
    missing = sorted(set(wanted) - set(by_title))
    if missing:
        raise ConfigurationError(
            f"sources.notion.data_sources names {', '.join(map(repr, missing))}, but the "
            f"integration can see only {', '.join(map(repr, sorted(by_title))) or 'nothing'}: "
            "share the database with the integration or fix the title")
    return [(by_title[title], table) for title, table in sorted(wanted.items())]


def _page_row(page: dict[str, Any]) -> dict[str, Any]:
    parent = page.get("parent") or {}
    title = next((plain_text(p.get("title")) for p in page.get("properties", {}).values()
                  if p.get("type") == "title"), None)
    return {
        "page_id": page["id"], "data_source_id": parent.get("data_source_id"),
        "database_id": parent.get("database_id"), "title": title,
        "created_time": page.get("created_time"), "last_edited_time": page.get("last_edited_time"),
        "in_trash": bool(page.get("in_trash", page.get("archived", False))),
        "url": page.get("url"),
    }


def _changes_query(since: datetime, end_date: date | None) -> dict[str, Any]:
    """Query body: pages edited on or after ``since`` (and before ``end_date`` ends), oldest first."""
    conditions: list[dict[str, Any]] = [
        {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": _iso(since)}}]
    if end_date:
        until = datetime.combine(end_date + timedelta(days=1), datetime.min.time(), UTC)
        conditions.append({"timestamp": "last_edited_time",
                           "last_edited_time": {"before": _iso(until)}})
    return {"filter": conditions[0] if len(conditions) == 1 else {"and": conditions},
            "sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}]}


def _pages_resource(client: NotionClient, ds: dict[str, Any], table: str, *, full_refresh: bool,
                    initial_date: date, end_date: date | None, lookback: timedelta) -> DltResource:
    """Changed pages of one data source, and their property values in the long table."""
    # Merging the values on page_id first deletes every stored value of a re-read page,
    # so a property removed in Notion disappears too.
    values_hints = dlt.mark.make_hints(
        table_name=PROPERTY_VALUES_TABLE, columns=PROPERTY_VALUE_COLUMNS,
        primary_key=["page_id", "property_id"], merge_key="page_id",
        write_disposition="replace" if full_refresh else {"disposition": "merge",
                                                          "strategy": "delete-insert"})

    def pages() -> Iterator[dict[str, Any]]:
        state = dlt.current.resource_state()
        cursor = None if full_refresh else state.get("cursor")
        # A new or retyped column shows on every page without touching last_edited_time,
        # so a schema change re-reads the whole data source once.
        schema = _schema_digest(ds)
        if cursor and state.get("schema") != schema:
            log.info("notion: %s changed its columns; re-reading all its pages", table)
            cursor = None
        state["schema"] = schema
        seen_at_boundary: dict[str, str] = dict(state.get("boundary", {})) if cursor else {}
        since = _parse(cursor) - lookback if cursor else datetime.combine(
            initial_date, datetime.min.time(), UTC)
        progress = Progress(f"notion {table}")
        newest = _parse(cursor) if cursor else None
        hashes: dict[str, tuple[str, str]] = {}
        for page in client.query(ds["id"], _changes_query(since, end_date)):
            edited = _parse(page["last_edited_time"])
            newest = max(newest, edited) if newest else edited
            digest = _content_hash(page)
            hashes[page["id"]] = (page["last_edited_time"], digest)
            if seen_at_boundary.get(page["id"]) == digest:
                continue  # re-read only because of the minute-rounding overlap
            yield from _page_and_values(client, page, values_hints)
            progress.add(1)
        trashed_before = set() if full_refresh else set(state.get("trashed", []))
        trashed_now = set()
        for page in client.query(ds["id"], {"in_trash": True}):
            if not page.get("in_trash", page.get("archived")):
                continue  # be safe if an API version also returns live pages here
            trashed_now.add(page["id"])
            if page["id"] not in trashed_before and not full_refresh:
                yield from _page_and_values(client, page, values_hints)
                progress.add(1)
        progress.done()
        if newest is not None:
            edge = newest - lookback
            state["cursor"] = _iso(newest)
            # every page inside the next overlap was read in this run, so hashes covers it
            state["boundary"] = {pid: digest for pid, (ts, digest) in hashes.items()
                                 if _parse(ts) >= edge}
        state["trashed"] = sorted(trashed_now)

    return dlt.resource(
        pages, name=table, table_name=table, primary_key="page_id", write_disposition="merge",
        columns=PAGE_COLUMNS,
    )


def _page_and_values(client: NotionClient, page: dict[str, Any], values_hints) -> Iterator[Any]:
    """The page row, then its property values (fetching reference lists cut at 25)."""
    properties = page.get("properties", {})
    complete = {pid: client.full_reference_list(page["id"], pid)
                for pid in truncated_properties(properties)}
    yield _page_row(page)
    rows = property_rows(page["id"], properties, complete)
    if rows:
        yield dlt.mark.with_hints(rows, values_hints, create_table_variant=True)


def _data_source_rows(selected: list[tuple[dict[str, Any], str]]) -> list[dict[str, Any]]:
    return [{"data_source_id": ds["id"], "database_id": (ds.get("parent") or {}).get("database_id"),
             "title": plain_text(ds.get("title")), "table_name": table,
             "last_edited_time": ds.get("last_edited_time")} for ds, table in selected]


def _property_schema_rows(selected: list[tuple[dict[str, Any], str]]) -> list[dict[str, Any]]:
    return [{"data_source_id": ds["id"], "property_id": prop["id"], "property_name": name,
             "property_type": prop["type"]}
            for ds, _ in selected for name, prop in ds.get("properties", {}).items()]


def _when_changed(rows: list[dict[str, Any]], full_refresh: bool) -> Iterator[list[dict[str, Any]]]:
    """Yield ``rows`` only if they differ from the last run's, so a quiet run loads nothing."""
    state = dlt.current.resource_state()
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    if full_refresh or state.get("digest") != digest:
        state["digest"] = digest
        yield rows


@dlt.source(name="notion", max_table_nesting=0)
def notion_source(
    api_key: str = dlt.secrets.value,
    base_url: str = dlt.config.value,
    notion_version: str = "2025-09-03",
    data_sources: dict[str, str] | None = None,
    initial_date: str = "2020-01-01",
    lookback_minutes: int = 2,
    requests_per_second: float = 2.5,
    max_retries: int = 8,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[DltResource]:
    """Every selected Notion data source: pages, property values and the schema."""
    try:
        start = since or date.fromisoformat(str(initial_date))
    except ValueError:
        raise ConfigurationError(
            f"sources.notion.initial_date {initial_date!r} is not a date (YYYY-MM-DD)") from None
    client = NotionClient(base_url, api_key, notion_version, float(requests_per_second),
                          int(max_retries))
    selected = _select_data_sources(client.data_sources(), data_sources)
    log.info("notion: %d data sources: %s", len(selected), ", ".join(t for _, t in selected))
    resources = [
        dlt.resource(_when_changed(_data_source_rows(selected), full_refresh),
                     name="notion__data_sources", primary_key="data_source_id",
                     write_disposition="merge"),
        dlt.resource(_when_changed(_property_schema_rows(selected), full_refresh),
                     name="notion__data_source_properties",
                     primary_key=["data_source_id", "property_id"], write_disposition="merge"),
    ]
    lookback = timedelta(minutes=int(lookback_minutes))
    resources += [_pages_resource(client, ds, table, full_refresh=full_refresh, initial_date=start,
                                  end_date=until, lookback=lookback) for ds, table in selected]
    return resources


def refresh_notion(is_incremental: bool | None = None, pipeline: dlt.Pipeline | None = None,
                   initial_date: date | None = None, end_date: date | None = None) -> LoadInfo:
    """Load Notion into the warehouse; see ``pipelines.common.refresh_mode`` for the mode."""

    def make(window: RunWindow):
        return notion_source(full_refresh=window.full_refresh, since=window.initial_date,
                             until=window.end_date)

    return run_source("notion", make, is_incremental=is_incremental, pipeline=pipeline,
                      initial_date=initial_date, end_date=end_date)


if __name__ == "__main__":
    import sys

    from pipelines.cli import main

    sys.exit(main(["refresh", "notion", *sys.argv[1:]]))
