"""Logging to stdout, one line per event, with every known secret masked."""

from __future__ import annotations

import logging
import sys

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask ``value`` in every log line from now on (short values would mask too much)."""
    if value and len(value) >= 6:
        _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is now (tests and tools swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        return


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: int = logging.INFO) -> None:
    """Send the project's logs to unbuffered stdout; idempotent."""
    logger = logging.getLogger("prp")
    logger.setLevel(level)
    if any(getattr(h, "_prp", False) for h in logger.handlers):
        return
    handler = _StdoutHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                            "%Y-%m-%dT%H:%M:%S"))
    handler._prp = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.propagate = False
