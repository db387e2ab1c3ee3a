"""Failures that are not bugs, explained in one line wherever they surface.

A full disk or a damaged warehouse file can surface as a raw ``OSError`` or DuckDB error from
any command (dlt's state writes, dbt, the report), outside the runner's own steps. The CLI and
``prp refresh all`` ask here before treating an exception as a bug with a traceback.
"""

from __future__ import annotations

from pipelines.runtime.disk import disk_full_message
from pipelines.runtime.errors import PipelineError
from pipelines.runtime.warehouse_errors import damaged_file_message, locked_file_message


def _warehouse_path() -> str | None:
    """The DuckDB file the settings name (for a DuckDB error that does not say which file)."""
    try:
        from pipelines.runtime.settings import load_settings

        settings = load_settings()
    except Exception:  # noqa: BLE001 - the settings' own error is reported elsewhere
        return None
    return str(settings.duckdb_path) if settings.destination == "duckdb" else None


def explain_failure(exc: BaseException, command: str | None = None) -> PipelineError | None:
    """A ``PipelineError`` (exit code 1) saying what happened during ``command``
    (``prp refresh``), or ``None`` for anything else."""
    message = (disk_full_message(exc, f"`{command}`" if command else None)
               or locked_file_message(exc)
               or damaged_file_message(exc, _warehouse_path()))
    return PipelineError(message) if message else None
