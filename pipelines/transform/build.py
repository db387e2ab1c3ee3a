"""Run dbt against the warehouse the pipelines loaded (``prp transform``)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.lock import warehouse_lock
from pipelines.runtime.settings import Settings, load_settings
from pipelines.transform.dbt_project import (
    DAILY_BUILD_ARGS,
    DBT_COMMANDS,
    DBT_DIR,
    WRITING_COMMANDS,
    check_duckdb_usable,
    invoke_dbt,
)
from pipelines.transform.record import (
    current_inputs,
    forget_record,
    marts_digest,
    unchanged_since_last_build,
    write_record,
)

if TYPE_CHECKING:
    from pipelines.transform.summary import TransformSummary

log = logging.getLogger("prp.transform")

def run_dbt(command: str = "build", *extra: str, settings: Settings | None = None,
            force: bool = False) -> TransformSummary | None:
    """Run ``dbt <command>`` on the project in ``dbt/``; raise ``PipelineError`` if it fails.

    A plain build (no extra dbt arguments) is the daily build: every model and data test, no
    unit tests (``DAILY_BUILD_ARGS``). It is skipped when nothing it reads changed since the
    last successful one (``pipelines.transform.record``), unless ``force``. After a build or
    run, logs which sources fed the marts and the rows left out of them, and returns that
    summary (a skipped build's says since when).
    """
    if command not in DBT_COMMANDS:
        raise ConfigurationError(f"unknown dbt command {command!r}: use one of "
                                 f"{', '.join(sorted(DBT_COMMANDS))} (`prp transform build` by default)")
    settings = settings or load_settings()
    with warehouse_lock(settings.lock_file, settings.warehouse_label, settings.lock_timeout_seconds):
        check_duckdb_usable(settings)
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
        from pipelines.transform.summary import TransformSummary

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
        from pipelines.transform.failed_checks import failed_column_checks

        for line in failed_column_checks(settings):
            log.error("transform: %s", line)
        raise PipelineError(f"dbt {command} failed with exit code {code}")
    if command in ("build", "run"):
        from pipelines.transform.summary import summarize

        return summarize(settings)
    return None
