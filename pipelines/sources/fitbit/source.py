"""Fitbit data (sleep, activity, heart rate, vitals, exercise, body) from the Google Health API v4.

The legacy Fitbit Web API was shut down in November 2026; the user's Fitbit data is now served
by ``health.googleapis.com/v4`` with Google OAuth. The tables keep the name ``fitbit`` (the
device and the data): ``fitbit__sleep``, ``fitbit__activity_daily``,
``fitbit__resting_heart_rate`` and the health tables of ``health_rows.py``. A resource whose
scope the grant lacks is skipped with one warning; the others load.

Incremental by local date: the API has no modified-since cursor and devices sync late, so every
run re-reads a look-back window (``lookback_days``, default 7) before the newest date it read
(``OverlapCursor``), skips what comes back unchanged, and deletes rows the warehouse holds for
that window that the API no longer returns (``deletions.py``). A full refresh (or a first run) reads from
``initial_date`` (never before the account's membership start). Sleep comes from
``dataPoints:reconcile``: one session per night even when two devices recorded it; its order is
not documented, so the read is bounded by the end-time filter and always runs to its last page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt

from pipelines.runtime.context import RunContext, run_context
from pipelines.runtime.dates import day_start, parse_initial_date
from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.http import AuthError
from pipelines.runtime.overlap import OverlapCursor, fingerprint
from pipelines.runtime.progress import Progress
from pipelines.sources.fitbit.client import LIST_PAGE_SIZE, SESSION_PAGE_SIZE, HealthClient
from pipelines.sources.fitbit.deletions import vanished_days, vanished_keys, vanished_sleep
from pipelines.sources.fitbit.health_rows import (
    DAILY_TYPES,
    EXERCISE_COLUMNS,
    EXERCISE_TABLE,
    RESTING,
    SAMPLE_TYPES,
    ZONES_COLUMNS,
    ZONES_TABLE,
    DailyType,
    SampleType,
    exercise_row,
    zone_values,
)
from pipelines.sources.fitbit.oauth import REAUTHORISE_HINT, GoogleOAuth
from pipelines.sources.fitbit.rows import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TABLE,
    SLEEP_COLUMNS,
    SLEEP_TABLE,
    rollup_date,
    rollup_values,
    sleep_row,
    to_date,
)

log = logging.getLogger("prp.fitbit")

ACTIVITY_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories")
ZONE_TYPES = ("time-in-heart-rate-zone", "active-zone-minutes")
ACTIVITY_SCOPE = "activity_and_fitness.readonly"
HEALTH_SCOPE = "health_metrics_and_measurements.readonly"
# the scope (after googlehealth.) each resource needs, by the data types table of the docs; a
# resource not granted is skipped
RESOURCE_SCOPES = {"sleep": "sleep.readonly",
                   "activity_daily": ACTIVITY_SCOPE,
                   "resting_heart_rate": HEALTH_SCOPE,
                   **{t.resource: ACTIVITY_SCOPE if t.data_type == "daily-vo2-max"
                      else HEALTH_SCOPE for t in DAILY_TYPES},
                   "heart_rate_zones": ACTIVITY_SCOPE,
                   "exercise": ACTIVITY_SCOPE,
                   **{t.resource: HEALTH_SCOPE for t in SAMPLE_TYPES}}
MAX_UTC_OFFSET = timedelta(hours=14)  # the widest offset on Earth: local dates vs UTC instants


def _now() -> datetime:
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
        return _now().astimezone(self.zone).date()

    def latest_own_date(self) -> date:
        """The latest date a point dated by its own offset can carry now: today at UTC+14.

        A night slept east of the personal zone can end on what is still tomorrow there.
        """
        return max(self.today(), (_now() + MAX_UTC_OFFSET).date())

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
        _migrate_state(state)
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


def _migrate_state(state: dict) -> None:
    """State written before the overlap cursor: keep the date, drop the per-record id set."""
    last = state.pop("last_date", None)
    state.pop("recent_ids", None)
    if last and not state.get("cursor"):
        state["cursor"] = day_start(date.fromisoformat(last)).isoformat()


def _keep(window: Window, key: str, day: date, row: dict) -> bool:
    """Observe a row in the window; True when it changed since last run (so it loads)."""
    stamp = fingerprint({k: v for k, v in row.items() if k != "deleted"})
    unchanged = window.cursor.seen_unchanged(key, stamp)
    window.cursor.observe(key, day_start(day), stamp)
    return not unchanged


def _sleep(ctx: FitbitContext) -> Iterator[dict]:
    # a night is dated by its own offset: an ended one can be "tomorrow" in the personal zone
    window = ctx.window(dlt.current.resource_state(), "sleep", ctx.latest_own_date())
    if window is None:
        return
    # the end-time bounds widen the window's dates by the widest offset, so a night dated by a
    # far offset is read too; which of them fall in the window is decided per night below
    lower = day_start(window.start) - MAX_UTC_OFFSET
    upper = day_start(window.end + timedelta(days=1)) + MAX_UTC_OFFSET
    seen: set[str] = set()
    progress = Progress("fitbit sleep")
    for page in ctx.client.sleep_sessions(lower, upper):
        progress.add(len(page))
        for row in (sleep_row(point) for point in page):
            day = _sleep_date(ctx, row)
            if window.holds(day):
                seen.add(row["sleep_id"])
                if _keep(window, row["sleep_id"], day, row):
                    yield row
    progress.done()
    # the read ran to its last page (it never stops early): a night the warehouse holds for
    # the window and the API did not return is gone
    if window.compare:
        yield from vanished_sleep(lower, upper, seen,
                                  lambda row: window.holds(_sleep_date(ctx, row)))
    window.cursor.commit()


def _sleep_date(ctx: FitbitContext, row: dict) -> date | None:
    """The night's date by its own offset; the user's zone only when the API gave none."""
    if row["sleep_date"] is None and row["end_time"] is not None:
        row["sleep_date"] = row["end_time"].astimezone(ctx.zone).date()
    return row["sleep_date"]


def _activity(ctx: FitbitContext) -> Iterator[dict]:
    yield from _daily_rollups(ctx, "activity", ACTIVITY_TYPES, ACTIVITY_TABLE, "activity_date",
                              ACTIVITY_COLUMNS, rollup_values)


def _zones(ctx: FitbitContext) -> Iterator[dict]:
    yield from _daily_rollups(ctx, "heart rate zones", ZONE_TYPES, ZONES_TABLE, "zone_date",
                              ZONES_COLUMNS, zone_values)


def _daily_rollups(ctx: FitbitContext, label: str, data_types: tuple[str, ...], table: str,
                   date_column: str, columns: dict,
                   values_of: Callable[[str, dict], dict]) -> Iterator[dict]:
    """One row per local day from the ``dailyRollUp`` of several data types."""
    # stops at the personal zone's today: a day already begun further east is still under way,
    # and reading it would stretch every rollup range further into the future; the next run
    # reads it
    window = ctx.window(dlt.current.resource_state(), label)
    if window is None:
        return
    days: dict[date, dict] = {}
    progress = Progress(f"fitbit {label}")
    for data_type in data_types:
        for upper, elements in ctx.client.daily_rollup(data_type, window.start,
                                                       window.end + timedelta(days=1)):
            for element in elements:
                day, values = rollup_date(element), values_of(data_type, element)
                if values and window.holds(day):
                    days.setdefault(day, {}).update(values)
            progress.add(len(elements), f"({data_type} to {upper})")
    progress.done()
    for day in window.dates():
        if day in days:
            row = dict.fromkeys(c for c in columns if c != "deleted")
            row.update(days[day], **{date_column: day})
            if _keep(window, day.isoformat(), day, row):
                yield row
    if window.compare:
        yield from vanished_days(table, date_column, window.start, window.end, set(days))
    window.cursor.commit()


def _daily(ctx: FitbitContext, kind: DailyType) -> Iterator[dict]:
    """One row per date of a daily data type (resting heart rate, HRV, SpO2, ...)."""
    # dated in the account's zone, which can be east of the personal one (a trip, a configured
    # zone): the list has no upper bound, so reading up to the widest today costs nothing
    window = ctx.window(dlt.current.resource_state(), kind.label, ctx.latest_own_date())
    if window is None:
        return
    seen: set[date] = set()
    # only a lower bound: the live API was seen rejecting `<` on daily types
    filter_ = f'{kind.filter_name}.date >= "{window.start.isoformat()}"'
    progress = Progress(f"fitbit {kind.label}")
    for page in ctx.client.points(kind.data_type, filter_=filter_, page_size=LIST_PAGE_SIZE):
        progress.add(len(page))
        for point in page:
            row = kind.row(point)
            if row and window.holds(row["measured_date"]):
                day = row["measured_date"]
                seen.add(day)
                if _keep(window, day.isoformat(), day, row):
                    yield row
    progress.done()
    if window.compare:
        yield from vanished_days(kind.table, "measured_date", window.start, window.end, seen)
    window.cursor.commit()


def _exercise(ctx: FitbitContext) -> Iterator[dict]:
    """Exercise sessions dated by their local start, with ``updateTime`` as the change cursor:
    a session re-read in the look-back window loads again only when its ``updateTime`` moved."""
    state = dlt.current.resource_state()
    window = ctx.window(state, "exercise", ctx.latest_own_date())
    if window is None:
        return
    seen: set[str] = set()
    # the documented member for sessions other than sleep, as a lower bound only (what the live
    # API was seen to take for interval types); the pages run to their end, whatever the order
    filter_ = f'exercise.interval.civil_start_time >= "{window.start.isoformat()}"'
    progress = Progress("fitbit exercise")
    newest = state.get("last_update_time")
    for page in ctx.client.points("exercise", filter_=filter_, page_size=SESSION_PAGE_SIZE):
        progress.add(len(page))
        for row in (exercise_row(point) for point in page):
            day = row["exercise_date"]
            if not window.holds(day):
                continue
            seen.add(row["exercise_id"])
            updated = row["update_time"].isoformat() if row["update_time"] else None
            stamp = updated or fingerprint({k: v for k, v in row.items() if k != "deleted"})
            unchanged = window.cursor.seen_unchanged(row["exercise_id"], stamp)
            window.cursor.observe(row["exercise_id"], day_start(day), stamp)
            if updated and (newest is None or updated > newest):
                newest = updated
            if not unchanged:
                yield row
    progress.done()
    if window.compare:
        yield from vanished_keys(EXERCISE_TABLE, "exercise_id", "exercise_date", window.start,
                                 window.end, seen)
    if newest:
        state["last_update_time"] = newest  # the newest change seen (prp status shows it)
    window.cursor.commit()


def _samples(ctx: FitbitContext, kind: SampleType) -> Iterator[dict]:
    """Weight or body fat, one row per measurement, dated by its own offset."""
    window = ctx.window(dlt.current.resource_state(), kind.label, ctx.latest_own_date())
    if window is None:
        return
    seen: set[str] = set()
    filter_ = f'{kind.filter_name}.sample_time.civil_time >= "{window.start.isoformat()}"'
    progress = Progress(f"fitbit {kind.label}")
    for page in ctx.client.points(kind.data_type, filter_=filter_, page_size=LIST_PAGE_SIZE):
        progress.add(len(page))
        for row in filter(None, (kind.row(point) for point in page)):
            day = row["measured_date"]
            if window.holds(day):
                seen.add(row["measurement_id"])
                if _keep(window, row["measurement_id"], day, row):
                    yield row
    progress.done()
    if window.compare:
        yield from vanished_keys(kind.table, "measurement_id", "measured_date", window.start,
                                 window.end, seen)
    window.cursor.commit()


def _granted_resources(auth: GoogleOAuth, run: RunContext) -> set[str]:
    """Resources whose scope the user granted; one warning per scope left out, naming the
    resources it skips."""
    granted = {name for name, scope in RESOURCE_SCOPES.items() if auth.granted(scope)}
    for scope in dict.fromkeys(RESOURCE_SCOPES.values()):
        if auth.granted(scope):
            continue
        skipped = ", ".join(n for n, s in RESOURCE_SCOPES.items() if s == scope)
        run.warn(log, f"fitbit: {skipped} skipped: the grant lacks the scope "
                      f"googlehealth.{scope} (the box was unticked at consent); to load "
                      f"{'them' if ',' in skipped else 'it'}, {REAUTHORISE_HINT} and tick it")
    if not granted:
        raise ConfigurationError("fitbit: the grant includes none of the scopes this source "
                                 f"reads ({', '.join(dict.fromkeys(RESOURCE_SCOPES.values()))}): "
                                 f"{REAUTHORISE_HINT}")
    return granted


@dlt.source(name="fitbit", max_table_nesting=0)
def fitbit_source(
    auth: Any = None,
    fallback_time_zone: str = "UTC",
    configured_time_zone: str | None = None,
    base_url: str = dlt.config.value,
    lookback_days: int = 7,
    initial_date: str = "2020-01-01",
    requests_per_second: float = 5.0,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
    run: Any = None,
):
    """Sleep, daily activity, resting heart rate, daily vitals (HRV, SpO2, respiratory rate,
    sleep temperature, VO2 max), heart-rate zones, exercise, weight and body fat of the
    authorised user.

    ``auth`` is a ``GoogleOAuth`` (the runner injects it, see ``oauth.fitbit_injections``).
    The access token is refreshed here, before any resource runs, so a rotated refresh token
    is persisted before the first data request and the granted scopes are known. ``run`` is the
    run's context (the runner passes it; see ``pipelines.runtime.context``).
    """
    run = run_context(run, "fitbit")
    if not isinstance(auth, GoogleOAuth):
        raise ConfigurationError("fitbit: fitbit_source needs auth=GoogleOAuth(...) "
                                 "(refresh_fitbit builds it from [sources.fitbit])")
    first_date = parse_initial_date("fitbit", initial_date)
    if int(lookback_days) < 0:
        raise ConfigurationError("sources.fitbit.lookback_days must be 0 or more")
    auth.session.metrics = run.metrics  # token requests and 401 re-sends count in this run
    auth.refresh()
    granted = _granted_resources(auth, run)
    client = HealthClient(base_url, auth, requests_per_second=float(requests_per_second),
                          metrics=run.metrics)
    ctx = FitbitContext(client, auth, full_refresh, since, until, first_date, int(lookback_days),
                        fallback_time_zone, configured_time_zone)
    resources = {
        "sleep": dlt.resource(_sleep(ctx), name="sleep", table_name=SLEEP_TABLE,
                              primary_key="sleep_id", write_disposition="merge",
                              columns=SLEEP_COLUMNS),
        "activity_daily": dlt.resource(_activity(ctx), name="activity_daily",
                                       table_name=ACTIVITY_TABLE,
                                       primary_key="activity_date", write_disposition="merge",
                                       columns=ACTIVITY_COLUMNS),
        "heart_rate_zones": dlt.resource(_zones(ctx), name="heart_rate_zones",
                                         table_name=ZONES_TABLE, primary_key="zone_date",
                                         write_disposition="merge", columns=ZONES_COLUMNS),
        "exercise": dlt.resource(_exercise(ctx), name="exercise", table_name=EXERCISE_TABLE,
                                 primary_key="exercise_id", write_disposition="merge",
                                 columns=EXERCISE_COLUMNS),
    }
    for kind in (RESTING, *DAILY_TYPES):
        resources[kind.resource] = dlt.resource(
            _daily(ctx, kind), name=kind.resource, table_name=kind.table,
            primary_key="measured_date", write_disposition="merge", columns=kind.columns)
    for sample in SAMPLE_TYPES:
        resources[sample.resource] = dlt.resource(
            _samples(ctx, sample), name=sample.resource, table_name=sample.table,
            primary_key="measurement_id", write_disposition="merge", columns=sample.columns)
    return [resource for name, resource in resources.items() if name in granted]
