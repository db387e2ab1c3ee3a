"""A new habit column in Notion reaches the habit marts with no SQL change.

Small profile, Notion only: load, add a checkbox habit column and its Habit Reference row
in the sandbox, load again, build the habit marts and compare them with the sandbox.
"""

from __future__ import annotations

import json

import pytest

from pipelines.notion import refresh_notion
from pipelines.transform import run_dbt
from tests.conftest import duckdb_rows

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

HABIT_MARTS = "+fct_habit_periods +habit_metrics +habit_streaks"


def test_new_habit_column_and_its_reference_row_flow_into_the_marts(project_dir, start):
    ws = start(apis=("notion",)).notion.ws
    refresh_notion()

    ws.clock.advance(minutes=10)
    ws.add_property("Daily Habits", "Stretch", "checkbox")
    days = sorted(ws.live_pages("Daily Habits"), key=lambda p: ws.value(p, "Date"))[-5:]
    for page in days[-3:]:  # the last three days stretched, the two before not
        ws.edit_page(page.id, Stretch=True)
    for page in days[:2]:
        ws.edit_page(page.id, Stretch=False)
    ws.add_page("Habit Reference", {"Habit": "Stretch", "Period": "daily", "Target": 0.5,
                                    "Description": "daily habit"})
    refresh_notion()
    # pinned "today": the sandbox's (its tracker pages run up to the day before)
    as_of = ws.clock.now().date().isoformat()
    run_dbt("build", "--select", HABIT_MARTS, "--indirect-selection", "cautious",
            "--vars", json.dumps({"timezone": "Europe/London", "as_of_date": as_of}))

    db = project_dir / "warehouse.duckdb"
    periods = duckdb_rows(db, "select cast(period_start as varchar), is_done, target_rate, "
                              "target_source from dev_analytics.fct_habit_periods "
                              "where habit_name = 'Stretch' order by period_start")
    assert len(periods) == len(ws.live_pages("Daily Habits"))
    done = {ws.value(p, "Date") for p in days[-3:]}
    assert [row[0] for row in periods if row[1]] == sorted(done)
    assert {(row[2], row[3]) for row in periods} == {(0.5, "habit_reference")}

    streak = duckdb_rows(db, "select current_streak, longest_streak from "
                             "dev_analytics.habit_streaks where habit_name = 'Stretch'")
    assert streak == [(3, 3)]
    rate = duckdb_rows(db, "select sum(periods_target_met), sum(periods_tracked) from "
                           "dev_analytics.habit_metrics where habit_name = 'Stretch' "
                           "and grain = 'month'")
    assert rate == [(3, len(periods))]
