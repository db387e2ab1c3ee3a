"""The one runner: builds a dlt pipeline for a source and a destination and runs it.

``refresh_<name>()`` (made by ``make_refresh``), the CLI, the tests and the workflows all go
through ``run_source``.
A full refresh reads everything from ``initial_date`` and loads with ``replace`` through
staging tables (``insert-from-staging``), so a run that fails half-way leaves the previous
data and cursors in place: dlt commits state together with the data it belongs to.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import dlt
from dlt.common.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigValueCannotBeCoercedException,
)
from dlt.common.destination.exceptions import (
    DestinationTerminalException,
    DestinationTransientException,
)
from dlt.common.pipeline import LoadInfo
from dlt.destinations.exceptions import DatabaseException
from dlt.extract.source import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines.runtime import bookkeeping, completeness, job_summary
from pipelines.runtime.context import RunContext
from pipelines.runtime.destination import destination_for
from pipelines.runtime.disk import disk_full_message
from pipelines.runtime.errors import (
    ConfigurationError,
    PipelineError,
    exception_chain,
    missing_setting_message,
)
from pipelines.runtime.http import RunMetrics
from pipelines.runtime.local_state import with_readable_state
from pipelines.runtime.lock import warehouse_lock
from pipelines.runtime.logs import setup_logging
from pipelines.runtime.privacy import SourcePrivacy, load_policy
from pipelines.runtime.privacy_run import guard_source
from pipelines.runtime.refresh_mode import RefreshMode, resolve_refresh_mode
from pipelines.runtime.secrets_source import use_configured_secrets
from pipelines.runtime.settings import Settings, ensure_writable, load_settings
from pipelines.runtime.stall import stall_watch
from pipelines.runtime.state_check import state_mismatch
from pipelines.runtime.summary import RunSummary
from pipelines.runtime.warehouse_check import check_whole, remember_whole
from pipelines.runtime.warehouse_errors import damaged_file_message, explain_destination_error

log = logging.getLogger("prp.runner")


@dataclass(frozen=True)
class RunWindow:
    """What a source is asked to read: the mode and optional date bounds."""

    full_refresh: bool
    initial_date: date | None = None
    end_date: date | None = None


SourceFactory = Callable[[RunWindow, RunContext], DltSource]
# Run-time objects a source must not build from project-wide settings (Fitbit's OAuth auth
# object and its token store, the personal time zone), made from the checked settings.
Injections = Callable[[Settings], dict[str, Any]]
# Every registered source's privacy defaults (the policy spans them all: a key is needed when
# any of them hashes), handed down by the source's package from the registry.
PrivacyDefaults = Callable[[], dict[str, SourcePrivacy]]


def build_pipeline(name: str, settings: Settings | None = None) -> dlt.Pipeline:
    """A dlt pipeline for source ``name`` into the configured destination and raw dataset."""
    settings = settings or load_settings()
    pipeline_name = f"prp_{name}_{settings.target}"
    # a damaged local state or schema file is set aside: the warehouse holds the same state
    return with_readable_state(settings.state_dir / pipeline_name, lambda: dlt.pipeline(
        pipeline_name=pipeline_name,
        pipelines_dir=str(settings.state_dir),  # state belongs to this warehouse and dataset
        destination=destination_for(settings),
        dataset_name=settings.raw_dataset,
    ))


def make_refresh(name: str, source_function: Callable[..., DltSource], *,
                 inject: Injections | None = None,
                 privacy: PrivacyDefaults | None = None) -> Callable[..., LoadInfo]:
    """``refresh_<name>(is_incremental, pipeline, initial_date, end_date)`` for one source.

    The source function is called with ``full_refresh``, ``since`` and ``until`` from the run
    window, whatever ``inject`` builds from the run's settings, and ``run`` (the run's context)
    when it takes one; dlt fills in the rest.
    """
    takes_run = "run" in inspect.signature(source_function).parameters

    def refresh(is_incremental: bool | None = None, pipeline: dlt.Pipeline | None = None,
                initial_date: date | None = None, end_date: date | None = None) -> LoadInfo:
        def make_source(window: RunWindow, run: RunContext) -> DltSource:
            extra = inject(run.settings) if inject else {}
            if takes_run:
                extra["run"] = run
            return source_function(full_refresh=window.full_refresh, since=window.initial_date,
                                   until=window.end_date, **extra)

        return run_source(name, make_source, is_incremental=is_incremental, pipeline=pipeline,
                          initial_date=initial_date, end_date=end_date, privacy=privacy)

    refresh.__name__ = refresh.__qualname__ = f"refresh_{name}"
    refresh.__doc__ = (f"Load {name} into the warehouse (incremental unless told otherwise; see "
                       "``pipelines.runtime.refresh_mode``) and return dlt's LoadInfo.")
    return refresh


def _missing_config_error(source: str, exc: ConfigFieldMissingException) -> ConfigurationError:
    messages = [missing_setting_message(f"sources.{source}", field) for field in exc.fields]
    return ConfigurationError("; ".join(messages))


def _unwrap(exc: PipelineStepFailed) -> BaseException:
    """The project's own error inside dlt's step wrapper, if there is one."""
    return next((inner for inner in exception_chain(exc) if isinstance(inner, PipelineError)), exc)


def run_source(
    name: str,
    make_source: SourceFactory,
    *,
    is_incremental: bool | None = None,
    pipeline: dlt.Pipeline | None = None,
    initial_date: date | None = None,
    end_date: date | None = None,
    privacy: PrivacyDefaults | None = None,
) -> LoadInfo:
    """Run one source end to end and log its summary; raise ``PipelineError`` on failure.

    Holds the warehouse's lock throughout, finishes a load an interrupted run left pending,
    checks the local state against the warehouse (backfilling on a mismatch), then extracts.
    The run's context (settings, HTTP metrics, completeness expectations) is made here and
    handed to the source; the summary is read from it.
    """
    setup_logging()
    settings = load_settings()  # bad settings fail before any request
    ensure_writable(settings)
    stall_watch.configure(settings.stall_notice_seconds)
    use_configured_secrets()  # [prp] secrets = "gcp": Secret Manager after env and secrets.toml
    # privacy: a missing hash key fails here
    policy = load_policy(settings.destination, privacy() if privacy else {})
    mode: RefreshMode = resolve_refresh_mode(name, is_incremental)
    with (warehouse_lock(settings.lock_file, settings.warehouse_label, settings.lock_timeout_seconds),
          _duckdb_kept_open(settings)):
        run = RunContext(name, settings)
        started = time.monotonic()
        pipeline = pipeline or _step(name, lambda: build_pipeline(name, settings),
                                     "opening dlt's working directory")
        _step(name, lambda: _finish_pending(name, pipeline), "finishing a pending load")
        problem = _step(name, lambda: state_mismatch(pipeline, name),
                        "checking the state against the warehouse")
        if problem:
            run.warn(log, f"{name}: the saved state does not match {settings.warehouse_label} "
                          f"({problem}); backfilling {name} from its initial date")
            pipeline = _forget_state(name, pipeline, settings)
            mode = RefreshMode(True, "backfill: the saved state did not match the warehouse")
        log.info("%s: refresh mode %s (%s)", name, mode.label, mode.reason)
        window = RunWindow(mode.full_refresh, initial_date, end_date)
        try:
            source = make_source(window, run)
        except ConfigFieldMissingException as exc:
            raise _missing_config_error(name, exc) from None
        except ConfigValueCannotBeCoercedException as exc:
            raise _bad_value_error(name, exc) from None
        privacy = guard_source(source, policy, name)  # values are treated before they are written
        write_disposition = "replace" if mode.full_refresh else None
        info = _step(name, lambda: pipeline.run(source, write_disposition=write_disposition,
                                                **_format_args(settings)))
        checks, problems = _step(name, lambda: completeness.check(pipeline, name, run.expectations))
        # the project's own tables, loaded through dlt in one load of their own
        _step(name, lambda: bookkeeping.record(pipeline, name, checks, privacy.records()))
        for problem in problems:
            run.warn(log, problem)
        summary = summarise(name, mode, pipeline, time.monotonic() - started, run.metrics)
    remember_whole(settings)  # as this run left it: the next run need not read it all again
    for line in summary.lines() + privacy.lines():
        log.info(line)
    job_summary.write_refresh(summary)  # in GitHub Actions, what the Actions tab shows
    info.prp_summary = summary  # type: ignore[attr-defined]
    return info


@contextlib.contextmanager
def _duckdb_kept_open(settings: Settings) -> Iterator[None]:
    """Hold one connection to the DuckDB warehouse for the whole run.

    dlt and the sources open a short-lived connection for each step (state check, every
    deletion query, the load, the summary). While one stays open they all share the open
    database instead of reading its catalog and checkpointing the file each time. A warehouse
    not created yet is left to dlt (a run that fails early leaves no empty file behind), and
    when the file cannot be opened nothing is held: dlt's own error, explained, is what the
    user sees. A damaged file stops the run here, naming it (``warehouse_check``).
    """
    if settings.destination != "duckdb" or not settings.duckdb_path.exists():
        yield
        return
    import duckdb

    # DuckDB's own connection, not the warehouse reader's: it reads nothing, and only a native
    # connection held open in this process is what dlt's own connections share
    try:
        connection = duckdb.connect(str(settings.duckdb_path))
    except duckdb.Error as exc:
        damaged = damaged_file_message(exc, settings.duckdb_path)
        if damaged:  # before dlt blames the credentials or the internet connection
            raise PipelineError(damaged) from None
        yield
        return
    try:
        check_whole(settings, connection)  # a file damaged in the middle: stop before writing
        yield
    finally:
        connection.close()


def _format_args(settings: Settings) -> dict[str, str]:
    """dlt's ``loader_file_format`` when one is configured (or defaulted for the destination)."""
    return {"loader_file_format": settings.loader_file_format} if settings.loader_file_format else {}


def _finish_pending(name: str, pipeline: dlt.Pipeline) -> None:
    """Load what an interrupted run extracted, so this run can go on to extract new data.

    (dlt's ``run`` would load the pending package and stop there, extracting nothing. The
    package keeps the file format it was extracted with.)
    """
    if not pipeline.has_pending_data:
        return
    log.info("%s: finishing the load an interrupted run left pending", name)
    pipeline.normalize()
    pipeline.load()


def _forget_state(name: str, pipeline: dlt.Pipeline, settings: Settings) -> dlt.Pipeline:
    """Drop the local working directory of a pipeline whose state the warehouse contradicts."""
    pipeline.drop()
    return build_pipeline(name, settings)


def _step(name: str, action: Callable[[], Any], label: str | None = None) -> Any:
    """Run a pipeline step, turning dlt's wrapped errors into the project's own; ``label``
    names the step when dlt's own error does not (a full disk)."""
    try:
        return action()
    except OSError as exc:
        full = disk_full_message(exc, label)
        if full:
            raise PipelineError(f"{name}: {full}") from exc
        raise
    except PipelineStepFailed as exc:
        inner = _unwrap(exc)
        if isinstance(inner, PipelineError):
            raise inner from None
        interrupt = _interrupt(exc)
        if interrupt is not None:
            raise interrupt from None
        cause = inner.__cause__ or inner.__context__
        if isinstance(cause, ConfigFieldMissingException):
            raise _missing_config_error(name, cause) from None
        if isinstance(cause, ConfigValueCannotBeCoercedException):
            raise _bad_value_error(name, cause) from None
        raise _explained(name, exc, label) or PipelineError(
            f"{name}: {exc.step} step failed: {exc.exception}") from exc
    except (DestinationTerminalException, DestinationTransientException, DatabaseException) as exc:
        raise _explained(name, exc, label) or PipelineError(f"{name}: {exc}") from exc


def _explained(name: str, exc: BaseException, label: str | None) -> PipelineError | None:
    """A full disk or a known destination failure in one line a person can act on."""
    full = disk_full_message(exc, label)
    if full:
        return PipelineError(f"{name}: {full}")
    return explain_destination_error(exc)


def _interrupt(exc: BaseException) -> BaseException | None:
    """The Ctrl-C or SIGTERM inside dlt's step wrapper, if that is what stopped the step."""
    return next((inner for inner in exception_chain(exc) if isinstance(inner, KeyboardInterrupt)),
                None)


def _bad_value_error(source: str, exc: ConfigValueCannotBeCoercedException) -> ConfigurationError:
    env_name = f"SOURCES__{source.upper()}__{exc.field_name.upper()}"
    return ConfigurationError(
        f"sources.{source}.{exc.field_name} = {str(exc.field_value)[:40]!r} is not a valid "
        f"{getattr(exc.hint, '__name__', exc.hint)}: fix {env_name} or [sources.{source}] "
        f"{exc.field_name} in .dlt/config.toml")


def summarise(name: str, mode: RefreshMode, pipeline: dlt.Pipeline, seconds: float,
              metrics: RunMetrics) -> RunSummary:
    """Rows per table from dlt's normalize step, requests from the run's HTTP metrics."""
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    rows = {t: n for t, n in counts.items() if not t.startswith("_dlt")}
    return RunSummary(
        source=name,
        mode=mode.label,
        destination=pipeline.destination.destination_name,
        dataset=pipeline.dataset_name,
        rows=rows,
        requests=sum(metrics.requests.values()),
        retries=sum(metrics.retries.values()),
        warnings=list(metrics.warnings),
        seconds=seconds,
    )
