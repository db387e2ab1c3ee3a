"""HubSpot records and associations -> raw rows, and the table hints they load with.

- Records: one text column per property plus ``id``, ``object_type``, ``created_at``,
  ``updated_at``, ``is_deleted``, ``deleted_at`` and ``merged_into`` (the survivor, when a
  merge absorbed the record).
- Associations: one row per (from-record, to-record) pair, merged on the from-record's id
  (``merge_key``, delete-insert): re-reading a record replaces its whole association set. A
  record with none has one row with no to-id, so that an emptied set clears the old pairs.

Both go to dlt as Arrow tables (``tables.py``), so dlt's row-by-row normalize step is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

from pipelines.sources.hubspot.objects import MERGED_IDS_PROPERTY, SINGULAR, ObjectSpec
from pipelines.sources.hubspot.tables import (
    arrow_schema,
    load_id,
    root_table,
    with_dlt_columns,
)

RECORD_FIELDS = {
    "id": {"data_type": "text", "nullable": False},
    "object_type": {"data_type": "text"},
    "created_at": {"data_type": "text"},
    # a record edited while it is being read comes twice in one run: the newest version wins
    "updated_at": {"data_type": "text", "dedup_sort": "desc"},
    "is_deleted": {"data_type": "bool"},
    "deleted_at": {"data_type": "text"},
    "merged_into": {"data_type": "text"},
}


def record_row(record: dict[str, Any], spec: ObjectSpec, properties: list[str]) -> dict:
    """One raw row for a live or archived record."""
    values = record.get("properties") or {}
    row: dict[str, Any] = {"id": str(record["id"]), "object_type": spec.object_type}
    row.update({name: values.get(name) for name in properties})
    row.update(created_at=record.get("createdAt"), updated_at=record.get("updatedAt"),
               is_deleted=bool(record.get("archived", False)),
               deleted_at=record.get("archivedAt"), merged_into=None)
    return row


def merged_ids(record: dict[str, Any]) -> list[str]:
    """The ids a merge absorbed into this record (``hs_merged_object_ids``, ``a;b``)."""
    value = (record.get("properties") or {}).get(MERGED_IDS_PROPERTY) or ""
    return [part.strip() for part in str(value).split(";") if part.strip()]


def absorbed_row(stored: dict[str, Any], survivor: dict[str, Any]) -> dict[str, Any]:
    """The stored row of a record a merge absorbed, now deleted and pointing at the survivor."""
    return {**stored, "is_deleted": True, "deleted_at": survivor.get("updatedAt"),
            "merged_into": str(survivor["id"])}


def vanished_row(stored: dict[str, Any], found_at: str) -> dict[str, Any]:
    """The stored row of a record HubSpot no longer has at all, now deleted (when found)."""
    return {**stored, "is_deleted": True, "deleted_at": found_at, "merged_into": None}


def association_columns(spec: ObjectSpec, to_type: str) -> tuple[str, str]:
    """(from-id column, to-id column) of an association table."""
    return f"{SINGULAR[spec.object_type]}_id", f"{SINGULAR[to_type]}_id"


def declared_properties(specs: list[ObjectSpec]) -> dict[str, list[str]]:
    """table -> every property the objects file reads into it, over all the object types that
    share it (the engagement types), so each is declared whichever type has rows."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        names = out.setdefault(spec.table, [])
        names += [n for n in dict.fromkeys([*spec.required_properties(), *spec.properties])
                  if n not in RECORD_FIELDS and n not in names]
    return out


class RecordTable:
    """A record table's hints and Arrow schema: every property a text column, merged on ``id``.

    Rows are handed to dlt in tables of ``BATCH_ROWS``: dlt computes and validates a table
    schema for every hinted item (about 15 ms), which a table per page of 100 records made a
    third of a limits-off run.
    """

    BATCH_ROWS = 5_000

    def __init__(self, table: str, properties: list[str], disposition: Any):
        columns = with_dlt_columns({**RECORD_FIELDS, **{p: {"data_type": "text"} for p in properties}})
        self.hints = dlt.mark.make_hints(table_name=table, primary_key="id", columns=columns,
                                         write_disposition=disposition)
        self.schema = arrow_schema(columns)
        self.pending: list[dict[str, Any]] = []

    def add(self, rows: list[dict[str, Any]]) -> Iterator[Any]:
        """Keep ``rows``; a full batch goes to dlt."""
        self.pending += rows
        if len(self.pending) >= self.BATCH_ROWS:
            yield from self.flush()

    def flush(self) -> Iterator[Any]:
        """The rows kept so far, as one Arrow table for dlt with this table's hints."""
        if self.pending:
            rows, self.pending = self.pending, []
            yield dlt.mark.with_hints(root_table(rows, self.schema, load_id()), self.hints,
                                      create_table_variant=True)


class AssociationTable:
    """One association table of one object type: a row per pair, merged on the from-id.

    Sets are kept by from-id until ``BATCH_ROWS`` pairs are waiting (a set read again before
    then replaces the one kept), then go to dlt as one Arrow table. The merge deletes every
    stored row of the from-ids it loads before inserting theirs (dlt's delete-insert on
    ``merge_key``), so a set read again replaces the stored one; an empty set is one row with
    no to-id, which staging drops.
    """

    BATCH_ROWS = 20_000

    def __init__(self, spec: ObjectSpec, to_type: str, disposition: Any):
        self.from_col, self.to_col = association_columns(spec, to_type)
        self.object_type = spec.object_type
        # not a primary key (sets stored as nested lists had it one): a key would keep one
        # pair per from-id
        columns = with_dlt_columns({self.from_col: {"data_type": "text", "nullable": False,
                                                    "primary_key": False},
                                    "object_type": {"data_type": "text"},
                                    self.to_col: {"data_type": "text"}})
        if disposition == "merge":
            disposition = {"disposition": "merge", "strategy": "delete-insert"}
        self.hints = dlt.mark.make_hints(table_name=spec.associations[to_type],
                                         merge_key=self.from_col, columns=columns,
                                         write_disposition=disposition)
        self.schema = arrow_schema(columns)
        self.pending: dict[str, list[str]] = {}
        self.pairs = 0

    def add(self, found: dict[str, list[str]]) -> Iterator[Any]:
        """Keep ``found`` (from-id -> to-ids); enough pairs go to dlt."""
        for from_id, to_ids in found.items():
            self.pending[from_id] = to_ids
            self.pairs += len(to_ids) or 1
        if self.pairs >= self.BATCH_ROWS:
            yield from self.flush()

    def flush(self) -> Iterator[Any]:
        """The sets kept so far, as one Arrow table for dlt with this table's hints."""
        if not self.pending:
            return
        pending, self.pending, self.pairs = self.pending, {}, 0
        from_ids: list[str] = []
        to_ids: list[str | None] = []
        for from_id in pending:
            targets = pending[from_id] or [None]
            from_ids += [from_id] * len(targets)
            to_ids += targets
        table = root_table({self.from_col: from_ids, "object_type": [self.object_type] * len(from_ids),
                            self.to_col: to_ids}, self.schema, load_id())
        yield dlt.mark.with_hints(table, self.hints, create_table_variant=True)
