"""Where the dbt project is and how dbt is invoked on the warehouse dlt loaded."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_check import check_whole
from pipelines.runtime.warehouse_errors import explain_destination_error

log = logging.getLogger("prp.transform")

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
# the dbt sub-commands `prp transform` passes on; anything else is a usage error (exit 2)
DBT_COMMANDS = frozenset({"build", "run", "test", "seed", "snapshot", "compile", "docs", "source",
                          "parse", "ls", "list", "debug", "show", "retry", "run-operation", "clean",
                          "deps", "clone"})
# dbt commands that write to the analytics dataset: after one, the last build's record is void
WRITING_COMMANDS = frozenset({"build", "run", "seed", "snapshot", "clone", "retry"})
# The daily build leaves dbt's unit tests out, as dbt advises for production runs: their inputs
# are fixed in YAML, so they check the SQL, not the day's data, and cost about a quarter of a
# build. `make test` runs them; so does `prp transform test --select test_type:unit`.
DAILY_BUILD_ARGS = ("--exclude-resource-type", "unit_test")
PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # dbt's saved parse, in its target folder


def dbt_settings(settings: Settings) -> dict[str, str]:
    """The variables that point dbt's profile at the same warehouse and datasets as dlt."""
    return {"DBT_TARGET": "prod" if settings.destination == "bigquery" else "dev",
            "PRP_DUCKDB_PATH": _path_for_dbt(settings.duckdb_path),
            "PRP_RAW_DATASET": settings.raw_dataset,
            "PRP_ANALYTICS_DATASET": settings.analytics_dataset,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def _path_for_dbt(path: Path) -> str:
    """The DuckDB file as dbt's profile names it: relative to the working directory when it lies
    there (dbt runs in this process, so it opens the same file).

    dbt keeps the parsed project (``partial_parse.msgpack``) and parses again from scratch, about
    three seconds of CPU, when any value of the profile differs, the DuckDB path included: a
    relative path lets the saved parse serve the project wherever its folder is (moved, copied,
    another checkout).
    """
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` set in os.environ for the block (dbt's profile reads them), then restored."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _close_dbt_duckdb() -> None:
    """Close the DuckDB connection dbt-duckdb keeps for the life of the process.

    Left open, it would stop this process (dlt, the report) from opening the warehouse again
    with other settings, and keep the file locked against other processes.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV  # noqa: SLF001 - dbt-duckdb offers no public handle
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


def invoke_dbt(args: list[str], settings: Settings) -> int:
    """``dbt <args>`` in this process; dbt's exit code (0 passed, 1 a node failed, 2 dbt failed).

    In-process (dbt's ``dbtRunner``) rather than a ``dbt`` process: dbt's imports cost seconds
    of CPU, paid once per ``prp`` process instead of once per dbt command.
    """
    try:
        from dbt.cli.main import dbtRunner
    except ImportError:
        raise ConfigurationError("dbt is not installed: run `make install`") from None
    with _environment(dbt_settings(settings)):
        try:
            result = dbtRunner().invoke(args)
        finally:
            if settings.destination == "duckdb":
                _close_dbt_duckdb()
    if isinstance(result.exception, KeyboardInterrupt):
        raise result.exception  # Ctrl-C or SIGTERM: the CLI exits 130 or 143, as for a refresh
    if result.exception is not None:
        log.error("dbt stopped: %s", result.exception)
        return 2
    return 0 if result.success else 1


def check_duckdb_usable(settings: Settings) -> None:
    """Fail in one line when another process holds the DuckDB file or it is damaged (dbt would
    print pages): one connection, opened for writing as dbt will, serves both checks."""
    if settings.destination != "duckdb" or not settings.duckdb_path.exists():
        return
    import duckdb

    try:
        connection = duckdb.connect(str(settings.duckdb_path))
    except duckdb.Error as exc:
        explained = explain_destination_error(exc, settings.duckdb_path)
        if explained:
            raise explained from None
        raise
    with connection:
        check_whole(settings, connection)
