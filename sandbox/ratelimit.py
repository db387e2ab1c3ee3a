"""Sliding-window request limits, as the real APIs enforce them (wall-clock time)."""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindowLimit:
    """At most ``limit`` requests in any ``window`` seconds."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self.enabled = True  # off: every request is allowed (tests that do not test pacing)
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def hit(self) -> float | None:
        """Record a request; return None if allowed, else seconds until one would be."""
        if not self.enabled:
            return None
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= self.window:
                self._hits.popleft()
            if len(self._hits) >= self.limit:
                return self.window - (now - self._hits[0])
            self._hits.append(now)
            return None

    def clear(self) -> None:
        """Forget every request counted: a window later, as far as this limit can tell."""
        with self._lock:
            self._hits.clear()

    def remaining(self) -> int:
        now = time.monotonic()
        with self._lock:
            return self.limit - sum(1 for t in self._hits if now - t < self.window)
