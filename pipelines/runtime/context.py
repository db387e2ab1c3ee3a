"""One run's context: made by the runner for each refresh and passed down to the source.

It holds what one run shares between the runner and the source it runs: the settings (read
once, before any request), the HTTP metrics (requests, retries and the warnings a run summary
lists) and the completeness expectations (what the API says it holds, checked against the
warehouse after the load). Nothing of it outlives the run: the next run gets a new one, so there
is nothing to reset, and two runs in one process cannot count into each other.

The runner hands it to a source function that takes a ``run`` argument (``make_refresh``); a
source called on its own (a test, ``dlt.pipeline(...).extract(source())``) makes a standalone one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.runtime.completeness import Expectations
from pipelines.runtime.http import RunMetrics

if TYPE_CHECKING:
    from pipelines.runtime.settings import Settings


@dataclass
class RunContext:
    """What one refresh of one source shares, from the runner down to its HTTP sessions."""

    source: str
    settings: Settings | None = None  # None only for a source run outside the runner
    metrics: RunMetrics = field(default_factory=RunMetrics)
    expectations: Expectations = field(default_factory=Expectations)

    def warn(self, logger: logging.Logger, message: str) -> None:
        """Log ``message`` as a warning and keep it for the run summary."""
        self.metrics.warn(logger, message)

    def expect(self, table: str, scope: str, api_count: int, where: str = "",
               params: tuple = ()) -> None:
        """The API holds ``api_count`` rows of ``table`` matching ``where`` (checked after load)."""
        self.expectations.add(table, scope, api_count, where, params)


def run_context(run: RunContext | None, source: str) -> RunContext:
    """``run`` as the runner passed it, else a standalone context for ``source``."""
    return run if run is not None else RunContext(source)
