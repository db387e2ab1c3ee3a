"""How HubSpot deletions are found: by comparing with the warehouse, never with ids in dlt state.

- Archived records (the list endpoint with ``archived=true``, read on a first or full run and
  whenever the sweep is due) are loaded with ``is_deleted`` unless the warehouse already holds
  them so.
- Records a merge absorbed never show as archived: a survivor lists them in
  ``hs_merged_object_ids``; those the warehouse still holds live are marked deleted, with
  ``merged_into``, and their association sets are cleared.
- Merging two records makes a new one with a new id, whose ``hs_merged_object_ids`` lists
  both old ids: both are marked deleted, ``merged_into`` the new record, which loads as new.
- Some deletions leave no trace HubSpot lists: a record archived more than 90 days ago drops out
  of ``archived=true``, and a GDPR deletion is gone at once. On the sweep's schedule, search's
  ``total`` (one request per type) is compared with what the warehouse will hold; only when
  they differ, an id-only listing of that type finds the stored live records HubSpot no longer
  has, and they are marked deleted. The total is the run's completeness expectation.
- The sweep (``association_sweep_hours``) re-reads the associations of every record the warehouse
  holds live and loads those that differ: HubSpot does not move a record's last-modified time
  when only its associations change.

``HubSpotDeletions`` is the deletion side of ``source.HubSpotSync``: it reads the run's bounds
(``full_refresh``, ``batch``, ``_in_window``) and its association reader from the sync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pipelines.runtime.warehouse import stored_columns, stored_records, stored_rows, stored_values
from pipelines.sources.hubspot.objects import ObjectRun, ObjectSpec, id_order
from pipelines.sources.hubspot.rows import (
    absorbed_row,
    association_columns,
    merged_ids,
    record_row,
    vanished_row,
)
from pipelines.sources.hubspot.search import record_at

log = logging.getLogger("prp.hubspot")

LIVE = "object_type = %s and not coalesce(is_deleted, false)"  # the warehouse's live records


class HubSpotDeletions:
    """Archived and merged-away records, and the association sweep, for one object type."""

    full_refresh: bool
    batch: int
    client: Any  # HubSpotClient
    context: Any  # the run's RunContext

    def absorbed(self, run: ObjectRun, survivors: list[dict[str, Any]]) -> Iterator[Any]:
        """Records a merge absorbed that the warehouse still holds live: marked deleted."""
        survivor_of = {absorbed: s for s in survivors for absorbed in merged_ids(s)}
        stored = stored_live_records(run.spec.table, run.spec.object_type, sorted(survivor_of))
        rows = [absorbed_row(row, survivor_of[str(row["id"])]) for row in stored]
        if rows:
            log.info("hubspot: %s: %d records merged away", run.spec.object_type, len(rows))
            yield from self._mark_gone(run, rows)

    def _mark_gone(self, run: ObjectRun, rows: list[dict[str, Any]]) -> Iterator[Any]:
        """Load stored rows now marked deleted, and clear their association sets."""
        ids = [str(row["id"]) for row in rows]
        run.gone.update(ids)
        run.progress.add(len(rows))
        yield from run.table.add(rows)
        for to_type in run.spec.associations:  # a deleted record has no associations
            run.emitted[to_type].update(ids)
            yield from run.links[to_type].add({i: [] for i in ids})

    def reconcile_count(self, run: ObjectRun) -> Iterator[Any]:
        """Search's total against what the warehouse will hold after this run; on a difference,
        the stored live records an id-only listing no longer shows are marked deleted."""
        spec = run.spec
        total = self.client.search_total(spec.object_type)
        stored = set() if self.full_refresh else stored_values(spec.table, "id", LIVE,
                                                               (spec.object_type,))
        held = (stored | run.loaded) - run.gone
        if total != len(held):
            listed = self.client.list_ids(spec.object_type)
            vanished = sorted(stored - run.loaded - run.gone - listed, key=id_order)
            log.info("hubspot: %s: search counts %d, the warehouse would hold %d; the id listing "
                     "has %d, %d stored records are gone from HubSpot", spec.object_type, total,
                     len(held), len(listed), len(vanished))
            when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            rows = [vanished_row(row, when)
                    for row in stored_live_records(spec.table, spec.object_type, vanished)]
            if rows:
                yield from self._mark_gone(run, rows)
        self.context.expect(spec.table, spec.object_type, total, LIVE, (spec.object_type,))

    def archived(self, run: ObjectRun) -> Iterator[Any]:
        """Archived records the warehouse does not hold as deleted yet (all on a full refresh)."""
        spec = run.spec
        marked = set() if self.full_refresh else stored_values(
            spec.table, "id", "object_type = %s and is_deleted", (spec.object_type,))
        for page in self.client.list_pages(spec.object_type, run.properties, archived=True):
            rows = []
            for record in page:
                rid = str(record["id"])
                at = record_at(record, spec.cursor_property)
                if rid in marked or not self._in_window(at):
                    continue
                run.gone.add(rid)
                rows.append(record_row(record, spec, run.properties))
            if rows:
                run.progress.add(len(rows))
                yield from run.table.add(rows)

    def association_sweep(self, run: ObjectRun) -> Iterator[Any]:
        """Re-read the associations of every record the warehouse holds live; load those that
        differ from what it stores."""
        spec = run.spec
        live = stored_values(spec.table, "id", LIVE, (spec.object_type,)) - run.gone
        for to_type in spec.associations:
            ids = sorted(live - run.emitted[to_type], key=id_order)
            stored = stored_associations(spec, to_type)
            changed = 0
            for start in range(0, len(ids), self.batch):
                found = self._read_associations(spec, to_type, ids[start:start + self.batch])
                if found is None:
                    break
                fresh = {k: v for k, v in found.items() if set(v) != stored.get(k, set())}
                changed += len(fresh)
                if fresh:
                    yield from run.links[to_type].add(fresh)
            log.info("hubspot: %s->%s sweep: %d of %d records changed", spec.object_type,
                     to_type, changed, len(ids))


def stored_live_records(table: str, object_type: str, ids: list[str]) -> list[dict[str, Any]]:
    """Stored live rows of ``ids``, a few hundred ids a query."""
    out: list[dict[str, Any]] = []
    for begin in range(0, len(ids), 500):
        chunk = ids[begin:begin + 500]
        out += stored_records(table, f"{LIVE} and id in ({', '.join(['%s'] * len(chunk))})",
                              (object_type, *chunk))
    return out


def associations_stored(spec: ObjectSpec) -> bool:
    """Whether no association table of ``spec`` holds sets as nested lists (as loaded before
    pairs): when one does, the sweep is due now and loads every stored record's set again."""
    for to_type in spec.associations:
        columns = stored_columns(spec.associations[to_type])
        if columns is not None and association_columns(spec, to_type)[1] not in columns:
            return False
    return True


def stored_associations(spec: ObjectSpec, to_type: str) -> dict[str, set[str]]:
    """What the warehouse holds for one association table: from id -> to ids."""
    from_col, to_col = association_columns(spec, to_type)
    out: dict[str, set[str]] = {}
    if to_col not in (stored_columns(spec.associations[to_type]) or ()):
        return out  # never loaded, or sets stored as nested lists: every set loads as pairs
    for from_id, to_id in stored_rows(spec.associations[to_type], f"{from_col}, {to_col}",
                                      "object_type = %s", (spec.object_type,)):
        found = out.setdefault(str(from_id), set())
        if to_id is not None:  # a row without one: the set is empty
            found.add(str(to_id))
    return out
