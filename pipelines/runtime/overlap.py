"""Re-read an overlap window, skip what has not changed: the one incremental scheme of every source.

APIs round or lag their last-modified stamps (Notion rounds to the minute, HubSpot's search
index lags, Google restates recent days), so each run starts reading ``overlap`` before the
cursor. Records read inside that overlap last time are remembered by a short fingerprint, and
skipped when they come back unchanged, so a quiet run loads nothing. Only the overlap's
fingerprints are kept: state stays small whatever the account's size.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - dlt installs it on CPython
    orjson = None

log = logging.getLogger("prp.overlap")
# datetimes and dataclasses through ``default=str``, as json does (subclasses of str, int and
# dict are written as their base type by both)
_ORJSON_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
                   | orjson.OPT_PASSTHROUGH_DATACLASS if orjson is not None else 0)


def fingerprint(value: Any) -> str:
    """A short, stable hash of any JSON-able value (key order does not matter)."""
    body = _orjson_text(value)
    if body is None or not body.isascii():  # json escapes the rest (\u00e9): stamps as before
        body = json.dumps(value, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()[:16]


def _orjson_text(value: Any) -> bytes | None:
    """``value`` as json writes it (sorted, compact, ``str`` of anything else), by orjson, a
    few times faster (dlt's own dependency); ``None`` when it cannot."""
    if orjson is None:
        return None
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS)
    except TypeError:  # a key that is not a string, an integer past 64 bits
        return None


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class OverlapCursor:
    """A last-modified cursor in a resource's dlt state, with an overlap re-read each run."""

    def __init__(self, state: dict, *, overlap: timedelta, start: datetime,
                 full_refresh: bool = False, now: datetime | None = None,
                 max_skew: timedelta = timedelta(minutes=5), label: str = ""):
        self.state = state
        self.overlap = overlap
        self.label = label
        self.latest_allowed = (now or datetime.now(UTC)) + max_skew
        stored = None if full_refresh else state.get("cursor")
        self.cursor = _parse(stored) if stored else None
        if self.cursor is not None and self.cursor > self.latest_allowed:
            # written by an older version that let a future stamp in: it would hide every
            # later change, so read again from the start instead
            log.warning("%s: the stored cursor %s is in the future; reading from the start",
                        label or "cursor", stored)
            self.cursor, stored = None, None
        self.previous: dict[str, str] = {} if full_refresh or not stored else dict(
            state.get("boundary") or {})
        self.read_from = self.cursor - overlap if self.cursor else start
        self.newest = self.cursor
        self.seen: dict[str, tuple[datetime, str]] = {}
        self.future = 0

    @property
    def has_cursor(self) -> bool:
        return self.cursor is not None

    def seen_unchanged(self, key: str, fingerprint: str) -> bool:
        """True when ``key`` was read last run, inside the overlap, with this fingerprint."""
        return self.previous.get(key) == fingerprint

    def observe(self, key: str, at: datetime, fingerprint: str) -> None:
        """Note a record read now; a stamp in the future is kept out of the cursor."""
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if at > self.latest_allowed:
            self.future += 1
            log.warning("%s: record %s is stamped %s, in the future; it is loaded but does not "
                        "move the cursor", self.label or "cursor", key, at.isoformat())
            return
        self.seen[key] = (at, fingerprint)
        if self.newest is None or at > self.newest:
            self.newest = at

    def commit(self) -> None:
        """Store the newest stamp seen and the fingerprints inside the next overlap."""
        if self.newest is None:
            return
        edge = self.newest - self.overlap
        # every record inside the next overlap was read in this run, so ``seen`` covers it
        self.state["boundary"] = {key: fp for key, (at, fp) in self.seen.items() if at >= edge}
        self.state["cursor"] = self.newest.astimezone(UTC).isoformat()
