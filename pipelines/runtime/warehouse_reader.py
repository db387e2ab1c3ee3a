"""One way to read the warehouse: dlt's SQL client, on DuckDB and BigQuery alike.

The transform record and summary, the failed-check lines, ``prp status``, ``prp privacy``, the
report and the demo all read through a ``WarehouseReader``: for one dataset of the configured
warehouse (``open_warehouse``), or for a pipeline's own dataset (``pipeline_reader``). Queries
use ``%s`` placeholders and are written once for both engines; a table or dataset that is not
there reads as no rows (or ``None`` for a count), never an error.

A DuckDB file that does not exist yet is not created by reading it: the reader is then empty.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.destinations.sql_client import SqlClientBase

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_errors import explain_destination_error

log = logging.getLogger("prp.warehouse")

# the dlt schema the reader's client is bound to: it reads, so it names no tables of its own
READER_SCHEMA = "prp_reader"


class WarehouseReader:
    """Read one dataset through dlt's SQL client (``client`` is ``None``: nothing to read)."""

    def __init__(self, client: SqlClientBase[Any] | None, dataset: str) -> None:
        self.client = client
        self.dataset = dataset
        self._tables: set[str] | None = None

    @property
    def engine(self) -> str:
        """dlt's name of the destination type (``duckdb``, ``bigquery``); ``none`` if nothing."""
        return self.client.capabilities.sqlglot_dialect if self.client is not None else "none"

    def qualified(self, table: str) -> str:
        """The fully qualified, quoted name of ``table`` in this dataset."""
        assert self.client is not None, "no warehouse to name a table in"
        return self.client.make_qualified_table_name(table)

    def has_dataset(self) -> bool:
        """Whether the dataset exists (a warehouse never loaded into has none)."""
        return self.client is not None and self.client.has_dataset()

    def tables(self) -> set[str]:
        """The names of the tables (and views) in the dataset; read once per reader."""
        if self._tables is None:
            self._tables = set(self._table_names()) if self.has_dataset() else set()
        return self._tables

    def _table_names(self) -> list[str]:
        assert self.client is not None
        if self.engine == "bigquery":  # scoped by project and dataset, so no filter
            dataset = self.client.fully_qualified_dataset_name()
            sql = f"select table_name from {dataset}.INFORMATION_SCHEMA.TABLES"
            return [name for (name,) in self.rows(sql)]
        sql = "select table_name from information_schema.tables where table_schema = %s"
        params: list[Any] = [self.dataset]
        catalog = self.client.catalog_name(quote=False)
        if catalog:
            sql += " and table_catalog = %s"
            params.append(catalog)
        return [name for (name,) in self.rows(sql, *params)]

    def has_table(self, table: str) -> bool:
        return table in self.tables()

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        """The rows of any query (``%s`` placeholders); none when there is no warehouse."""
        if self.client is None:
            return []
        with self.client.execute_query(sql, *params) as cursor:
            return [tuple(row) for row in cursor.fetchall()]

    def records(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """The rows of any query as dicts by column name."""
        if self.client is None:
            return []
        with self.client.execute_query(sql, *params) as cursor:
            names = [d[0] for d in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def select(self, table: str, columns: str = "*", where: str = "",
               params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """``select <columns> from <table> [<where>]`` as dicts; no rows when the table is missing.

        ``where`` is the rest of the statement (``where ...``, ``group by ...``).
        """
        if not self.has_table(table):
            return []
        return self.records(f"select {columns} from {self.qualified(table)} {where}".rstrip(), *params)

    def count(self, table: str, where: str = "", params: Sequence[Any] = ()) -> int | None:
        """Rows of ``table`` (matching ``where``, without the keyword); ``None``: no such table."""
        if self.client is None:
            return None
        sql = f"select count(*) from {self.qualified(table)}" + (f" where {where}" if where else "")
        try:
            return int(self.rows(sql, *params)[0][0])
        except DestinationUndefinedEntity:
            return None

    def row_counts(self, tables: Iterable[str]) -> dict[str, int]:
        """Rows per table, for those of ``tables`` that exist (one query for all of them)."""
        present = [t for t in tables if self.has_table(t)]
        if not present:
            return {}
        sql = " union all ".join(f"select %s, count(*) from {self.qualified(t)}" for t in present)
        return {name: int(rows) for name, rows in self.rows(sql, *present)}


def reader_client(settings: Settings, dataset: str) -> SqlClientBase[Any]:
    """dlt's SQL client for ``dataset`` of the configured warehouse (not yet connected)."""
    from pipelines.runtime.destination import destination_for

    if settings.destination == "duckdb":
        # read-only, as every reader of a finished warehouse was: other readers may share it
        from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        destination = dlt.destinations.duckdb(
            DuckDbCredentials(str(settings.duckdb_path), read_only=True))
    else:
        destination = destination_for(settings)
    try:
        return dlt.dataset(destination, dataset, schema=dlt.Schema(READER_SCHEMA)).sql_client
    except ConfigFieldMissingException:
        raise ConfigurationError(
            "no Google credentials for BigQuery: set GOOGLE_APPLICATION_CREDENTIALS to a service "
            "account key file or run `gcloud auth application-default login` (GCP_PROJECT_ID names "
            "the project)") from None


@contextlib.contextmanager
def open_warehouse(settings: Settings, dataset: str) -> Iterator[WarehouseReader]:
    """A reader for ``dataset`` of the configured warehouse, connected while the block runs.

    A DuckDB file that is not there gives an empty reader (and is not created); one that is
    locked by another process or damaged stops with one line saying so.
    """
    if settings.destination == "duckdb" and not settings.duckdb_path.exists():
        yield WarehouseReader(None, dataset)
        return
    client = reader_client(settings, dataset)
    try:
        client.open_connection()
    except Exception as exc:
        explained = explain_destination_error(exc, settings.duckdb_path)
        if explained:
            raise explained from None
        raise
    try:
        yield WarehouseReader(client, dataset)
    finally:
        client.close_connection()


@contextlib.contextmanager
def pipeline_reader(pipeline: dlt.Pipeline) -> Iterator[WarehouseReader]:
    """A reader for a pipeline's own dataset, on the pipeline's destination and credentials."""
    with pipeline.sql_client() as client:
        yield WarehouseReader(client, pipeline.dataset_name)
