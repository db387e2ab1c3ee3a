"""Notion staging after real loads: generic habits, renames and new columns need no SQL."""

from __future__ import annotations

import pytest

from pipelines.notion import refresh_notion
from pipelines.transform import run_dbt
from tests.conftest import duckdb_rows

pytestmark = [pytest.mark.integration, pytest.mark.dbt]

NOTION_MODELS = "+int_habit_entries"  # the habit entries and every Notion model they read


def build_staging():
    run_dbt("build", "--select", NOTION_MODELS, "--indirect-selection", "cautious")


def habit_entries(project_dir):
    return duckdb_rows(project_dir / "warehouse.duckdb",
                       "select page_id, period, cast(period_start as varchar), habit_name, "
                       "habit_type, value from dev_analytics.int_habit_entries")


def expected_entries(ws):
    rows = set()
    for row in ws.habit_values():
        value = row["value"]
        if row["habit_type"] == "checkbox":
            value = 1.0 if value else 0.0
        rows.add((row["page_id"], row["period"], row["date"], row["habit"], row["habit_type"],
                  None if value is None else float(value)))
    return rows


def test_habit_entries_equal_the_sandbox_truth(project_dir, start):
    ws = start(apis=("notion",)).notion.ws
    refresh_notion()
    build_staging()
    assert set(habit_entries(project_dir)) == expected_entries(ws)


def test_renamed_property_and_new_habit_flow_through_without_code_changes(project_dir, start):
    ws = start(apis=("notion",)).notion.ws
    refresh_notion()
    build_staging()

    ws.clock.advance(minutes=10)
    ws.rename_property("Daily Habits", "Meditate", "Mindfulness")
    ws.add_property("Daily Habits", "Stretch", "checkbox")
    stretched = ws.live_pages("Daily Habits")[3]
    ws.edit_page(stretched.id, Stretch=True)
    refresh_notion()
    build_staging()

    entries = habit_entries(project_dir)
    names = {row[3] for row in entries}
    assert "Mindfulness" in names and "Meditate" not in names
    # pages not re-read since the rename show the new name too
    daily_pages = len(ws.live_pages("Daily Habits"))
    assert sum(1 for row in entries if row[3] == "Mindfulness") == daily_pages
    stretch = [row for row in entries if row[3] == "Stretch"]
    assert len(stretch) == daily_pages  # the new column re-read every daily page once
    assert [row for row in stretch if row[5] == 1.0] == [
        (stretched.id, "daily", ws.value(stretched, "Date"), "Stretch", "checkbox", 1.0)]
    assert set(entries) == expected_entries(ws)


def test_trashed_pages_stop_counting(project_dir, start):
    ws = start(apis=("notion",)).notion.ws
    refresh_notion()
    gone = ws.live_pages("Weekly Habits")[0]
    ws.clock.advance(minutes=3)
    ws.trash_page(gone.id)
    refresh_notion()
    build_staging()
    assert not [row for row in habit_entries(project_dir) if row[0] == gone.id]
    assert set(habit_entries(project_dir)) == expected_entries(ws)
