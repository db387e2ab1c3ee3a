"""A Notion workspace named its owner's way reaches the habit marts without any dbt edit.

Data sources "Habits 2026 🌱" (a habit tracker by its title, no period named: daily),
"Wochenziele" (weekly by [sources.notion.periods] in .dlt/config.toml) and "Daily Habits (2025)"
load through refresh_notion; a tracker page without a date is left out, warned about and
counted in the transform summary, and the build passes.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pipelines.runtime.settings import load_settings
from pipelines.runtime.token_store import reload_dlt_providers
from pipelines.sources.notion import refresh_notion
from pipelines.transform import DAILY_BUILD_ARGS, run_dbt
from pipelines.transform.summary import summarize
from tests.conftest import duckdb_rows

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

TITLES = ("Habits 2026 🌱", "Wochenziele", "Daily Habits (2025)", "Habit Reference")


def build_workspace(ws):
    """The three trackers with a few pages each (and one page without a date)."""
    today = ws.clock.now().date()
    habits = ws.add_data_source("Habits 2026 🌱", [
        ("Name", "title", {}), ("Tag", "date", {}), ("Meditieren", "checkbox", {}),
        ("Gläser Wasser", "number", {"format": "number"})])
    weekly = ws.add_data_source("Wochenziele", [
        ("Name", "title", {}), ("Woche", "date", {}), ("Sport", "checkbox", {})])
    old = ws.add_data_source("Daily Habits (2025)", [
        ("Name", "title", {}), ("Date", "date", {}), ("Journal", "checkbox", {})])
    for back in range(1, 6):  # the five days before today, all done
        day = (today - timedelta(days=back)).isoformat()
        ws.add_page(habits.title, {"Name": day, "Tag": day, "Meditieren": True,
                                   "Gläser Wasser": 6}, data_source_id=habits.id)
    undated = ws.add_page(habits.title, {"Name": "forgot the date", "Meditieren": True},
                          data_source_id=habits.id)
    monday = today - timedelta(days=today.weekday())
    for weeks in (1, 2, 3):
        week = (monday - timedelta(weeks=weeks)).isoformat()
        ws.add_page(weekly.title, {"Name": week, "Woche": week, "Sport": True},
                    data_source_id=weekly.id)
    for day in ("2025-03-01", "2025-03-02"):
        ws.add_page(old.title, {"Name": day, "Date": day, "Journal": True}, data_source_id=old.id)
    return undated


def test_own_titles_reach_the_habit_marts_and_an_undated_page_is_left_out(
        project_dir, start, monkeypatch):
    ws = start(apis=("notion",)).notion.ws
    undated = build_workspace(ws)
    with (project_dir / ".dlt" / "config.toml").open("a", encoding="utf-8") as config:
        config.write('\n[sources.notion.periods]\n"Wochenziele" = "weekly"\n')
    reload_dlt_providers()  # a new `prp` process would read the edited file
    monkeypatch.setenv("SOURCES__NOTION__DATA_SOURCES", json.dumps(TITLES))
    monkeypatch.setenv("DBT_TARGET_PATH", str(project_dir / "dbt_target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(project_dir / "dbt_logs"))
    refresh_notion()

    db = project_dir / "warehouse.duckdb"
    recorded = dict((row[0], row[1:]) for row in duckdb_rows(
        db, "select title, role, period from dev_raw_data.notion__data_sources"))
    assert recorded == {"Habits 2026 🌱": ("habit_tracker", "daily"),
                        "Wochenziele": ("habit_tracker", "weekly"),
                        "Daily Habits (2025)": ("habit_tracker", "daily"),
                        "Habit Reference": ("habit_reference", None)}

    as_of = ws.clock.now().date().isoformat()
    run_dbt("build", "--select", "+fct_habit_periods +habit_streaks int_habit_pages",
            "--indirect-selection", "cautious",
            "--vars", json.dumps({"timezone": "Europe/London", "as_of_date": as_of}),
            *DAILY_BUILD_ARGS)  # unit tests: the demo build runs them

    periods = duckdb_rows(db, "select habit_name, period, count(*) from "
                              "dev_analytics.fct_habit_periods group by 1, 2 order by 1")
    assert periods == [("Gläser Wasser", "daily", 5), ("Journal", "daily", 2),
                       ("Meditieren", "daily", 5), ("Sport", "weekly", 3)]
    streaks = dict(duckdb_rows(db, "select habit_name, current_streak from dev_analytics.habit_streaks"))
    assert streaks == {"Gläser Wasser": 5, "Journal": 0, "Meditieren": 5, "Sport": 3}
    # the undated page: not in the marts, but kept (and flagged) in int_habit_pages
    assert duckdb_rows(db, "select count(*) from dev_analytics.fct_habit_periods "
                           f"where page_id = '{undated.id}'") == [(0,)]
    assert duckdb_rows(db, "select period_start from dev_analytics.int_habit_pages "
                           f"where page_id = '{undated.id}'") == [(None,)]
    summary = summarize(load_settings())
    assert summary.left_out == {"habit-tracker pages without a date": 1}
    assert summary.fed_by == ["notion"]
    assert "transform: 1 habit-tracker pages without a date left out of the marts (warning)" in (
        summary.lines())
