"""Read the marts (and dlt's load log) from the warehouse dbt wrote: DuckDB or BigQuery.

The same settings as dbt (``pipelines.runtime.settings``): ``duckdb_path`` and the analytics
dataset on DuckDB, the ``GCP_PROJECT_ID`` project on BigQuery, read through the runtime's one
warehouse reader (dlt's SQL client). A table that is not there reads as no rows, so a source
that was never loaded gives an empty section, never an error.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from dlt.destinations.exceptions import DatabaseException

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_reader import WarehouseReader, open_warehouse

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


class WarehouseMartReader:
    """The marts (and dlt's load log) through the runtime's ``WarehouseReader``, one per dataset.

    Each dataset is opened when first read and every one is closed by ``close``; a DuckDB file
    that is not there reads as no rows (and is not created).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stack = contextlib.ExitStack()
        self._readers: dict[str, WarehouseReader] = {}
        if settings.destination == "duckdb" and not settings.duckdb_path.exists():
            log.warning("report: no warehouse at %s yet; every section will say how to connect",
                        settings.duckdb_path)

    def _reader(self, dataset: str) -> WarehouseReader:
        if dataset not in self._readers:
            try:
                self._readers[dataset] = self._stack.enter_context(
                    open_warehouse(self.settings, dataset))
            except (PipelineError, ConfigurationError):
                raise
            except Exception as exc:  # noqa: BLE001 - one line, not dlt's page
                where = (self.settings.duckdb_path if self.settings.destination == "duckdb"
                         else f"{self.settings.destination} dataset {dataset}")
                raise PipelineError(f"cannot open {where}: {exc}") from None
        return self._readers[dataset]

    def rows(self, dataset: str, table: str, columns: str, where: str = "") -> list[dict]:
        """``select columns from dataset.table [where]``; no rows when the table is missing."""
        try:
            records = self._reader(dataset).select(table, columns, where)
        except DatabaseException as exc:
            raise PipelineError(f"{self.settings.destination} could not read {dataset}.{table}: "
                                f"{exc.__class__.__name__}: {exc}") from None
        return [{name: _plain(value) for name, value in row.items()} for row in records]

    def close(self) -> None:
        self._stack.close()


def open_reader(settings: Settings) -> MartReader:
    """The reader for the configured destination."""
    return WarehouseMartReader(settings)
