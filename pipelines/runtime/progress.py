"""Progress for long extractions: a live line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger("prp.progress")


class Progress:
    """Counts items per resource and reports at most every ``interval`` seconds."""

    def __init__(self, label: str, interval: float = 5.0):
        self.label = label
        self.interval = interval
        self.count = 0
        self.started = time.monotonic()
        self.last_report = self.started
        self.tty = sys.stdout.isatty()

    def add(self, n: int, detail: str = "") -> None:
        self.count += n
        now = time.monotonic()
        if self.tty:
            sys.stdout.write(f"\r{self.label}: {self.count} rows {detail}".ljust(79)[:79])
            sys.stdout.flush()
        elif now - self.last_report >= self.interval:
            log.info("%s: %d rows so far %s", self.label, self.count, detail)
            self.last_report = now

    def done(self) -> None:
        if self.tty:
            sys.stdout.write("\r" + " " * 79 + "\r")
            sys.stdout.flush()
        log.info("%s: %d rows in %.1fs", self.label, self.count, time.monotonic() - self.started)
