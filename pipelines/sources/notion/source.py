"""Notion data sources (API version 2026-03-11, requests shaped for 2026-12-01) as a dlt source.

Discovers the data sources shared with the integration (one search) and loads every page of
every selected one into the one table ``notion__pages``, its property values (by stable property
id) into ``notion__property_values``, and one row per data source into ``notion__data_sources``:
a new database adds rows, never a table. Incremental on ``last_edited_time`` (rounded down to the
minute by Notion) with an overlap re-read; trash, archive and restore come from a sweep
(``deletions.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dlt
from dlt.sources import DltResource

from pipelines.runtime.context import RunContext, run_context
from pipelines.runtime.dates import mark_swept, run_start, sweep_due
from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.overlap import OverlapCursor, fingerprint
from pipelines.runtime.progress import Progress
from pipelines.sources.notion.client import NotionClient
from pipelines.sources.notion.deletions import archived_pages, sweep
from pipelines.sources.notion.habits import HabitRoles
from pipelines.sources.notion.rows import (
    DATA_SOURCE_COLUMNS,
    DATA_SOURCE_PROPERTIES_TABLE,
    DATA_SOURCES_TABLE,
    PAGE_COLUMNS,
    PAGES_TABLE,
    PROPERTY_VALUE_COLUMNS,
    PROPERTY_VALUES_TABLE,
    data_source_row,
    page_row,
    plain_text,
    property_rows,
    property_schema_rows,
    stale_computed,
    truncated_lists,
)

log = logging.getLogger("prp.notion")


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _title(ds: dict[str, Any]) -> str:
    return plain_text(ds.get("title"))


def _label(ds: dict[str, Any]) -> str:
    return f"{_title(ds)} ({ds['id']})"


def _schema_digest(ds: dict[str, Any]) -> str:
    """Which columns (by id and type) a data source has; names do not matter."""
    return fingerprint(sorted((p["id"], p["type"]) for p in ds.get("properties", {}).values()))


def _wanted(setting: Any, run: RunContext | None) -> list[str]:
    """The ``data_sources`` setting as a list of titles or ids.

    Accepts a list, a JSON list or a comma-separated string; the old title -> table mapping
    still selects by its titles (the table names no longer apply: every page goes to one table).
    """
    if isinstance(setting, str):
        text = setting.strip()
        setting = json.loads(text) if text[:1] in "[{" else [p for p in text.split(",") if p.strip()]
    if isinstance(setting, dict):
        run_context(run, "notion").warn(
            log, "notion: sources.notion.data_sources is a title -> table map; every page now "
                 "loads into notion__pages, so only its titles are used. Write it as a list of "
                 "titles or data source ids.")
        setting = list(setting)
    return [str(item).strip() for item in setting or []]


def _same_id(a: str, b: str) -> bool:
    return a.replace("-", "").lower() == b.replace("-", "").lower()


def select_data_sources(found: list[dict[str, Any]], setting: Any,
                        run: RunContext | None = None) -> list[dict[str, Any]]:
    """The configured data sources (by title or id; a title may name several), or all of them."""
    ordered = sorted(found, key=lambda ds: (_title(ds), ds["id"]))
    wanted = _wanted(setting, run)
    if not wanted:
        return ordered
    chosen: list[dict[str, Any]] = []
    unknown = []
    for name in wanted:
        matches = [ds for ds in ordered if _title(ds) == name or _same_id(ds["id"], name)]
        if not matches:
            unknown.append(name)
        chosen += [ds for ds in matches if ds not in chosen]
    if unknown:
        visible = ", ".join(repr(_title(ds)) for ds in ordered) or "nothing"
        raise ConfigurationError(
            f"sources.notion.data_sources names {', '.join(map(repr, unknown))}, but the "
            f"integration can see only {visible}: share the database with the integration, or "
            "fix the title or data source id")
    return chosen


def property_ids(ds: dict[str, Any]) -> list[str]:
    """Every column's id: a query names them all (from 2026-12-01 it returns the title only)."""
    return [prop["id"] for prop in ds.get("properties", {}).values()]


def with_whole_schema(client: NotionClient, ds: dict[str, Any]) -> dict[str, Any]:
    """``ds`` with every column: a search may list a data source's title column only."""
    if any(prop.get("type") != "title" for prop in ds.get("properties", {}).values()):
        return ds
    return client.data_source(ds["id"])


def changes_query(since: datetime, until: date | None) -> dict[str, Any]:
    """Query body: pages edited on or after ``since`` (and before ``until`` ends)."""
    conditions: list[dict[str, Any]] = [
        {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": _iso(since)}}]
    if until:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC)
        conditions.append({"timestamp": "last_edited_time", "last_edited_time": {"before": _iso(end)}})
    # the client sorts by created_time: the order it reads past the result cap in
    return {"filter": conditions[0] if len(conditions) == 1 else {"and": conditions}}


def _rollup_relations(ds: dict[str, Any]) -> dict[str, str]:
    """Rollup property id -> the relation property id it reads."""
    return {prop["id"]: (prop.get("rollup") or {}).get("relation_property_id")
            for prop in ds.get("properties", {}).values() if prop["type"] == "rollup"}


class PageLoader:
    """A page's row and its property rows, reading in full what a page object cuts at 25.

    Rows are handed to dlt in batches: a hinted item costs dlt a table-schema computation,
    so one per page would spend more time there than in the requests.
    """

    BATCH_PAGES = 200

    def __init__(self, client: NotionClient, full_refresh: bool):
        self.client = client
        # Merging the values on page_id first deletes every stored value of a re-read page,
        # so a property removed in Notion disappears too.
        self.values_hints = dlt.mark.make_hints(
            table_name=PROPERTY_VALUES_TABLE, columns=PROPERTY_VALUE_COLUMNS,
            primary_key=["page_id", "property_id"], merge_key="page_id",
            write_disposition="replace" if full_refresh else {"disposition": "merge",
                                                              "strategy": "delete-insert"})
        self._pages: list[dict[str, Any]] = []
        self._values: list[dict[str, Any]] = []

    def rows(self, page: dict[str, Any], rollup_relations: dict[str, str]) -> Iterator[Any]:
        """Buffer the page row and its property values; yield a batch when one is full."""
        properties = page.get("properties", {})
        complete = self._complete_values(page["id"], properties, rollup_relations)
        self._pages.append(page_row(page))
        self._values.extend(property_rows(page["id"], properties, complete))
        if len(self._pages) >= self.BATCH_PAGES:
            yield from self.flush()

    def flush(self) -> Iterator[Any]:
        """The buffered page rows, then their property values."""
        if self._pages:
            yield self._pages
        if self._values:
            yield dlt.mark.with_hints(self._values, self.values_hints, create_table_variant=True)
        self._pages, self._values = [], []

    def _complete_values(self, page_id: str, properties: dict[str, dict[str, Any]],
                         rollup_relations: dict[str, str]) -> dict[str, Any]:
        """Lists past 25 references, and the rollups and formulas computed from them."""
        truncated = truncated_lists(properties)
        complete: dict[str, Any] = {pid: self.client.property_list(page_id, pid) for pid in truncated}
        for pid, kind in stale_computed(properties, truncated, rollup_relations):
            value = (self.client.rollup(page_id, pid) if kind == "rollup"
                     else self.client.formula(page_id, pid))
            if value is not None:
                complete[pid] = value
        return complete


def _changed_pages(client: NotionClient, loader: PageLoader, ds: dict[str, Any], state: dict, *,
                   full_refresh: bool, start: datetime, until: date | None,
                   overlap: timedelta, bounded: bool = False) -> Iterator[Any]:
    """Rows of the pages of one data source edited since its cursor; returns the ids read."""
    schema = _schema_digest(ds)
    # A new or retyped column shows on every page without touching last_edited_time,
    # so a schema change re-reads the whole data source once.
    reread = state.get("schema") not in (None, schema) and not full_refresh
    if reread:
        log.info("notion: %s changed its columns; re-reading all its pages", _label(ds))
    state["schema"] = schema
    cursor = OverlapCursor(state, overlap=overlap, start=start, full_refresh=full_refresh or reread,
                           label=f"notion {_label(ds)}")
    relations = _rollup_relations(ds)
    progress = Progress(f"notion {_title(ds)}")
    read: set[str] = set()
    # --since bounds a run the same way for every source: read from it, whatever the cursor
    read_from = start if bounded else cursor.read_from
    for page in client.query(ds["id"], changes_query(read_from, until), property_ids(ds)):
        digest = fingerprint([page.get("in_trash"), page.get("properties")])
        unchanged = cursor.seen_unchanged(page["id"], digest)
        cursor.observe(page["id"], _parse(page["last_edited_time"]), digest)
        read.add(page["id"])
        if unchanged:
            continue  # re-read only because of the minute-rounding overlap
        yield from loader.rows(page, relations)
        progress.add(1)
    yield from loader.flush()
    progress.done()
    cursor.commit()
    return read


def _swept_pages(client: NotionClient, loader: PageLoader, ds: dict[str, Any],
                 read: set[str], run: RunContext) -> Iterator[Any]:
    """Rows for pages trashed, archived, restored or hidden since the warehouse last saw them."""
    found = sweep(client, ds["id"], property_ids(ds), read, run)
    if found.gone:
        yield found.gone
    for page in found.reread:
        yield from loader.rows(page, _rollup_relations(ds))
    yield from loader.flush()


def _all_archived_pages(client: NotionClient, loader: PageLoader,
                        ds: dict[str, Any]) -> Iterator[Any]:
    """Rows for every archived page (a full refresh replaces the values with what it reads)."""
    _, pages = archived_pages(client, ds["id"], property_ids(ds), None)
    for page in pages:
        yield from loader.rows(page, _rollup_relations(ds))
    yield from loader.flush()


def pages_resource(client: NotionClient, selected: list[dict[str, Any]], *, full_refresh: bool,
                   start: datetime, until: date | None, overlap: timedelta,
                   sweep_hours: float, run: RunContext, bounded: bool = False) -> DltResource:
    """Every selected data source's changed pages, into one table, and their values."""

    def pages() -> Iterator[Any]:
        state = dlt.current.resource_state()
        now = datetime.now(UTC)
        loader = PageLoader(client, full_refresh)
        # a full refresh replaces the table with what it reads: nothing to compare
        sweeping = not full_refresh and sweep_due(state, sweep_hours, now)
        for ds in selected:
            ds_state = state.setdefault("data_sources", {}).setdefault(ds["id"], {})
            read = yield from _changed_pages(client, loader, ds, ds_state, full_refresh=full_refresh,
                                             start=start, until=until, overlap=overlap,
                                             bounded=bounded)
            if sweeping:
                yield from _swept_pages(client, loader, ds, read, run)
            elif full_refresh:
                yield from _all_archived_pages(client, loader, ds)
        if sweeping:
            mark_swept(state, now)

    return dlt.resource(pages, name=PAGES_TABLE, table_name=PAGES_TABLE, primary_key="page_id",
                        write_disposition="merge", columns=PAGE_COLUMNS)


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
    notion_version: str = "2026-03-11",
    data_sources: Any = None,
    periods: Any = None,
    roles: Any = None,
    initial_date: str = "2020-01-01",
    lookback_minutes: int = 2,
    trash_sweep_hours: float = 0,
    requests_per_minute: int = 180,
    requests_per_second: float | None = None,
    max_retries: int = 8,
    retry_after_max_seconds: float = 900,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
    run: Any = None,
) -> list[DltResource]:
    """Every selected Notion data source: its pages, their property values and its schema.

    ``data_sources`` lists titles or data source ids to load (default: every shared one);
    ``requests_per_minute`` is the connection's budget per 60-second window (180; 600 on Business
    and Enterprise); the older ``requests_per_second``, when set, is read as that times 60;
    ``trash_sweep_hours`` spaces out the trash sweep (0: every run); ``periods`` and ``roles``
    (title or id -> value) override the habit period and role read from each title. ``run`` is
    the run's context (the runner passes it; see ``pipelines.runtime.context``).
    """
    run = run_context(run, "notion")
    start = run_start("notion", since, initial_date)
    habit_roles = HabitRoles(periods, roles)
    budget = (int(requests_per_minute) if requests_per_second is None
              else max(1, int(float(requests_per_second) * 60)))
    client = NotionClient(base_url, api_key, notion_version, requests_per_minute=budget,
                          max_retries=int(max_retries), retry_after_max=float(retry_after_max_seconds),
                          metrics=run.metrics)
    selected = [with_whole_schema(client, ds)
                for ds in select_data_sources(client.data_sources(), data_sources, run)]
    log.info("notion: %d data sources: %s", len(selected), ", ".join(map(_label, selected)))
    habit_roles.warn_unmatched([(_title(ds), ds["id"]) for ds in selected])
    schema_rows = [row for ds in selected for row in property_schema_rows(ds)]
    source_rows = [data_source_row(ds, habit_roles.describe(_title(ds), ds["id"])) for ds in selected]
    return [
        dlt.resource(_when_changed(source_rows, full_refresh),
                     name=DATA_SOURCES_TABLE, primary_key="data_source_id",
                     write_disposition="merge", columns=DATA_SOURCE_COLUMNS),
        dlt.resource(_when_changed(schema_rows, full_refresh),
                     name=DATA_SOURCE_PROPERTIES_TABLE,
                     primary_key=["data_source_id", "property_id"], write_disposition="merge"),
        pages_resource(client, selected, full_refresh=full_refresh, start=start, until=until,
                       overlap=timedelta(minutes=int(lookback_minutes)),
                       sweep_hours=float(trash_sweep_hours), run=run,
                       bounded=since is not None),
    ]
