"""The report's figures and takeaways from hand-made mart rows, the warehouse reader's values,
and a page that never crashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pipelines.report import build, freshness, health, week
from pipelines.report.render import render_html
from pipelines.report.warehouse import open_reader
from pipelines.runtime.settings import Settings

pytestmark = pytest.mark.unit


def _day(day: date, tracked=2, met=1, sleep=7.0, steps=8000, people=1) -> dict:
    return {"summary_date": day.isoformat(), "week_start": (day - timedelta(days=day.weekday())).isoformat(),
            "daily_habits_tracked": tracked, "daily_habits_target_met": met, "hours_asleep": sleep,
            "steps": steps, "engagements": people, "contacts_touched": people}


def test_this_week_against_the_four_weeks_before():
    monday = date(2026, 3, 30)
    rows = [_day(monday - timedelta(days=k), sleep=6.0, steps=6000, people=1) for k in range(1, 29)]
    rows += [_day(monday + timedelta(days=k), tracked=2, met=2, sleep=8.0, steps=9000, people=2)
             for k in range(3)]
    rows.append(_day(monday + timedelta(days=3), tracked=0, met=0, sleep=None, steps=None, people=0))
    rows[-1]["engagements"] = 0
    figures, latest = week.week_figures(rows, {"notion", "fitbit", "hubspot"})
    by = {f.metric: f for f in figures}
    assert latest == "2026-03-30"
    assert by["habits_target_rate"].value == 1.0 and by["habits_target_rate"].compare == 0.5
    assert by["average_sleep_hours"].value == 8.0 and by["average_sleep_hours"].compare == 6.0
    assert by["average_steps"].display == "9,000" and by["average_steps"].compare_display == "6,000"
    assert by["people_touched"].value == 6 and by["people_touched"].compare == 7  # 28 over 4 weeks
    assert week.takeaway(figures, latest) == ("Week of 2026-03-30: habits on target up 100% on the previous "
                                              "four weeks; people touched down 14%.")


def test_a_monday_with_nothing_recorded_shows_last_week():
    sunday = date(2026, 3, 29)
    rows = [_day(sunday), _day(sunday + timedelta(days=1), tracked=0, sleep=None, steps=None, people=0)]
    assert week.week_windows(rows)[0] == "2026-03-23"


def test_only_connected_sources_have_figures_and_the_rest_say_how_to_connect():
    section = week.this_week_section([_day(date(2026, 3, 2))], {"notion"})
    assert [f.metric for f in section.figures] == ["habits_target_rate"]
    assert section.missing == ["fitbit", "hubspot"]
    html = render_html([section], "now", "duckdb")
    assert "Fitbit not connected yet" in html and "prp auth fitbit" in html
    assert "HubSpot not connected yet" in html and "SOURCES__HUBSPOT__API_KEY" in html


def test_the_activity_takeaway_counts_completed_days_not_todays_steps_so_far():
    today = date(2026, 3, 12)
    days = [{"activity_date": (today - timedelta(days=k)).isoformat(), "steps": 12000,
             "resting_heart_rate": 60, "steps_goal": 10000, "is_steps_goal_met": True}
            for k in range(1, 10)]
    days.append({"activity_date": today.isoformat(), "steps": 1200, "resting_heart_rate": None,
                 "steps_goal": 10000, "is_steps_goal_met": False})  # the morning's steps so far
    section = health.activity_section(days, today.isoformat())
    assert section.takeaway.startswith("Steps goal (10,000) met on 7 of the last 7 days")
    assert section.charts[0].labels[-1] == today.isoformat()  # the chart still shows today
    # without an as-of date every row counts, as before
    assert "met on 6 of the last 7 days" in health.activity_section(days).takeaway


def test_rolling_average_uses_calendar_days_and_skips_gaps():
    rows = [{"d": "2026-03-01", "v": 6.0}, {"d": "2026-03-02", "v": 8.0}, {"d": "2026-03-10", "v": 5.0}]
    assert health.rolling_average(rows, "d", "v") == [6.0, 7.0, 5.0]


def test_freshness_keeps_the_latest_completeness_check_per_table():
    checks = [
        {"source": "hubspot", "table_name": "hubspot__contacts", "scope": "contacts", "api_count": 10,
         "warehouse_count": 9, "checked_at": "2026-03-01 10:00:00"},
        {"source": "hubspot", "table_name": "hubspot__contacts", "scope": "contacts", "api_count": 10,
         "warehouse_count": 10, "checked_at": "2026-03-02 10:00:00"},
        {"source": "notion", "table_name": "notion__pages", "scope": "ds1", "api_count": 5,
         "warehouse_count": 4, "checked_at": "2026-03-02 10:00:00"},
    ]
    assert freshness.completeness_warnings(checks) == [
        "notion: notion__pages (ds1): the API counts 5, the warehouse holds 4"]
    loads = [{"schema_name": "notion", "last_loaded_at": "2026-03-02 09:00:00"}]
    section = freshness.freshness_section(loads, checks, now=datetime(2026, 3, 5, 9, tzinfo=UTC))
    assert section.takeaway == "1 of 3 sources loaded; stale (over 2 days): Notion; 1 completeness warning."
    assert section.missing == ["hubspot", "fitbit"]


def test_a_section_that_fails_to_compute_does_not_cost_the_page():
    marts = {name: [] for name in ("daily_summary", "fct_habit_periods", "habit_metrics", "habit_streaks",
                                   "fct_sleep_nightly", "fct_activity_daily", "fct_engagements",
                                   "dim_contacts", "_dlt_loads", "_prp_completeness")}
    marts["fct_sleep_nightly"] = [{"sleep_date": "2026-03-01", "has_main_sleep": True}]  # columns missing
    sections = build.compute_sections(marts)
    assert [s.id for s in sections] == ["this-week", "habits", "sleep", "activity", "recovery",
                                        "workouts", "relationships", "freshness"]
    sleep = next(s for s in sections if s.id == "sleep")
    assert sleep.error.startswith("could not be computed")
    assert "This section could not be computed" in render_html(sections, "now", "duckdb")


def test_no_warehouse_file_gives_a_page_of_not_connected_sections(tmp_path):
    settings = Settings(destination="duckdb", target="dev", duckdb_path=tmp_path / "missing.duckdb",
                        raw_dataset_base="raw_data", analytics_dataset_base="analytics", timezone="UTC")
    reader = open_reader(settings)
    assert reader.rows("dev_analytics", "daily_summary", "*") == []
    reader.close()
    assert not (tmp_path / "missing.duckdb").exists()


def test_the_reader_gives_json_ready_values_and_reads_missing_tables_as_empty(tmp_path):
    import duckdb

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema dev_analytics; create table dev_analytics.daily_summary as "
                    "select date '2026-03-02' as summary_date, 7.5::decimal(4, 1) as hours_asleep")
    settings = Settings(destination="duckdb", target="dev", duckdb_path=path,
                        raw_dataset_base="raw_data", analytics_dataset_base="analytics", timezone="UTC")
    reader = open_reader(settings)
    try:
        assert reader.rows("dev_analytics", "daily_summary", "summary_date, hours_asleep") == [
            {"summary_date": "2026-03-02", "hours_asleep": 7.5}]
        assert reader.rows("dev_analytics", "fct_sleep_nightly", "*") == []
        assert reader.rows("dev_raw_data", "_dlt_loads", "*") == []
    finally:
        reader.close()
