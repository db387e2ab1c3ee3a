"""Rows as Arrow tables, in the shape dlt's JSON normalizer would have loaded them.

dlt writes an Arrow table straight to a load file and skips its normalize step, where a list of
dicts goes through the JSON normalizer one row and one value at a time (most of a limits-off
HubSpot run). A table keeps the raw schema as it was: the same columns and types, and the
``_dlt_load_id`` and ``_dlt_id`` columns the normalizer adds (a merge finds rows by them).

Only flat tables: a nested table (a list column) is dlt's normalizer's to make, so an
association set is a row per pair (``rows.AssociationTable``), not a list.
"""

from __future__ import annotations

from typing import Any

import dlt
import pyarrow as pa
from dlt.common.normalizers.utils import generate_dlt_ids

LOAD_ID = "_dlt_load_id"
ROW_ID = "_dlt_id"
# the hints dlt's normalizer gives the columns it adds (a merge finds rows by them)
ROW_ID_HINTS = {"data_type": "text", "nullable": False, "unique": True, "row_key": True}
LOAD_ID_HINTS = {"data_type": "text", "nullable": False}
ARROW_TYPES = {"text": pa.string(), "bool": pa.bool_(), "bigint": pa.int64()}


def load_id() -> str:
    """The load id of the package being extracted (what ``_dlt_load_id`` holds)."""
    return dlt.current.load_package_state()["load_id"]


def arrow_schema(columns: dict[str, dict[str, Any]]) -> pa.Schema:
    """An Arrow schema for dlt column hints (text, bool and bigint columns only)."""
    return pa.schema([pa.field(name, ARROW_TYPES[hint["data_type"]],
                               nullable=hint.get("nullable", True))
                      for name, hint in columns.items()])


def with_dlt_columns(columns: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A root table's column hints with the two columns dlt's normalizer adds."""
    return {**columns, LOAD_ID: LOAD_ID_HINTS, ROW_ID: ROW_ID_HINTS}


def root_table(rows: list[dict[str, Any]] | dict[str, list[Any]], schema: pa.Schema,
               load: str) -> pa.Table:
    """``rows`` (dicts, or columns as lists; names outside ``schema`` are dropped) with a load
    id and fresh row ids."""
    own = pa.schema([f for f in schema if f.name not in (LOAD_ID, ROW_ID)])
    if isinstance(rows, dict):
        table = pa.Table.from_pydict({name: rows[name] for name in own.names}, schema=own)
    else:  # Arrow reads the dicts itself, twice as fast as a list per column in Python
        table = pa.Table.from_pylist(rows, schema=own)
    n = table.num_rows
    table = table.append_column(schema.field(LOAD_ID), pa.array([load] * n, pa.string()))
    table = table.append_column(schema.field(ROW_ID), pa.array(generate_dlt_ids(n), pa.string()))
    return table.select(schema.names)
