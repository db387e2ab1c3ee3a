"""What the warehouse already holds, read by a source while it extracts.

Deletions are found by comparing what an API lists now with what the raw tables hold, so dlt
state never carries per-record id sets. Call these inside a resource (extract time): they
read the running pipeline's destination and dataset through the warehouse reader, on a dlt SQL
client kept per thread. Queries use ``%s`` placeholders.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

import dlt
from dlt.common.configuration.container import Container
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.common.pipeline import PipelineContext
from dlt.destinations.sql_client import SqlClientBase

from pipelines.runtime.warehouse_reader import WarehouseReader

log = logging.getLogger("prp.warehouse")

_per_thread = threading.local()


def _sql_client(pipeline: dlt.Pipeline) -> SqlClientBase[Any]:
    """The pipeline's SQL client for this thread, made once per pipeline and schema.

    Making one resolves dlt's destination configuration (tens of milliseconds), and a run asks
    again for every comparison (Notion: per page it checks). One per thread, because parallel
    resources query at the same time and a client holds one open connection.
    """
    clients = getattr(_per_thread, "clients", None)
    if clients is None:
        clients = _per_thread.clients = weakref.WeakKeyDictionary()
    schema_name, client = clients.get(pipeline, (None, None))
    if client is None or schema_name != pipeline.default_schema_name:
        client = pipeline.sql_client()
        clients[pipeline] = (pipeline.default_schema_name, client)
    return client


def _running_pipeline() -> dlt.Pipeline:
    """The pipeline that is extracting (what ``dlt.current.pipeline()`` returns).

    Read from dlt's pipeline context directly: ``dlt.current.pipeline()`` resolves a pipeline
    configuration on every call, which a Notion run paid once per page it compared.
    """
    return Container()[PipelineContext].pipeline()


def qualified(table: str) -> str:
    """The fully qualified name of a raw table of the running pipeline's dataset."""
    with _sql_client(_running_pipeline()) as client:
        return client.make_qualified_table_name(table)


def _select(table: str, columns: str, where: str, params: tuple, *, records: bool = False) -> list:
    """Rows (tuples, or dicts with ``records``) of a select on a raw table; none when the table
    does not exist."""
    pipeline = _running_pipeline()
    if pipeline.default_schema_name is None or table not in pipeline.default_schema.tables:
        return []  # never loaded by this pipeline: nothing to compare with
    try:
        with _sql_client(pipeline) as client:
            reader = WarehouseReader(client, pipeline.dataset_name)
            sql = f"select {columns} from {reader.qualified(table)}" + (f" where {where}" if where else "")
            return reader.records(sql, *params) if records else reader.rows(sql, *params)
    except DestinationUndefinedEntity:
        log.info("%s is not in the warehouse yet; nothing to compare with", table)
        return []


def stored_columns(table: str) -> set[str] | None:
    """The columns the running pipeline's schema gives ``table``; ``None`` for a table it has
    never loaded."""
    pipeline = _running_pipeline()
    if pipeline.default_schema_name is None or table not in pipeline.default_schema.tables:
        return None
    return set(pipeline.default_schema.tables[table].get("columns", {}))


def stored_rows(table: str, columns: str, where: str = "", params: tuple = ()) -> list[tuple]:
    """``select <columns> from <table> [where ...]``; no rows when the table does not exist yet."""
    return _select(table, columns, where, params)


def stored_records(table: str, where: str = "", params: tuple = ()) -> list[dict]:
    """Whole stored rows as dicts, without dlt's own columns (empty if the table is new)."""
    return [{k: v for k, v in row.items() if not k.startswith("_dlt")}
            for row in _select(table, "*", where, params, records=True)]


def stored_values(table: str, column: str, where: str = "", params: tuple = ()) -> set[str]:
    """Distinct values of one column of a raw table, as strings (empty if the table is new)."""
    rows = stored_rows(table, f"distinct {column}", where, params)
    return {str(value) for (value,) in rows if value is not None}
