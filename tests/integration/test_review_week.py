"""Which week the review covers, and how it counts streaks gained and broken, on hand-made rows:
weeks across a year's end and ISO week 53, a week not over yet, a gap in the tracked days, a
weekly habit, a monthly habit whose month does not end in the week."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines.review.compute import streak_changes
from pipelines.review.week import Week, last_completed_week, parse_week
from pipelines.runtime.errors import ConfigurationError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("today", "label", "start"), [
    ("2026-06-10", "2026-W23", "2026-06-01"),  # a Wednesday: the week before this one
    ("2026-06-08", "2026-W23", "2026-06-01"),  # a Monday: the week that ended yesterday
    ("2026-06-07", "2026-W22", "2026-05-25"),  # a Sunday: today's week is not over
    ("2027-01-05", "2026-W53", "2026-12-28"),  # ISO 2026 has 53 weeks
    ("2026-01-07", "2026-W01", "2025-12-29"),  # week 1 begins in the year before
])
def test_last_completed_week(today, label, start):
    week = last_completed_week(date.fromisoformat(today))
    assert (week.label, week.start.isoformat(), week.end - week.start) == (label, start, timedelta(days=6))


def test_a_named_week_must_be_over_and_exist():
    today = date(2026, 6, 10)
    assert parse_week("2026-W22", today).start == date(2026, 5, 25)
    assert parse_week("2026W05", today).label == "2026-W05"
    for bad in ("2026-W24", "2026-W30"):  # this week, a later one
        with pytest.raises(ConfigurationError, match="is not over yet"):
            parse_week(bad, today)
    for bad in ("2025-W54", "June", "2026-23"):
        with pytest.raises(ConfigurationError, match="is not an ISO week"):
            parse_week(bad, today)


def test_week_describes_its_dates():
    assert Week(date(2026, 6, 1), date(2026, 6, 10)).describe() == "1 to 7 June 2026"
    assert Week(date(2026, 6, 29), date(2026, 7, 10)).describe() == "29 June to 5 July 2026"
    assert Week(date(2026, 12, 28), date(2027, 1, 5)).describe() == "28 December 2026 to 3 January 2027"


def _days(habit: str, first: str, met: list[bool | None]) -> list[dict]:
    """One daily period per entry from ``first``; None leaves that day untracked."""
    start = date.fromisoformat(first)
    return [{"habit_id": habit, "habit_name": habit, "period": "daily",
             "period_start": (start + timedelta(days=k)).isoformat(),
             "period_end": (start + timedelta(days=k)).isoformat(), "is_target_met": value}
            for k, value in enumerate(met) if value is not None]


def test_streaks_gained_and_broken_in_the_week():
    week = Week(date(2026, 6, 1), date(2026, 6, 10))
    periods = (
        # four days on target before the week, every day of it too: gained, now 11 days
        _days("Meditate", "2026-05-28", [True] * 11)
        # five days before, then a miss on Thursday: broken after 5 days (and three new days after)
        + _days("Read", "2026-05-27", [True] * 5 + [True, True, True, False, True, True, True])
        # two days before the week; a day not tracked (Tuesday) ends the run as a miss does
        + _days("Water", "2026-05-30", [True, True, True, None, True, True, True, True, True])
        # nothing before the week, on target from Wednesday: gained, 5 days
        + _days("Stretch", "2026-06-01", [False, False, True, True, True, True, True])
        # weekly: the week itself on target, the week before too: gained, 2 weeks
        + [{"habit_id": "Plan", "habit_name": "Plan", "period": "weekly", "period_start": s,
            "period_end": (date.fromisoformat(s) + timedelta(days=6)).isoformat(), "is_target_met": True}
           for s in ("2026-05-25", "2026-06-01")]
        # monthly: June does not end in the week, so the week changes nothing
        + [{"habit_id": "Budget", "habit_name": "Budget", "period": "monthly", "period_start": "2026-06-01",
            "period_end": "2026-06-30", "is_target_met": False},
           {"habit_id": "Budget", "habit_name": "Budget", "period": "monthly", "period_start": "2026-05-01",
            "period_end": "2026-05-31", "is_target_met": True}]
    )
    gained, broken = streak_changes(periods, week)
    assert gained == [("Meditate", 11, "day"), ("Stretch", 5, "day"), ("Plan", 2, "week")]
    assert broken == [("Read", 5, "day"), ("Water", 2, "day")]
