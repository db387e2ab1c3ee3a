"""Dates every source reads the same way: its backfill start, a day's bounds, sweep timing.

``sources.<name>.initial_date`` (default ``2020-01-01``) is where a first or full run starts;
``--since`` outranks it. Deletion sweeps that are costly run at most every ``hours`` (0: every
run); each source keeps the time of its last sweep in its own dlt state, under its own key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pipelines.runtime.errors import ConfigurationError


def parse_initial_date(source: str, value: date | str) -> date:
    """``sources.<source>.initial_date`` as a date; a value that is not one fails naming it.

    A date-time (``2020-01-01T00:00``) counts as its date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ConfigurationError(f"sources.{source}.initial_date {value!r} is not a date "
                                 "(YYYY-MM-DD, like 2020-01-01)") from None


def day_start(day: date) -> datetime:
    """Midnight UTC of ``day``."""
    return datetime.combine(day, datetime.min.time(), UTC)


def run_start(source: str, since: date | None, initial_date: date | str) -> datetime:
    """Where a first or full run of ``source`` starts: ``since``, else ``initial_date``."""
    return day_start(since or parse_initial_date(source, initial_date))


def sweep_due(state: dict, hours: float, now: datetime, key: str = "swept_at") -> bool:
    """Whether ``hours`` have passed since the sweep ``state[key]`` remembers (always, for 0 or
    a first run)."""
    last = state.get(key)
    if hours <= 0 or not last:
        return True
    return now - datetime.fromisoformat(last) >= timedelta(hours=hours)


def mark_swept(state: dict, now: datetime, key: str = "swept_at") -> None:
    """Remember when the last sweep finished."""
    state[key] = now.astimezone(UTC).isoformat()
