"""A call that takes long says what it is waiting for, instead of a minute of silence.

Every API request is registered while it is in flight; one watcher thread (started when a
request is, gone once none has been in flight for a while) logs a line for each request that has
had no answer for ``prp.stall_notice_seconds`` (default 10 s), and again each time as long again
passes, until the answer comes or the request times out.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

log = logging.getLogger("prp.http")

DEFAULT_NOTICE_SECONDS = 10.0
IDLE_SECONDS = 5.0  # the watcher stops after this long with nothing in flight


@dataclass
class _Waiting:
    what: str
    timeout: float | None
    started: float
    next_notice: float


class StallWatch:
    """Requests in flight, and the thread that speaks up for the slow ones."""

    def __init__(self, notice_seconds: float = DEFAULT_NOTICE_SECONDS):
        self.notice_seconds = notice_seconds
        self._waiting: dict[int, _Waiting] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._next_id = 0

    def configure(self, notice_seconds: float) -> None:
        """Seconds without an answer before a request is reported (from the settings)."""
        self.notice_seconds = max(0.05, float(notice_seconds))

    @contextlib.contextmanager
    def waiting(self, what: str, timeout: float | None = None) -> Iterator[None]:
        """While inside, ``what`` (``hubspot: GET /crm/v3/...``) is a request in flight."""
        now = time.monotonic()
        with self._lock:
            self._next_id += 1
            key = self._next_id
            self._waiting[key] = _Waiting(what, timeout, now, now + self.notice_seconds)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="prp-stall-watch",
                                                daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._waiting.pop(key, None)

    def _watch(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(min(1.0, self.notice_seconds / 2))
            now = time.monotonic()
            with self._lock:
                if not self._waiting and now - idle_since >= IDLE_SECONDS:
                    self._thread = None
                    return
                if self._waiting:
                    idle_since = now
                due = [w for w in self._waiting.values() if now >= w.next_notice]
                for waiting in due:
                    waiting.next_notice = now + self.notice_seconds
            for waiting in due:
                limit = f"; it times out at {waiting.timeout:.0f}s" if waiting.timeout else ""
                log.info("%s: still waiting for an answer, %.1fs so far%s", waiting.what,
                         now - waiting.started, limit)


stall_watch = StallWatch()
