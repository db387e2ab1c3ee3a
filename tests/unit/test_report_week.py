"""Which week "This week" shows on a Monday morning and on a Tuesday, from hand-made daily_summary
rows: five full weeks, then today's partial day (last night's sleep, a few steps, no habits yet)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines.report import build, week

pytestmark = pytest.mark.unit

ALL = {"notion", "fitbit", "hubspot"}
MONDAY = date(2026, 11, 30)
TUESDAY = MONDAY + timedelta(days=1)


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _full_day(day: date) -> dict:
    """A finished day, values varying with the date so averages are not all one number."""
    n = day.toordinal()
    return {"summary_date": day.isoformat(), "week_start": _monday_of(day).isoformat(),
            "daily_habits_tracked": 4, "daily_habits_target_met": n % 5, "hours_asleep": 6 + (n % 7) / 4,
            "steps": 6000 + 700 * (n % 9), "engagements": n % 3, "contacts_touched": n % 3}


def _partial_day(day: date) -> dict:
    """Early morning: the night's sleep ended, a few steps, one call, no habit ticked yet."""
    return {**_full_day(day), "daily_habits_tracked": 0, "daily_habits_target_met": 0, "steps": 412,
            "engagements": 1, "contacts_touched": 1}


def _warehouse(today: date, with_today: bool = True) -> list[dict]:
    """Every day from five weeks before ``today``'s week up to yesterday, and today's partial day."""
    first = _monday_of(today) - timedelta(weeks=5)
    rows = [_full_day(first + timedelta(days=k)) for k in range((today - first).days)]
    return rows + [_partial_day(today)] if with_today else rows


def _expected(rows: list[dict], monday: date) -> dict:
    """The week starting ``monday``, worked out from its own rows."""
    days = [r for r in rows if monday <= date.fromisoformat(r["summary_date"]) < monday + timedelta(days=7)]
    return {"habits_target_rate": sum(r["daily_habits_target_met"] for r in days)
            / sum(r["daily_habits_tracked"] for r in days),
            "average_sleep_hours": sum(r["hours_asleep"] for r in days) / len(days),
            "average_steps": sum(r["steps"] for r in days) / len(days),
            "people_touched": float(sum(r["contacts_touched"] for r in days)),
            "days": [r["summary_date"] for r in days]}


@pytest.mark.parametrize("as_of", [MONDAY.isoformat(), None], ids=["as-of date", "last date stands in"])
def test_monday_morning_with_a_partial_day_shows_last_week_in_full(as_of):
    rows = _warehouse(MONDAY)
    last_monday = MONDAY - timedelta(weeks=1)
    latest, before = week.week_windows(rows, as_of)
    assert latest == last_monday.isoformat()
    assert before == [(last_monday - timedelta(weeks=k)).isoformat() for k in (1, 2, 3, 4)]
    expected = _expected(rows, last_monday)
    figures, _ = week.week_figures(rows, ALL, as_of)
    assert {f.metric: f.value for f in figures} == pytest.approx(
        {k: v for k, v in expected.items() if k != "days"})
    assert all(f.display not in ("no data", "no habits tracked") for f in figures)


def test_monday_morning_section_draws_last_week_every_day_with_a_point():
    rows = _warehouse(MONDAY)
    section = week.this_week_section(rows, ALL, MONDAY.isoformat())
    last_monday = (MONDAY - timedelta(weeks=1)).isoformat()
    assert section.takeaway.startswith(f"Week of {last_monday}:")
    charts = {chart.id: chart for chart in section.charts}
    assert set(charts) == {"week-habits", "week-sleep", "week-people"}
    for chart in charts.values():
        assert chart.labels == _expected(rows, MONDAY - timedelta(weeks=1))["days"], chart.id
        assert None not in chart.series[0]["data"], chart.id


@pytest.mark.parametrize("with_today", [True, False], ids=["partial today", "nothing today yet"])
def test_tuesday_shows_the_current_week_with_today_drawn(with_today):
    rows = _warehouse(TUESDAY, with_today)
    section = week.this_week_section(rows, ALL, TUESDAY.isoformat())
    assert section.takeaway.startswith(f"Week of {MONDAY.isoformat()}:")
    figures = {f.metric: f.value for f in section.figures}
    this_week = [r for r in rows if r["week_start"] == MONDAY.isoformat()]
    assert figures["habits_target_rate"] == pytest.approx(_expected(rows, MONDAY)["habits_target_rate"])
    assert figures["average_steps"] == pytest.approx(sum(r["steps"] for r in this_week) / len(this_week))
    habits = next(chart for chart in section.charts if chart.id == "week-habits")
    assert habits.labels == [r["summary_date"] for r in this_week]
    assert habits.series[0]["data"][0] is not None  # Monday, finished


def test_a_first_day_of_data_shows_that_day_rather_than_nothing():
    rows = [_partial_day(MONDAY)]
    assert week.week_windows(rows, MONDAY.isoformat())[0] == MONDAY.isoformat()


def _marts(summary: list[dict], as_of: date, weekly_habit_this_week: bool) -> dict[str, list[dict]]:
    """Marts as read on ``as_of``: the daily summary, one daily habit and its weekly metrics."""
    periods = [{"habit_id": "read", "habit_name": "Read", "period": "daily",
                "period_start": r["summary_date"], "is_done": True,
                "is_target_met": r["daily_habits_target_met"] > 1}
               for r in summary if r["daily_habits_tracked"]]
    weeks = sorted({r["week_start"] for r in summary if r["daily_habits_tracked"]})
    if weekly_habit_this_week:  # a weekly habit's page for the week that began this morning
        weeks.append(_monday_of(as_of).isoformat())
    metrics = [{"habit_id": "read", "habit_name": "Read", "grain": "week", "window_start": start,
                "completion_rate": 0.5, "target_rate": 0.4} for start in sorted(set(weeks))]
    streaks = [{"habit_id": "read", "habit_name": "Read", "period": "daily", "current_streak": 3,
                "longest_streak": 5, "longest_streak_start": None, "longest_streak_end": None,
                "as_of_date": as_of.isoformat()}]
    marts = {name: [] for name in ("fct_sleep_nightly", "fct_activity_daily", "fct_engagements",
                                   "dim_contacts", "_dlt_loads", "_prp_completeness")}
    return {**marts, "daily_summary": summary, "fct_habit_periods": periods, "habit_metrics": metrics,
            "habit_streaks": streaks}


def test_the_marts_as_of_date_is_today_for_this_week_and_the_habits_takeaway():
    # Tuesday, nothing recorded yet today: Monday is finished, so the current week, which the
    # last date in daily_summary (Monday) standing in for today would not give
    marts = _marts(_warehouse(TUESDAY, with_today=False), TUESDAY, weekly_habit_this_week=False)
    assert build.as_of_date(marts) == TUESDAY.isoformat()
    sections = {s.id: s for s in build.compute_sections(marts)}
    assert sections["this-week"].takeaway.startswith(f"Week of {MONDAY.isoformat()}:")
    # Monday morning: both sections name last week, even with this week's weekly habit page there
    marts = _marts(_warehouse(MONDAY), MONDAY, weekly_habit_this_week=True)
    sections = {s.id: s for s in build.compute_sections(marts)}
    last_monday = (MONDAY - timedelta(weeks=1)).isoformat()
    assert sections["this-week"].takeaway.startswith(f"Week of {last_monday}:")
    assert sections["habits"].takeaway.endswith(f"in the week of {last_monday}.")
