"""A movable clock: the sandbox's idea of "now", shared by its apps and generators."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


def current_minute() -> datetime:
    """The present, to the minute: where a sandbox's clock starts unless told otherwise, and the
    one "now" the tests derive their moments from (the calendar sweep moves it)."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


class Clock:
    """Starts at ``start`` (UTC) and moves only when told to, so runs are repeatable."""

    def __init__(self, start: datetime):
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)
