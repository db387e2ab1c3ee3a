"""HubSpot CRM (contacts, companies, six engagement types, their associations) as a dlt source.

Objects, properties and associations come from ``pipelines/hubspot_objects.yml``.

- A full refresh (or a first run) reads every record through the list endpoint, which has no
  result cap, and every association through the v4 batch endpoint, 1,000 ids a request.
- An incremental run searches each object type for ``last-modified >= cursor - look-back``,
  sorted ascending, re-anchoring past the 10,000-results cap (``hubspot_search``); records
  re-read inside the overlap and unchanged are skipped, so a quiet run loads nothing.
  Associations of changed records are read in the same run.
- Archived records never appear in search; the periodic sweep (``association_sweep_hours``)
  lists archived records (loaded with ``is_deleted``/``deleted_at``) and re-reads every
  association, loading only batches that changed: HubSpot does not move a record's
  last-modified time when only its associations change.
- Raw tables: ``hubspot__contacts``, ``hubspot__companies``, ``hubspot__engagements`` (with
  ``object_type``) hold one text column per property; association tables
  (``hubspot__engagement_contacts`` ...) hold one row per from-record with its to-ids in a
  nested table, so re-reading a record replaces its whole association set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.sources import DltResource

from pipelines.common.errors import ConfigurationError
from pipelines.common.progress import Progress
from pipelines.common.runner import RunWindow, run_source
from pipelines.hubspot_api import HubSpotClient
from pipelines.hubspot_search import changed_records, to_ms
from pipelines.hubspot_state import (
    SINGULAR,
    ObjectSpec,
    decode_ids,
    digest,
    encode_ids,
    id_order,
    load_objects,
)

log = logging.getLogger("prp.hubspot")

RECORD_FIELDS = {
    "id": {"data_type": "text", "nullable": False},
    "object_type": {"data_type": "text"},
    "created_at": {"data_type": "text"},
    "updated_at": {"data_type": "text"},
    "is_deleted": {"data_type": "bool"},
    "deleted_at": {"data_type": "text"},
}


class HubSpotSync:
    """One run over the configured objects: settings, client, table hints."""

    def __init__(self, client: HubSpotClient, *, full_refresh: bool, since: date | None,
                 until: date | None, lookback_minutes: float, search_page_size: int,
                 search_result_cap: int, association_batch_size: int,
                 association_sweep_hours: float, discover_properties: bool):
        self.client = client
        self.full_refresh = full_refresh
        self.since_ms = _day_ms(since) if since else None
        self.until_ms = _day_ms(until + timedelta(days=1)) if until else None
        self.lookback_ms = int(float(lookback_minutes) * 60_000)
        self.page_size = max(1, min(int(search_page_size), 200))
        self.cap = int(search_result_cap)
        self.batch = max(1, min(int(association_batch_size), 1000))
        self.sweep_hours = float(association_sweep_hours)
        self.discover = bool(discover_properties)

    # properties and hints -----------------------------------------------------------------
    def properties(self, spec: ObjectSpec) -> list[str]:
        names = list(spec.properties)
        if self.discover or spec.discover_properties:
            names = self.client.property_names(spec.object_type)
        wanted = [*spec.required_properties(), *names]
        return [n for i, n in enumerate(wanted) if n not in RECORD_FIELDS and n not in wanted[:i]]

    def _disposition(self) -> Any:
        return "replace" if self.full_refresh else "merge"

    def record_hints(self, table: str, properties: list[str]):
        columns = {**RECORD_FIELDS, **{p: {"data_type": "text"} for p in properties}}
        return dlt.mark.make_hints(table_name=table, primary_key="id", columns=columns,
                                   write_disposition=self._disposition())

    def association_hints(self, spec: ObjectSpec, to_type: str):
        from_col = f"{SINGULAR[spec.object_type]}_id"
        columns = {from_col: {"data_type": "text", "nullable": False},
                   "object_type": {"data_type": "text"}}
        return dlt.mark.make_hints(table_name=spec.associations[to_type], primary_key=from_col,
                                   columns=columns, write_disposition=self._disposition())

    # rows ---------------------------------------------------------------------------------
    @staticmethod
    def record_row(record: dict[str, Any], spec: ObjectSpec, properties: list[str]) -> dict:
        values = record.get("properties") or {}
        row: dict[str, Any] = {"id": str(record["id"]), "object_type": spec.object_type}
        row.update({name: values.get(name) for name in properties})
        row.update(created_at=record.get("createdAt"), updated_at=record.get("updatedAt"),
                   is_deleted=bool(record.get("archived", False)),
                   deleted_at=record.get("archivedAt"))
        return row

    def association_rows(self, spec: ObjectSpec, to_type: str,
                         found: dict[str, list[str]]) -> list[dict[str, Any]]:
        from_col, to_col = f"{SINGULAR[spec.object_type]}_id", f"{SINGULAR[to_type]}_ids"
        return [{from_col: from_id, "object_type": spec.object_type, to_col: to_ids}
                for from_id, to_ids in sorted(found.items(), key=lambda kv: id_order(kv[0]))]

    # one object type ----------------------------------------------------------------------
    def sync(self, spec: ObjectSpec, state: dict[str, Any]) -> Iterator[Any]:
        """Changed records of one type, their associations, and the sweep when it is due."""
        properties = self.properties(spec)
        record_hints = self.record_hints(spec.table, properties)
        listing = self.full_refresh or "cursor_ms" not in state
        cursor = None if listing else int(state["cursor_ms"])
        boundary: dict[str, int] = {} if listing else dict(state.get("boundary", {}))
        live = set() if listing else decode_ids(state.get("ids"))
        archived = set() if listing else set(state.get("archived", []))
        digests: dict[str, dict[str, str]] = {} if listing else state.get("digests", {})
        emitted: dict[str, set[str]] = {to: set() for to in spec.associations}
        read_at: dict[str, int] = {}
        pending: list[str] = []
        newest = cursor
        progress = Progress(f"hubspot {spec.object_type}")

        if listing:
            log.info("hubspot: %s: reading every record (list endpoint)", spec.object_type)
            pages: Iterator[list[dict]] = self.client.list_pages(spec.object_type, properties)
        else:
            since = self.since_ms if self.since_ms is not None else cursor - self.lookback_ms
            found = changed_records(
                lambda body: self.client.search(spec.object_type, body), spec.cursor_property,
                properties, since, self.until_ms, page_size=self.page_size, cap=self.cap)
            pages = _chunks(found, self.page_size)
        for page in pages:
            rows = []
            for record in page:
                rid, ts = str(record["id"]), _record_ms(record, spec.cursor_property)
                newest = ts if newest is None else max(newest, ts)
                read_at[rid] = ts
                if boundary.get(rid) == ts:
                    continue  # read before, unchanged: only inside the look-back overlap
                rows.append(self.record_row(record, spec, properties))
                live.add(rid)
                archived.discard(rid)
                pending.append(rid)
            if rows:
                progress.add(len(rows))
                yield dlt.mark.with_hints(rows, record_hints, create_table_variant=True)
            while len(pending) >= self.batch:
                chunk, pending = pending[:self.batch], pending[self.batch:]
                yield from self._associations(spec, chunk, emitted, digests if listing else None)
        if pending:
            yield from self._associations(spec, pending, emitted, digests if listing else None)

        if listing or self._sweep_due(state):
            yield from self._archived(spec, properties, record_hints, live, archived, progress)
            if not listing:
                yield from self._sweep(spec, live, emitted, digests)
            state["last_sweep"] = datetime.now(UTC).isoformat()
        progress.done()

        if newest is not None:
            state["cursor_ms"] = newest
            edge = newest - self.lookback_ms
            state["boundary"] = {i: t for i, t in {**boundary, **read_at}.items() if t >= edge}
        state["ids"] = encode_ids(live)
        state["archived"] = sorted(archived, key=id_order)
        state["digests"] = digests

    def _sweep_due(self, state: dict[str, Any]) -> bool:
        last = state.get("last_sweep")
        if self.sweep_hours <= 0 or not last:
            return True
        return datetime.now(UTC) - datetime.fromisoformat(last) >= timedelta(
            hours=self.sweep_hours)

    def _associations(self, spec: ObjectSpec, ids: list[str], emitted: dict[str, set[str]],
                      digests: dict[str, dict[str, str]] | None) -> Iterator[Any]:
        """Associations of one batch of records, every configured to-type."""
        for to_type in spec.associations:
            found = self.client.associations(spec.object_type, to_type, ids, self.batch)
            if digests is not None:  # a listing reads batches exactly as the sweep will
                digests.setdefault(to_type, {})[ids[0]] = digest(found)
            emitted[to_type].update(found)
            yield dlt.mark.with_hints(self.association_rows(spec, to_type, found),
                                      self.association_hints(spec, to_type),
                                      create_table_variant=True)

    def _archived(self, spec: ObjectSpec, properties: list[str], hints: Any, live: set[str],
                  archived: set[str], progress: Progress) -> Iterator[Any]:
        """Archived records not yet marked as such, as rows with ``is_deleted``."""
        for page in self.client.list_pages(spec.object_type, properties, archived=True):
            rows = []
            for record in page:
                rid = str(record["id"])
                live.discard(rid)
                if rid not in archived:
                    archived.add(rid)
                    rows.append(self.record_row(record, spec, properties))
            if rows:
                progress.add(len(rows))
                yield dlt.mark.with_hints(rows, hints, create_table_variant=True)

    def _sweep(self, spec: ObjectSpec, live: set[str], emitted: dict[str, set[str]],
               digests: dict[str, dict[str, str]]) -> Iterator[Any]:
        """Re-read every live record's associations; load the batches that changed."""
        ordered = sorted(live, key=id_order)
        for to_type in spec.associations:
            old, new = digests.get(to_type, {}), {}
            changed = 0
            for start in range(0, len(ordered), self.batch):
                chunk = ordered[start:start + self.batch]
                found = self.client.associations(spec.object_type, to_type, chunk, self.batch)
                new[chunk[0]] = digest(found)
                if old.get(chunk[0]) == new[chunk[0]]:
                    continue
                fresh = {k: v for k, v in found.items() if k not in emitted[to_type]}
                changed += len(fresh)
                if fresh:
                    yield dlt.mark.with_hints(self.association_rows(spec, to_type, fresh),
                                              self.association_hints(spec, to_type),
                                              create_table_variant=True)
            digests[to_type] = new
            log.info("hubspot: %s->%s sweep: %d records in changed batches", spec.object_type,
                     to_type, changed)


def _record_ms(record: dict[str, Any], cursor_property: str) -> int:
    return to_ms((record.get("properties") or {}).get(cursor_property)) or \
        to_ms(record.get("updatedAt")) or 0


def _day_ms(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), UTC).timestamp() * 1000)


def _chunks(items: Iterator[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _resource(sync: HubSpotSync, name: str, specs: list[ObjectSpec]) -> DltResource:
    def records() -> Iterator[Any]:
        state = dlt.current.resource_state()
        for spec in specs:
            yield from sync.sync(spec, state.setdefault(spec.object_type, {}))
    return dlt.resource(records, name=name, write_disposition="merge")


@dlt.source(name="hubspot", max_table_nesting=1, root_key=True)
def hubspot_source(
    api_key: str = dlt.secrets.value,
    base_url: str = dlt.config.value,
    objects_file: str = "",
    lookback_minutes: float = 10,
    requests_per_10s: int = 100,
    search_requests_per_second: float = 4.0,
    search_page_size: int = 200,
    search_result_cap: int = 10_000,
    association_batch_size: int = 1_000,
    association_sweep_hours: float = 20,
    discover_properties: bool = False,
    max_properties_url_chars: int = 2_000,
    retry_backoff_seconds: float = 1.0,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[DltResource]:
    """Contacts, companies and engagements with their associations."""
    objects, engagements = load_objects(objects_file or None)
    if not objects and not engagements:
        raise ConfigurationError("the HubSpot objects file lists no objects to sync")
    if full_refresh and (since or until):
        log.info("hubspot: a full refresh reads every record; --since/--until bound "
                 "incremental runs only")
    client = HubSpotClient(
        base_url, api_key, requests_per_10s=int(requests_per_10s),
        search_requests_per_second=float(search_requests_per_second),
        backoff_base=float(retry_backoff_seconds),
        max_properties_url_chars=int(max_properties_url_chars))
    sync = HubSpotSync(
        client, full_refresh=full_refresh, since=since, until=until,
        lookback_minutes=lookback_minutes, search_page_size=search_page_size,
        search_result_cap=search_result_cap, association_batch_size=association_batch_size,
        association_sweep_hours=association_sweep_hours,
        discover_properties=discover_properties)
    resources = [_resource(sync, spec.object_type, [spec]) for spec in objects]
    if engagements:
        resources.append(_resource(sync, "engagements", engagements))
    return resources


def refresh_hubspot(is_incremental: bool | None = None, pipeline: dlt.Pipeline | None = None,
                    initial_date: date | None = None, end_date: date | None = None) -> LoadInfo:
    """Load HubSpot into the raw dataset (incremental unless told otherwise)."""
    def make(window: RunWindow):
        return hubspot_source(full_refresh=window.full_refresh, since=window.initial_date,
                              until=window.end_date)
    return run_source("hubspot", make, is_incremental=is_incremental, pipeline=pipeline,
                      initial_date=initial_date, end_date=end_date)


if __name__ == "__main__":
    refresh_hubspot()
