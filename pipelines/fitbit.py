"""Fitbit data (sleep, daily activity, resting heart rate) from the Google Health API v4.

The legacy Fitbit Web API was shut down in November 2026; the user's Fitbit data is now
served by ``health.googleapis.com/v4`` with Google OAuth. The module and its tables keep the
name ``fitbit`` (the device and the data): ``fitbit__sleep``, ``fitbit__activity_daily``,
``fitbit__resting_heart_rate``.

Incremental by local date: the API has no modified-since cursor and devices sync late, so
every run re-reads a look-back window (``lookback_days``, default 7) before the last date it
read, merges it, and deletes rows whose data vanished from that window. A full refresh (or a
first run) reads from ``initial_date`` (never before the account's membership start).

``python -m pipelines.fitbit`` runs it; ``prp auth fitbit`` obtains the refresh token.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt
from dlt.common.pipeline import LoadInfo

from pipelines.common import token_store as token_stores
from pipelines.common.errors import ConfigurationError
from pipelines.common.http import ApiClient, AuthError
from pipelines.common.logs import register_secret
from pipelines.common.runner import RunWindow, run_source
from pipelines.common.settings import load_settings
from pipelines.fitbit_api import HealthApi
from pipelines.fitbit_oauth import TokenManager
from pipelines.fitbit_records import (
    ACTIVITY_COLUMNS,
    RESTING_COLUMNS,
    SLEEP_COLUMNS,
    resting_row,
    rollup_date,
    rollup_values,
    sleep_row,
    to_date,
)

log = logging.getLogger("prp.fitbit")

ACTIVITY_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories")
SLEEP_PAGE_SIZE = 25
LIST_PAGE_SIZE = 10000
RECENT_IDS_MARGIN_DAYS = 7  # how far behind the look-back window sleep ids are remembered


@dataclass(frozen=True)
class Window:
    """Local dates to read, inclusive, and whether rows missing from it must be deleted."""

    start: date
    end: date
    reread: bool

    def dates(self) -> Iterator[date]:
        current = self.start
        while current <= self.end:
            yield current
            current += timedelta(days=1)


@dataclass
class FitbitContext:
    """What the resources share: the API, the run's bounds and lazily read user settings."""

    api: HealthApi
    full_refresh: bool
    since: date | None
    until: date | None
    initial_date: date
    lookback_days: int
    fallback_time_zone: str
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _zone: ZoneInfo | None = None
    _membership_start: date | None = None
    _profile_read: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone from the API's settings (civil days are in it)."""
        with self._lock:
            if self._zone is None:
                try:
                    name = self.api.settings().get("timeZone") or self.fallback_time_zone
                except AuthError as exc:  # settings scope not granted: the personal zone
                    log.info("fitbit: settings not readable (%s); using time zone %s",
                             exc.status, self.fallback_time_zone)
                    name = self.fallback_time_zone
                try:
                    self._zone = ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    self._zone = ZoneInfo(self.fallback_time_zone)
                log.info("fitbit: user time zone %s", self._zone.key)
            return self._zone

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def backfill_start(self) -> date:
        """``initial_date``, or the account's membership start when that is later."""
        with self._lock:
            if not self._profile_read:
                self._profile_read = True
                try:
                    self._membership_start = to_date(
                        self.api.profile().get("membershipStartDate"))
                except AuthError as exc:  # profile scope not granted: read from initial_date
                    log.info("fitbit: profile not readable (%s); backfilling from %s",
                             exc.status, self.initial_date)
        if self._membership_start and self._membership_start > self.initial_date:
            return self._membership_start
        return self.initial_date

    def window(self, state: dict) -> Window | None:
        """The dates this run reads for one resource, from its state and the run's bounds."""
        today = self.today()
        last = state.get("last_date")
        if self.full_refresh:
            start, reread = self.since or self.backfill_start(), False
        elif self.since:
            start, reread = self.since, True
        elif last:
            start = min(date.fromisoformat(last), today) - timedelta(days=self.lookback_days)
            reread = True
        else:
            start, reread = self.backfill_start(), False
        end = min(self.until or today, today)
        if start > end:
            log.info("fitbit: nothing to read (%s is after %s)", start, end)
            return None
        return Window(start, end, reread)

    def finish(self, state: dict, window: Window) -> None:
        """Advance the cursor; it never moves backwards (a bounded re-read keeps it)."""
        last = state.get("last_date")
        if self.full_refresh or not last or window.end.isoformat() > last:
            state["last_date"] = window.end.isoformat()

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone).astimezone(UTC)


def _sleep(ctx: FitbitContext) -> Iterator[dict]:
    state = dlt.current.resource_state()
    window = ctx.window(state)
    if window is None:
        return
    lower, upper = ctx.local_midnight(window.start), ctx.local_midnight(window.end + timedelta(1))
    seen: dict[str, str] = {}
    # newest first and no filter the live API is known to accept for sleep: page back until a
    # session ends before the window (sessions do not overlap, so older ones end earlier too)
    for page in ctx.api.list_points("sleep", page_size=SLEEP_PAGE_SIZE):
        reached_start = False
        for point in page:
            row = sleep_row(point)
            if row["end_time"] is None or row["end_time"] >= upper:
                continue
            if row["end_time"] < lower:
                reached_start = True
                break
            seen[row["sleep_id"]] = row["end_time"].astimezone(ctx.zone).date().isoformat()
            yield row
        if reached_start:
            break
    known = dict(state.get("recent_ids") or {}) if not ctx.full_refresh else {}
    first, last = window.start.isoformat(), window.end.isoformat()
    if window.reread:
        for sleep_id, ended in known.items():
            if first <= ended <= last and sleep_id not in seen:
                yield {"sleep_id": sleep_id, "deleted": True}
    kept = {k: v for k, v in known.items() if not first <= v <= last}
    kept.update(seen)
    cutoff = (window.end - timedelta(days=ctx.lookback_days + RECENT_IDS_MARGIN_DAYS)).isoformat()
    state["recent_ids"] = {k: v for k, v in kept.items() if v >= cutoff}
    ctx.finish(state, window)


def _activity(ctx: FitbitContext) -> Iterator[dict]:
    state = dlt.current.resource_state()
    window = ctx.window(state)
    if window is None:
        return
    days: dict[date, dict] = {}
    for data_type in ACTIVITY_TYPES:
        for element in ctx.api.daily_rollup(data_type, window.start,
                                            window.end + timedelta(days=1)):
            day = rollup_date(element)
            values = rollup_values(data_type, element)
            if day is not None and values and window.start <= day <= window.end:
                days.setdefault(day, {}).update(values)
    for day in window.dates():
        if day in days:
            row = dict.fromkeys(c for c in ACTIVITY_COLUMNS if c != "deleted")
            row.update(days[day], activity_date=day)
            yield row
        elif window.reread:
            yield {"activity_date": day, "deleted": True}
    ctx.finish(state, window)


def _resting(ctx: FitbitContext) -> Iterator[dict]:
    state = dlt.current.resource_state()
    window = ctx.window(state)
    if window is None:
        return
    seen: set[date] = set()
    # only a lower bound: the live API was seen rejecting `<` on daily types
    filter_ = f'daily_resting_heart_rate.date >= "{window.start.isoformat()}"'
    for page in ctx.api.list_points("daily-resting-heart-rate", filter_=filter_,
                                    page_size=LIST_PAGE_SIZE):
        for point in page:
            row = resting_row(point)
            if row and window.start <= row["measured_date"] <= window.end:
                seen.add(row["measured_date"])
                yield row
    if window.reread:
        for day in window.dates():
            if day not in seen:
                yield {"measured_date": day, "deleted": True}
    ctx.finish(state, window)


@dlt.source(name="fitbit", max_table_nesting=0)
def fitbit_source(
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    refresh_token: str = dlt.secrets.value,
    base_url: str = dlt.config.value,
    token_url: str = dlt.config.value,
    lookback_days: int = 7,
    initial_date: str = "2020-01-01",
    requests_per_second: float = 4.5,
    token_store: str = "local",
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
):
    """Sleep sessions, daily activity and resting heart rate of the authorised user.

    The access token is obtained here, before any resource runs, so a rotated refresh token is
    persisted before the first data request.
    """
    for value in (client_secret, refresh_token):
        register_secret(value)
    try:
        first_date = date.fromisoformat(str(initial_date))
    except ValueError:
        raise ConfigurationError(
            f"sources.fitbit.initial_date {initial_date!r} is not a date (YYYY-MM-DD)") from None
    if int(lookback_days) < 0:
        raise ConfigurationError("sources.fitbit.lookback_days must be 0 or more")
    oauth_client = ApiClient("fitbit-oauth", token_url, requests_per_second=5.0)
    tokens = TokenManager(oauth_client, token_url, client_id, client_secret, refresh_token,
                          token_stores.token_store(token_store))
    tokens.refresh()
    api = HealthApi(ApiClient("fitbit", base_url, requests_per_second=float(requests_per_second)),
                    tokens)
    ctx = FitbitContext(api, full_refresh, since, until, first_date, int(lookback_days),
                        load_settings().timezone)
    return (
        dlt.resource(_sleep(ctx), name="sleep", table_name="fitbit__sleep",
                     primary_key="sleep_id", write_disposition="merge", columns=SLEEP_COLUMNS),
        dlt.resource(_activity(ctx), name="activity_daily", table_name="fitbit__activity_daily",
                     primary_key="activity_date", write_disposition="merge",
                     columns=ACTIVITY_COLUMNS),
        dlt.resource(_resting(ctx), name="resting_heart_rate",
                     table_name="fitbit__resting_heart_rate", primary_key="measured_date",
                     write_disposition="merge", columns=RESTING_COLUMNS),
    )


def refresh_fitbit(
    is_incremental: bool | None = None,
    pipeline: dlt.Pipeline | None = None,
    initial_date: date | None = None,
    end_date: date | None = None,
) -> LoadInfo:
    """Refresh the Fitbit tables (incremental unless told otherwise) and return dlt's LoadInfo."""

    def make_source(window: RunWindow):
        return fitbit_source(full_refresh=window.full_refresh, since=window.initial_date,
                             until=window.end_date)

    return run_source("fitbit", make_source, is_incremental=is_incremental, pipeline=pipeline,
                      initial_date=initial_date, end_date=end_date)


if __name__ == "__main__":
    from pipelines.cli import main

    sys.exit(main(["refresh", "fitbit", *sys.argv[1:]]))
