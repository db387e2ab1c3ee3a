"""Fault switches: the next N requests to an app misbehave in a chosen way."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

KINDS = ("rate_limit", "server_error", "drop", "malformed", "slow")


@dataclass
class Fault:
    kind: str
    path_contains: str = ""
    retry_after: int | None = 1
    status: int = 503
    seconds: float = 1.0


@dataclass
class FaultPlan:
    """A queue of faults; each request takes the first matching one."""

    _queue: deque[Fault] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    fired: int = 0

    def inject(self, kind: str, count: int = 1, **options) -> None:
        """Make the next ``count`` matching requests fail with ``kind`` (see ``KINDS``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {KINDS}")
        with self._lock:
            self._queue.extend(Fault(kind, **options) for _ in range(count))

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._queue:
                if fault.path_contains in path:
                    self._queue.remove(fault)
                    self.fired += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    @property
    def pending(self) -> int:
        return len(self._queue)
