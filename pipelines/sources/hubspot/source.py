"""HubSpot CRM (contacts, companies, six engagement types, their associations) as a dlt source.

Objects, properties and associations come from ``objects.yml`` beside this module.

- Every call uses HubSpot's date-versioned paths (``api_version``, default 2026-09: ``paths.py``).
- A full refresh (or a first run) reads every record through the list endpoint and every
  association through the association batch read, 1,000 ids a request. Records last modified
  before ``initial_date`` (or ``--since``) or from ``--until`` on are not loaded.
- An incremental run searches each object type for ``last-modified >= cursor - look-back``,
  paged by key (``search.py``); records re-read inside the overlap and unchanged are skipped
  (``OverlapCursor``), so a quiet run loads nothing. Associations of changed records are read
  in the same run.
- Deletions (archived and merged-away records) and the association sweep are found by
  comparing with the warehouse (``deletions.py``).
- A 403 (a scope the Service Key lacks) skips that object, or that association pair, with a
  warning naming the scope in the run summary; the rest loads.
- Every property the objects file lists is declared to dlt as a text column of its table, for
  every object type sharing the table, so a table has all its columns from its first load even
  when an engagement type has no records or cannot be read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt
from dlt.sources import DltResource

from pipelines.runtime.context import RunContext, run_context
from pipelines.runtime.dates import day_start, mark_swept, run_start, sweep_due
from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.overlap import OverlapCursor, fingerprint
from pipelines.runtime.prefetch import prefetched
from pipelines.runtime.progress import Progress
from pipelines.sources.hubspot.client import MAX_BATCH_INPUTS, HubSpotClient, MissingScopes
from pipelines.sources.hubspot.deletions import HubSpotDeletions, associations_stored
from pipelines.sources.hubspot.objects import OBJECTS_FILE, ObjectRun, ObjectSpec, load_objects
from pipelines.sources.hubspot.objects_check import check_objects_file
from pipelines.sources.hubspot.paths import DEFAULT_API_VERSION
from pipelines.sources.hubspot.rows import (
    RECORD_FIELDS,
    AssociationTable,
    RecordTable,
    declared_properties,
    merged_ids,
    record_row,
)
from pipelines.sources.hubspot.search import record_at

log = logging.getLogger("prp.hubspot")
READS_AHEAD = 2  # association batch reads in flight beside the pages (each up to 1,000 ids)


class HubSpotSync(HubSpotDeletions):
    """One run over the configured objects: settings, client, the sync of each object type."""

    def __init__(self, client: HubSpotClient, *, full_refresh: bool, start: datetime,
                 until: datetime | None, since_given: bool, lookback_minutes: float,
                 search_page_size: int, association_batch_size: int,
                 association_sweep_hours: float, discover_properties: bool,
                 run: RunContext, count_check: bool = True, specs: list[ObjectSpec] = ()):
        self.client = client
        self.declared = declared_properties(specs)  # table -> every property the file lists
        self.context = run  # the run's context (ObjectRun is one object type's)
        self.full_refresh = full_refresh
        self.count_check = count_check
        self.start = start
        self.until = until
        self.since_given = since_given
        self.lookback = timedelta(minutes=float(lookback_minutes))
        self.page_size = max(1, min(int(search_page_size), 200))
        self.batch = max(1, min(int(association_batch_size), MAX_BATCH_INPUTS))
        self.sweep_hours = float(association_sweep_hours)
        self.discover = bool(discover_properties)
        self.denied: set[tuple[str, str]] = set()  # association pairs a 403 ruled out

    def disposition(self) -> Any:
        return "replace" if self.full_refresh else "merge"

    def properties(self, spec: ObjectSpec) -> list[str]:
        names = list(spec.properties)
        if self.discover or spec.discover_properties:
            names = self.client.property_names(spec.object_type)
        wanted = [*spec.required_properties(), *names]
        return [n for i, n in enumerate(wanted) if n not in RECORD_FIELDS and n not in wanted[:i]]

    # one object type ----------------------------------------------------------------------
    def sync(self, spec: ObjectSpec, state: dict[str, Any]) -> Iterator[Any]:
        """Changed records of one type, their associations, deletions, the sweep when due.

        A missing scope skips the object with a warning; its cursor does not move.
        """
        try:
            yield from self._sync(spec, state)
        except MissingScopes as exc:
            self.context.warn(log, f"hubspot: skipped {spec.object_type}: the key lacks "
                              f"{_scopes_text(exc)}; tick it on the Service Key (HubSpot > "
                              "Development > Keys > Service keys) to load them")

    def _sync(self, spec: ObjectSpec, state: dict[str, Any]) -> Iterator[Any]:
        properties = self.properties(spec)
        cursor = OverlapCursor(state, overlap=self.lookback, start=self.start,
                               full_refresh=self.full_refresh, label=f"hubspot {spec.object_type}")
        columns = [*properties, *self.declared.get(spec.table, ())]
        run = ObjectRun(spec, properties, RecordTable(spec.table, columns, self.disposition()),
                        cursor, Progress(f"hubspot {spec.object_type}"),
                        links={to: AssociationTable(spec, to, self.disposition())
                               for to in spec.associations},
                        emitted={to: set() for to in spec.associations})
        listing = self.full_refresh or not cursor.has_cursor
        # the next page is read while this one's rows are made, and association batches are
        # read beside both (their answers taken in order)
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prp-hubspot-associations")
        try:
            for page in prefetched(self._changed_pages(run, listing), name="prp-hubspot-pages"):
                yield from self._load_page(run, page, reader)
            if run.pending:
                run.reads.append(reader.submit(self._read_all, run.spec, run.pending))
            run.pending = []
            yield from self._take_reads(run, every=True)
        finally:
            reader.shutdown(wait=False, cancel_futures=True)  # a failed run stops asking
        if listing or sweep_due(state, self.sweep_hours, datetime.now(UTC), key="last_sweep") \
                or not associations_stored(spec):
            yield from self.archived(run)
            if not listing:
                yield from self.association_sweep(run)
            if self.count_check:  # on the sweep's schedule: a quiet run reads only the data
                yield from self.reconcile_count(run)
            mark_swept(state, datetime.now(UTC), key="last_sweep")
        yield from run.table.flush()  # every row handed to dlt before the cursor moves
        for links in run.links.values():
            yield from links.flush()
        run.progress.done()
        cursor.commit()

    def _changed_pages(self, run: ObjectRun, listing: bool) -> Iterator[list[dict[str, Any]]]:
        spec = run.spec
        if listing:
            log.info("hubspot: %s: reading every record (list endpoint)", spec.object_type)
            yield from self.client.list_pages(spec.object_type, run.properties)
            return
        since = self.start if self.since_given else run.cursor.read_from
        log.info("hubspot: %s: searching changes since %s", spec.object_type, since.isoformat())
        yield from self.client.search_pages(
            spec.object_type, spec.cursor_property, run.properties, _ms(since),
            _ms(self.until) if self.until else None, self.page_size)

    def _in_window(self, at: datetime) -> bool:
        return at >= self.start and (self.until is None or at < self.until)

    def _load_page(self, run: ObjectRun, page: list[dict[str, Any]],
                   reader: ThreadPoolExecutor) -> Iterator[Any]:
        """Rows for the new or changed records of one page, then what they imply; each full
        batch of ids has its associations read by ``reader``."""
        rows, survivors = [], []
        for record in page:
            rid = str(record["id"])
            at = record_at(record, run.spec.cursor_property)
            if not self._in_window(at):  # the list endpoint cannot filter by date
                continue
            fp = fingerprint([record.get("updatedAt"), record.get("properties")])
            run.cursor.observe(rid, at, fp)
            if run.cursor.seen_unchanged(rid, fp):
                continue  # read last run inside the overlap, unchanged
            rows.append(record_row(record, run.spec, run.properties))
            run.pending.append(rid)
            (run.gone if record.get("archived") else run.loaded).add(rid)
            if merged_ids(record):
                survivors.append(record)
        if rows:
            run.progress.add(len(rows))
            yield from run.table.add(rows)
        if survivors:
            yield from self.absorbed(run, survivors)
        while len(run.pending) >= self.batch:
            chunk, run.pending = run.pending[:self.batch], run.pending[self.batch:]
            run.reads.append(reader.submit(self._read_all, run.spec, chunk))
        yield from self._take_reads(run)

    def _take_reads(self, run: ObjectRun, every: bool = False) -> Iterator[Any]:
        """Association reads that have answered, in the order they were asked (``every``:
        wait for all); at most ``READS_AHEAD`` stay in flight."""
        while run.reads and (every or run.reads[0].done() or len(run.reads) > READS_AHEAD):
            yield from self._take_associations(run, run.reads.popleft().result())

    # associations -------------------------------------------------------------------------
    def _read_associations(self, spec: ObjectSpec, to_type: str,
                           ids: list[str]) -> dict[str, list[str]] | None:
        """Associations of up to 1,000 ids; ``None`` once a 403 has ruled the pair out."""
        pair = (spec.object_type, to_type)
        if pair in self.denied:
            return None
        try:
            return self.client.associations(spec.object_type, to_type, ids)
        except MissingScopes as exc:
            self.denied.add(pair)
            self.context.warn(log, f"hubspot: skipped {spec.object_type}->{to_type} associations: "
                              f"the key lacks {_scopes_text(exc)}")
            return None

    def _read_all(self, spec: ObjectSpec, ids: list[str]) -> dict[str, dict[str, list[str]] | None]:
        """to type -> the associations of ``ids`` (``None`` for a pair a 403 ruled out)."""
        return {to_type: self._read_associations(spec, to_type, ids)
                for to_type in spec.associations}

    def _take_associations(self, run: ObjectRun,
                           read: dict[str, dict[str, list[str]] | None]) -> Iterator[Any]:
        """Rows for associations read (``_read_all``) of records loaded in this run."""
        for to_type, found in read.items():
            if found is None:
                continue
            run.emitted[to_type].update(found)
            yield from run.links[to_type].add(found)

# helpers ----------------------------------------------------------------------------------
def _scopes_text(exc: MissingScopes) -> str:
    if exc.scopes:
        return ("the scope " if len(exc.scopes) == 1 else "the scopes ") + ", ".join(exc.scopes)
    return f"a permission (HubSpot answered 403: {exc})"


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


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
    api_version: str = DEFAULT_API_VERSION,
    objects_file: str = "",
    initial_date: str = "2020-01-01",
    lookback_minutes: float = 10,
    requests_per_10s: int = 100,
    search_requests_per_second: float = 5.0,
    search_page_size: int = 200,
    association_batch_size: int = 1_000,
    association_sweep_hours: float = 20,
    discover_properties: bool = False,
    max_properties_url_chars: int = 2_000,
    retry_backoff_seconds: float = 1.0,
    search_retry_window_seconds: float = 1.0,
    max_retries: int = 8,
    count_check: bool = True,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
    objects_check_record: str = "",
    run: Any = None,
) -> list[DltResource]:
    """Contacts, companies and engagements with their associations.

    ``initial_date`` (or ``since``) is where a first or full run starts; ``since``/``until``
    bound any run (``until`` inclusive). The objects file is checked against the account's
    properties before anything is read (``objects_check``); ``objects_check_record`` is where
    the runner keeps the digest of the file that last passed; ``run`` is the run's context (the
    runner passes it; see ``pipelines.runtime.context``).
    """
    run = run_context(run, "hubspot")
    objects, engagements = load_objects(objects_file or None)
    if not objects and not engagements:
        raise ConfigurationError("the HubSpot objects file lists no objects to sync")
    client = HubSpotClient(
        base_url, api_key, requests_per_10s=int(requests_per_10s),
        search_requests_per_second=float(search_requests_per_second),
        backoff_base=float(retry_backoff_seconds),
        max_properties_url_chars=int(max_properties_url_chars),
        search_retry_window=float(search_retry_window_seconds), max_retries=int(max_retries),
        metrics=run.metrics, api_version=api_version)
    check_objects_file(client, [*objects, *engagements], Path(objects_file or OBJECTS_FILE),
                       Path(objects_check_record) if objects_check_record else None)
    sync = HubSpotSync(
        client, full_refresh=full_refresh, start=run_start("hubspot", since, initial_date),
        until=day_start(until) + timedelta(days=1) if until else None,
        since_given=since is not None, lookback_minutes=lookback_minutes,
        search_page_size=search_page_size, association_batch_size=association_batch_size,
        association_sweep_hours=association_sweep_hours,
        discover_properties=discover_properties, run=run, count_check=bool(count_check),
        specs=[*objects, *engagements])
    resources = [_resource(sync, spec.object_type, [spec]) for spec in objects]
    if engagements:
        resources.append(_resource(sync, "engagements", engagements))
    return resources
