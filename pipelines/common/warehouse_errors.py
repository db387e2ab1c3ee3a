"""Destination errors a person can act on, instead of dlt's generic "check your credentials".

A DuckDB file held by another process (a DuckDB client, a notebook, a run of an older prp that
took no lock) fails inside dlt with a message about credentials and the internet connection.
"""

from __future__ import annotations

import re

from pipelines.common.errors import PipelineError

_DUCKDB_LOCK = re.compile(r'Could not set lock on file "(?P<path>[^"]+)"(?:.*?PID (?P<pid>\d+))?',
                          re.DOTALL)


def _chain(exc: BaseException | None):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "exception", None)


def locked_file_message(exc: BaseException) -> str | None:
    """One line for a DuckDB file locked by another process, if that is what ``exc`` is."""
    for inner in _chain(exc):
        match = _DUCKDB_LOCK.search(str(inner))
        if match:
            owner = f"pid {match['pid']}" if match["pid"] else "another process"
            return (f"the warehouse {match['path']} is locked by another process ({owner}); "
                    "close that DuckDB connection or wait for that run to finish, then run again")
    return None


def explain_destination_error(exc: BaseException) -> PipelineError | None:
    """A ``PipelineError`` with a clear message for known destination failures, else ``None``."""
    message = locked_file_message(exc)
    return PipelineError(message) if message else None
