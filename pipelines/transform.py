"""Run dbt against the warehouse the pipelines loaded (``prp transform``)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.common.errors import ConfigurationError, PipelineError
from pipelines.common.lock import warehouse_lock
from pipelines.common.settings import Settings, load_settings
from pipelines.common.warehouse_errors import locked_file_message
from pipelines.transform_record import (
    current_inputs,
    forget_record,
    marts_digest,
    unchanged_since_last_build,
    write_record,
)

if TYPE_CHECKING:
    from pipelines.transform_summary import TransformSummary

log = logging.getLogger("prp.transform")

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt"
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


def dbt_settings(settings: Settings) -> dict[str, str]:
    """The variables that point dbt's profile at the same warehouse and datasets as dlt."""
    return {"DBT_TARGET": "prod" if settings.destination == "bigquery" else "dev",
            "PRP_DUCKDB_PATH": str(settings.duckdb_path),
            "PRP_RAW_DATASET": settings.raw_dataset,
            "PRP_ANALYTICS_DATASET": settings.analytics_dataset,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


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


def check_duckdb_unlocked(settings: Settings) -> None:
    """Fail in one line when another process holds the DuckDB file (dbt would print pages)."""
    if settings.destination != "duckdb" or not settings.duckdb_path.exists():
        return
    import duckdb

    try:
        duckdb.connect(str(settings.duckdb_path)).close()
    except duckdb.Error as exc:
        message = locked_file_message(exc)
        if message:
            raise PipelineError(message) from None
        raise


def run_dbt(command: str = "build", *extra: str, settings: Settings | None = None,
            force: bool = False) -> TransformSummary | None:
    """Run ``dbt <command>`` on the project in ``dbt/``; raise ``PipelineError`` if it fails.

    A plain build (no extra dbt arguments) is the daily build: every model and data test, no
    unit tests (``DAILY_BUILD_ARGS``). It is skipped when nothing it reads changed since the
    last successful one (``pipelines.transform_record``), unless ``force``. After a build or
    run, logs which sources fed the marts and the rows left out of them, and returns that
    summary (a skipped build's says since when).
    """
    if command not in DBT_COMMANDS:
        raise ConfigurationError(f"unknown dbt command {command!r}: use one of "
                                 f"{', '.join(sorted(DBT_COMMANDS))} (`prp transform build` by default)")
    settings = settings or load_settings()
    with warehouse_lock(settings.lock_file, settings.warehouse_label, settings.lock_timeout_seconds):
        check_duckdb_unlocked(settings)
        if command == "build" and not extra:
            return _build_unless_unchanged(settings, force)
        if command in WRITING_COMMANDS:  # the marts may no longer be what the record says
            forget_record(settings)
        return _run_dbt(command, extra, settings)


def _build_unless_unchanged(settings: Settings, force: bool) -> TransformSummary | None:
    """The daily ``dbt build`` (no unit tests), skipped when the last one saw the same loads,
    date, project and vars."""
    inputs = current_inputs(settings, DBT_DIR, dbt_vars(settings))
    record = None if force else unchanged_since_last_build(settings, inputs)
    if record is not None:
        log.info("transform: skipping dbt build: nothing changed since the last build at %s (no new "
                 "load, as-of date %s, same dbt project, vars and target); `prp transform --force` "
                 "builds anyway", record.built_at, inputs.as_of_date)
        for line in record.summary:
            log.info(line)
        from pipelines.transform_summary import TransformSummary

        return TransformSummary(skipped_since=record.built_at)
    if force:
        log.info("transform: building (--force)")
    forget_record(settings)  # a build that fails half-way leaves marts no record describes
    summary = _run_dbt("build", DAILY_BUILD_ARGS, settings)
    # the marts as this build left them: the next run compares against those
    write_record(settings, replace(inputs, marts=marts_digest(settings)),
                 summary.lines() if summary else [])
    return summary


def dbt_vars(settings: Settings) -> str:
    """The vars every dbt command gets (a build record compares them too)."""
    return json.dumps({"timezone": settings.timezone})


def _run_dbt(command: str, extra: tuple[str, ...], settings: Settings) -> TransformSummary | None:
    variables = dbt_vars(settings)
    # `dbt docs generate`, `dbt source freshness`: the sub-command comes before the options
    words = [command]
    if command in ("docs", "source") and extra and not extra[0].startswith("-"):
        words, extra = [command, extra[0]], extra[1:]
    args = [*words, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--vars", variables, *extra]
    log.info("running dbt %s (target %s)", command, "prod" if settings.is_prod else settings.target)
    code = invoke_dbt(args, settings)
    if code != 0:
        from pipelines.check_failures import failed_column_checks

        for line in failed_column_checks(settings):
            log.error("transform: %s", line)
        raise PipelineError(f"dbt {command} failed with exit code {code}")
    if command in ("build", "run"):
        from pipelines.transform_summary import summarize

        return summarize(settings)
    return None
