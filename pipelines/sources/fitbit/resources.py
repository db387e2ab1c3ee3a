"""The Fitbit source's resources: what each reads from the Google Health API and the rows it
yields (``source.py`` wires them into the dlt source).

Every reader re-reads its look-back window, yields the rows that changed and then marks deleted
what the warehouse holds for the window and the API no longer returns (``deletions.py``). No
read relies on an undocumented order, and none stops before its last page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import dlt

from pipelines.runtime.dates import day_start
from pipelines.runtime.overlap import fingerprint
from pipelines.runtime.progress import Progress
from pipelines.sources.fitbit.client import LIST_PAGE_SIZE, SESSION_PAGE_SIZE
from pipelines.sources.fitbit.deletions import vanished_days, vanished_keys, vanished_sleep
from pipelines.sources.fitbit.health_rows import (
    EXERCISE_TABLE,
    ZONES_COLUMNS,
    ZONES_TABLE,
    DailyType,
    SampleType,
    exercise_row,
    zone_values,
)
from pipelines.sources.fitbit.rows import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TABLE,
    rollup_date,
    rollup_values,
    sleep_row,
)
from pipelines.sources.fitbit.window import MAX_UTC_OFFSET, FitbitContext, keep_changed

ACTIVITY_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories")
ZONE_TYPES = ("time-in-heart-rate-zone", "active-zone-minutes")


def sleep(ctx: FitbitContext) -> Iterator[dict]:
    """Reconciled sleep sessions whose night falls in the window (its own offset dates it)."""
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
            day = sleep_date(ctx, row)
            if window.holds(day):
                seen.add(row["sleep_id"])
                if keep_changed(window, row["sleep_id"], day, row):
                    yield row
    progress.done()
    # the read ran to its last page (it never stops early): a night the warehouse holds for
    # the window and the API did not return is gone
    if window.compare:
        yield from vanished_sleep(lower, upper, seen,
                                  lambda row: window.holds(sleep_date(ctx, row)))
    window.cursor.commit()


def sleep_date(ctx: FitbitContext, row: dict) -> date | None:
    """The night's date by its own offset; the user's zone only when the API gave none."""
    if row["sleep_date"] is None and row["end_time"] is not None:
        row["sleep_date"] = row["end_time"].astimezone(ctx.zone).date()
    return row["sleep_date"]


def activity(ctx: FitbitContext) -> Iterator[dict]:
    """Steps, distance, floors, active minutes and calories per local day."""
    yield from daily_rollups(ctx, "activity", ACTIVITY_TYPES, ACTIVITY_TABLE, "activity_date",
                              ACTIVITY_COLUMNS, rollup_values)


def zones(ctx: FitbitContext) -> Iterator[dict]:
    """Time in each heart-rate zone and active zone minutes per local day."""
    yield from daily_rollups(ctx, "heart rate zones", ZONE_TYPES, ZONES_TABLE, "zone_date",
                              ZONES_COLUMNS, zone_values)


def daily_rollups(ctx: FitbitContext, label: str, data_types: tuple[str, ...], table: str,
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
            if keep_changed(window, day.isoformat(), day, row):
                yield row
    if window.compare:
        yield from vanished_days(table, date_column, window.start, window.end, set(days))
    window.cursor.commit()


def daily(ctx: FitbitContext, kind: DailyType) -> Iterator[dict]:
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
                if keep_changed(window, day.isoformat(), day, row):
                    yield row
    progress.done()
    if window.compare:
        yield from vanished_days(kind.table, "measured_date", window.start, window.end, seen)
    window.cursor.commit()


def exercise(ctx: FitbitContext) -> Iterator[dict]:
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


def samples(ctx: FitbitContext, kind: SampleType) -> Iterator[dict]:
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
                if keep_changed(window, row["measurement_id"], day, row):
                    yield row
    progress.done()
    if window.compare:
        yield from vanished_keys(kind.table, "measurement_id", "measured_date", window.start,
                                 window.end, seen)
    window.cursor.commit()
