"""Destination errors a person can act on, instead of dlt's generic "check your credentials".

A DuckDB file held by another process (a DuckDB client, a notebook, a run of an older prp that
took no lock) fails inside dlt with a message about credentials and the internet connection; so
does a damaged one (truncated, or overwritten in the middle), which DuckDB reports as a short
read, a bad checksum or "not a valid DuckDB database file".
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.runtime.errors import PipelineError, exception_chain

_DUCKDB_LOCK = re.compile(r'Could not set lock on file "(?P<path>[^"]+)"(?:.*?PID (?P<pid>\d+))?',
                          re.DOTALL)
# what DuckDB says about a file it cannot read back: cut short, a block that fails its checksum,
# a header that is not DuckDB's
_DUCKDB_DAMAGE = re.compile(r'Could not read enough bytes from file|Corrupt database file|'
                            r'not a valid DuckDB database file|does not match stored checksum')
_QUOTED_FILE = re.compile(r'file "(?P<path>[^"]+)"')
RECOVERY = ("restore a copy of it, or delete it and run `prp refresh all` to load everything again "
            "from the APIs (README: Troubleshooting)")


def locked_file_message(exc: BaseException) -> str | None:
    """One line for a DuckDB file locked by another process, if that is what ``exc`` is."""
    for inner in exception_chain(exc):
        match = _DUCKDB_LOCK.search(str(inner))
        if match:
            owner = f"pid {match['pid']}" if match["pid"] else "another process"
            return (f"the warehouse {match['path']} is locked by another process ({owner}); "
                    "close that DuckDB connection or wait for that run to finish, then run again")
    return None


def damaged_file_message(exc: BaseException, path: Path | str | None = None) -> str | None:
    """One line for a DuckDB file that is damaged, if that is what ``exc`` is (else ``None``)."""
    # the innermost match is DuckDB's own words; a wrapper (dlt's "check your credentials")
    # may quote them further down its message
    texts = [str(inner) for inner in exception_chain(exc) if _DUCKDB_DAMAGE.search(str(inner))]
    if texts:
        text = texts[-1]
        named = _QUOTED_FILE.search(text)
        where = str(path) if path else (named["path"] if named else "file")
        lines = [line for line in text.splitlines() if _DUCKDB_DAMAGE.search(line)]
        detail = (lines[0] if lines else text).strip().removeprefix("IO Error: ")[:160]
        return f"the warehouse {where} is damaged ({detail}): {RECOVERY}"
    return None


def explain_destination_error(exc: BaseException, path: Path | str | None = None) -> PipelineError | None:
    """A ``PipelineError`` with a clear message for known destination failures, else ``None``."""
    message = locked_file_message(exc) or damaged_file_message(exc, path)
    return PipelineError(message) if message else None
