"""HubSpot records and associations -> raw rows, and the table hints they load with.

- Records: one text column per property plus ``id``, ``object_type``, ``created_at``,
  ``updated_at``, ``is_deleted``, ``deleted_at`` and ``merged_into`` (the survivor, when a
  merge absorbed the record).
- Associations: one row per from-record with its to-ids in a nested table, so re-reading a
  record replaces its whole association set (an empty list clears it).

Both go to dlt as Arrow tables (``tables.py``): the same tables as dicts would give, without
dlt's row-by-row normalize step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

from pipelines.sources.hubspot.objects import MERGED_IDS_PROPERTY, SINGULAR, ObjectSpec, id_order
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
    """(from-id column, nested to-ids column) of an association table."""
    return f"{SINGULAR[spec.object_type]}_id", f"{SINGULAR[to_type]}_ids"


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


def association_items(spec: ObjectSpec, to_type: str, found: dict[str, list[str]],
                      disposition: Any) -> list[Any]:
    """An association table's rows: one per from-record, its to-ids in a nested table.

    These stay dicts: dlt makes nested tables only in its normalize step (a nested table
    written as Arrow cannot name its resource), and a merge must replace a from-record's
    whole set, which takes dlt's own parent links.
    """
    from_col, to_col = association_columns(spec, to_type)
    rows = [{from_col: from_id, "object_type": spec.object_type, to_col: to_ids}
            for from_id, to_ids in sorted(found.items(), key=lambda kv: id_order(kv[0]))]
    columns = {from_col: {"data_type": "text", "nullable": False},
               "object_type": {"data_type": "text"}}
    return [dlt.mark.with_hints(rows, dlt.mark.make_hints(
        table_name=spec.associations[to_type], primary_key=from_col, columns=columns,
        write_disposition=disposition), create_table_variant=True)]
