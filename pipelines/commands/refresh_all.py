"""``prp refresh all``: every source is tried, each result is reported, the worst decides the exit.

One source failing (a rejected key, an API that is down) says nothing about the others, so the
rest still load. A source none of whose secrets are set is not set up: it is skipped with a line
saying how to connect it (a person who uses one API sets that source's secrets only). The exit
code is 2 when any failure was a configuration problem (a person has to fix a setting) or no
source is set up, else 1 when any source failed, else 0.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from dlt.common.configuration.exceptions import ConfigurationException as DltConfigurationException

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.interrupts import configuration_error
from pipelines.runtime.known_failures import explain_failure
from pipelines.runtime.secrets_source import use_configured_secrets
from pipelines.runtime.settings import load_settings
from pipelines.runtime.setup_check import is_set_up, not_set_up_line
from pipelines.sources import refresh_function, spec_of

log = logging.getLogger("prp.refresh")


@dataclass(frozen=True)
class SourceResult:
    source: str
    ok: bool
    detail: str
    configuration: bool = False  # the failure needs a setting fixed (exit 2)

    def line(self) -> str:
        if self.ok:
            return f"  {self.source}: ok, {self.detail}"
        kind = "configuration problem" if self.configuration else "failed"
        return f"  {self.source}: {kind}: {self.detail}"


def _refresh_one(name: str, **window: object) -> SourceResult:
    """Run one source; its failure logged once and returned, never raised (Ctrl-C excepted)."""
    try:
        try:
            info = refresh_function(name)(**window)
        except DltConfigurationException as exc:
            raise configuration_error(exc) from None
    except ConfigurationError as exc:
        log.error("%s: configuration problem: %s", name, exc)
        return SourceResult(name, False, str(exc), configuration=True)
    except PipelineError as exc:
        log.debug("%s: the failure in full", name, exc_info=exc)
        log.error("%s: run failed: %s", name, exc)
        return SourceResult(name, False, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in one source must not stop the others
        known = explain_failure(exc, f"prp refresh {name}")
        if known is None:
            log.error("%s: run failed: %s: %s", name, type(exc).__name__, exc, exc_info=True)
            return SourceResult(name, False, f"{type(exc).__name__}: {exc}")
        log.debug("%s: the failure in full", name, exc_info=exc)
        log.error("%s: run failed: %s", name, known)
        return SourceResult(name, False, str(known))
    summary = getattr(info, "prp_summary", None)
    return SourceResult(name, True, f"{summary.total_rows} rows loaded" if summary else "loaded")


def refresh_sources(names: list[str], *, is_incremental: bool | None = None,
                    initial_date: date | None = None, end_date: date | None = None) -> None:
    """Refresh ``names`` in order. One source: its error is raised as it is. Several: each is
    tried, a summary line per source follows, and one error sums up the failures."""
    window = {"is_incremental": is_incremental, "initial_date": initial_date,
              "end_date": end_date}
    if len(names) == 1:
        refresh_function(names[0])(**window)
        return
    load_settings()  # a bad project-wide setting fails once, not once per source
    use_configured_secrets()  # a source's secrets may live in Secret Manager
    skipped = [spec_of(name) for name in names if not is_set_up(spec_of(name))]
    if len(skipped) == len(names):
        raise ConfigurationError("no source is set up: " + "; ".join(
            f"{spec.name}: {not_set_up_line(spec)}" for spec in skipped))
    names = [name for name in names if spec_of(name) not in skipped]
    results = [_refresh_one(name, **window) for name in names]
    log.info("refresh all: %d of %d sources loaded", sum(r.ok for r in results), len(results))
    for result in results:
        log.info(result.line())
    for spec in skipped:
        log.info("  %s: %s", spec.name, not_set_up_line(spec))
    failed = [r for r in results if not r.ok]
    if not failed:
        return
    named = ", ".join(f"{r.source} ({'configuration' if r.configuration else 'run failed'})"
                      for r in failed)
    message = (f"{len(failed)} of {len(results)} sources failed: {named}; the others loaded"
               if len(failed) < len(results) else f"every source failed: {named}")
    if any(r.configuration for r in failed):
        raise ConfigurationError(message)
    raise PipelineError(message)
