"""The dates a Fitbit resource reads this run, and what it shares with the others.

``FitbitContext`` holds the API client, the run's bounds and the user's settings (time zone,
membership start), read lazily once; ``FitbitContext.window`` turns a resource's overlap cursor
into the local dates to read (``Window``); ``keep_changed`` observes a row in the window and
says whether it changed since the last run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.runtime.dates import day_start
from pipelines.runtime.http import AuthError
from pipelines.runtime.overlap import OverlapCursor, fingerprint
from pipelines.sources.fitbit.client import HealthClient
from pipelines.sources.fitbit.oauth import GoogleOAuth
from pipelines.sources.fitbit.rows import to_date

log = logging.getLogger("prp.fitbit")

MAX_UTC_OFFSET = timedelta(hours=14)  # the widest offset on Earth: local dates vs UTC instants


def now_utc() -> datetime:
    """The present, from one place (a test pins it to the sandbox's clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Window:
    """Local dates to read, inclusive, with the cursor that chose them."""

    start: date
    end: date
    cursor: OverlapCursor
    compare: bool  # whether the warehouse's rows for these dates are checked for deletions

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def dates(self) -> Iterator[date]:
        current = self.start
        while current <= self.end:
            yield current
            current += timedelta(days=1)


@dataclass
class FitbitContext:
    """What the resources share: the API, the run's bounds and lazily read user settings."""

    client: HealthClient
    auth: GoogleOAuth
    full_refresh: bool
    since: date | None
    until: date | None
    initial_date: date
    lookback_days: int
    fallback_time_zone: str
    configured_time_zone: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _zone: ZoneInfo | None = None
    _backfill_start: date | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone (settings), for "today"; else the configured fallback."""
        with self._lock:
            if self._zone is None:
                name = self._read_time_zone()
                try:
                    self._zone = ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    self._zone = ZoneInfo(self.fallback_time_zone)
                log.info("fitbit: user time zone %s", self._zone.key)
            return self._zone

    def _read_time_zone(self) -> str:
        if self.configured_time_zone:  # the person's own setting outranks the account's
            return self.configured_time_zone
        if not self.auth.granted("settings.readonly"):
            return self.fallback_time_zone
        try:
            return self.client.settings().get("timeZone") or self.fallback_time_zone
        except AuthError as exc:  # settings refused after all: the personal zone
            log.info("fitbit: settings not readable (%s); using time zone %s", exc.status,
                     self.fallback_time_zone)
            return self.fallback_time_zone

    def today(self) -> date:
        return now_utc().astimezone(self.zone).date()

    def latest_own_date(self) -> date:
        """The latest date a point dated by its own offset can carry now: today at UTC+14.

        A night slept east of the personal zone can end on what is still tomorrow there.
        """
        return max(self.today(), (now_utc() + MAX_UTC_OFFSET).date())

    def backfill_start(self) -> date:
        """``initial_date``, or the account's membership start when that is later."""
        with self._lock:
            if self._backfill_start is None:
                self._backfill_start = max(self.initial_date,
                                           self._membership_start() or self.initial_date)
            return self._backfill_start

    def _membership_start(self) -> date | None:
        if not self.auth.granted("profile.readonly"):
            return None
        try:
            return to_date(self.client.profile().get("membershipStartDate"))
        except AuthError as exc:  # profile refused: read from initial_date
            log.info("fitbit: profile not readable (%s); backfilling from %s", exc.status,
                     self.initial_date)
            return None

    def window(self, state: dict, name: str, latest: date | None = None) -> Window | None:
        """The dates this run reads for one resource, from its cursor and the run's bounds.

        ``latest`` is the newest date the resource can hold now (default: the personal zone's
        today); the cursor takes it as "now", so such a date is no stamp "in the future".
        """
        migrate_state(state)
        today = self.today()
        latest = latest or today
        first_run = self.full_refresh or not state.get("cursor")
        start = day_start(self.since or self.backfill_start()) if first_run else day_start(today)
        cursor = OverlapCursor(state, overlap=timedelta(days=self.lookback_days), start=start,
                               full_refresh=self.full_refresh, now=day_start(latest),
                               label=f"fitbit {name}")
        first = self.since or cursor.read_from.date()
        end = min(self.until or latest, latest)
        if first > end:
            log.info("fitbit %s: nothing to read (%s is after %s)", name, first, end)
            return None
        return Window(first, end, cursor, compare=not self.full_refresh)


def migrate_state(state: dict) -> None:
    """State written before the overlap cursor: keep the date, drop the per-record id set."""
    last = state.pop("last_date", None)
    state.pop("recent_ids", None)
    if last and not state.get("cursor"):
        state["cursor"] = day_start(date.fromisoformat(last)).isoformat()


def keep_changed(window: Window, key: str, day: date, row: dict) -> bool:
    """Observe a row in the window; True when it changed since last run (so it loads)."""
    stamp = fingerprint({k: v for k, v in row.items() if k != "deleted"})
    unchanged = window.cursor.seen_unchanged(key, stamp)
    window.cursor.observe(key, day_start(day), stamp)
    return not unchanged
