"""Read the marts (and dlt's load log) from the warehouse dbt wrote: DuckDB or BigQuery.

The same settings as dbt (``pipelines.runtime.settings``): ``duckdb_path`` and the analytics
dataset on DuckDB, the ``GCP_PROJECT_ID`` project on BigQuery. A table that is not there reads
as no rows, so a source that was never loaded gives an empty section, never an error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_errors import locked_file_message

log = logging.getLogger("prp.report")


class MartReader(Protocol):
    """What the report needs from a warehouse."""

    def rows(self, dataset: str, table: str, columns: str, where: str = "") -> list[dict]: ...

    def close(self) -> None: ...


def _plain(value):
    """A value JSON can carry: decimals as floats, dates and times as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _records(names: Iterable[str], rows: Iterable[tuple]) -> list[dict]:
    names = list(names)
    return [{name: _plain(value) for name, value in zip(names, row, strict=True)} for row in rows]


class DuckDBReader:
    """Read-only DuckDB connection; a missing file means nothing is loaded yet."""

    def __init__(self, path) -> None:
        self.con = None
        if not path.exists():
            log.warning("report: no warehouse at %s yet; every section will say how to connect", path)
            return
        import duckdb

        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise PipelineError(locked_file_message(exc) or f"cannot open {path}: {exc}") from None
        self.tables = {(s, t) for s, t in self.con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}

    def rows(self, dataset: str, table: str, columns: str, where: str = "") -> list[dict]:
        """``select columns from dataset.table [where]``; no rows when the table is missing."""
        if self.con is None or (dataset, table) not in self.tables:
            return []
        cursor = self.con.execute(f'select {columns} from "{dataset}"."{table}" {where}')
        return _records((d[0] for d in cursor.description), cursor.fetchall())

    def close(self) -> None:
        if self.con is not None:
            self.con.close()


class BigQueryReader:
    """BigQuery through the client dlt's BigQuery destination already installs."""

    def __init__(self, project: str | None) -> None:
        from google.auth.exceptions import DefaultCredentialsError
        from google.cloud import bigquery

        try:
            self.client = bigquery.Client(project=project)
        except DefaultCredentialsError:
            raise ConfigurationError(
                "no Google credentials for BigQuery: set GOOGLE_APPLICATION_CREDENTIALS to a service "
                "account key file or run `gcloud auth application-default login` (GCP_PROJECT_ID names "
                "the project)") from None
        self._tables: dict[str, set[str]] = {}

    def _has(self, dataset: str, table: str) -> bool:
        if dataset not in self._tables:
            from google.api_core.exceptions import NotFound

            try:
                self._tables[dataset] = {t.table_id for t in self.client.list_tables(dataset)}
            except NotFound:
                self._tables[dataset] = set()
        return table in self._tables[dataset]

    def rows(self, dataset: str, table: str, columns: str, where: str = "") -> list[dict]:
        """``select columns from dataset.table [where]``; no rows when the table is missing."""
        from google.api_core.exceptions import GoogleAPIError

        try:
            if not self._has(dataset, table):
                return []
            result = self.client.query(f"select {columns} from `{dataset}.{table}` {where}").result()
            return [{key: _plain(value) for key, value in row.items()} for row in result]
        except GoogleAPIError as exc:
            raise PipelineError(f"BigQuery could not read {dataset}.{table}: {exc.__class__.__name__}: "
                                f"{getattr(exc, 'message', exc)}") from None

    def close(self) -> None:
        self.client.close()


def open_reader(settings: Settings) -> MartReader:
    """The reader for the configured destination."""
    if settings.destination == "bigquery":
        return BigQueryReader(os.environ.get("GCP_PROJECT_ID") or None)
    return DuckDBReader(settings.duckdb_path)
