"""Notion staging and the habit marts after real loads: renames, new habits and trashed pages
need no SQL.

One small-profile Notion workspace per module lives through two loads, each followed by a dbt
build of every Notion model up to the habit marts (as-of date pinned to the sandbox's today):
the first as loaded, the second after a habit column is renamed, a new checkbox habit is added
with its Habit Reference row and ticked on the last three days, and a weekly page is trashed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pipelines.sources.notion import refresh_notion
from pipelines.transform import DAILY_BUILD_ARGS, run_dbt
from tests.conftest import duckdb_rows, isolate_project

pytestmark = [pytest.mark.integration, pytest.mark.dbt]

# the habit entries, the habit marts and every Notion model they read
NOTION_MODELS = "+int_habit_entries +fct_habit_periods +habit_metrics +habit_streaks"


def build_notion_models(ws) -> None:
    # pinned "today": the sandbox's (its tracker pages run up to the day before)
    as_of = ws.clock.now().date().isoformat()
    run_dbt("build", "--select", NOTION_MODELS, "--indirect-selection", "cautious",
            "--vars", json.dumps({"timezone": "Europe/London", "as_of_date": as_of}),
            *DAILY_BUILD_ARGS)  # unit tests: the demo build runs them


def habit_entries(db) -> set[tuple]:
    return set(duckdb_rows(db, "select page_id, period, cast(period_start as varchar), habit_name, "
                               "habit_type, value from dev_analytics.int_habit_entries"))


def expected_entries(ws) -> set[tuple]:
    rows = set()
    for row in ws.habit_values():
        value = row["value"]
        if row["habit_type"] == "checkbox":
            value = 1.0 if value else 0.0
        rows.add((row["page_id"], row["period"], row["date"], row["habit"], row["habit_type"],
                  None if value is None else float(value)))
    return rows


@dataclass
class Workspace:
    ws: object
    db: object
    first: set[tuple]  # habit entries after the first load and build
    first_truth: set[tuple]
    stretched: list  # the daily pages ticked for the new habit, oldest first
    not_stretched: list
    trashed: object


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from sandbox import start_sandbox

    work = tmp_path_factory.mktemp("notion_staging")
    with pytest.MonkeyPatch.context() as mp, start_sandbox(
            profile="small", seed=7, apis=("notion",), rate_limits=False) as box:
        isolate_project(mp, work)
        for key, value in box.env().items():
            mp.setenv(key, value)
        ws = box.notion.ws
        db = work / "warehouse.duckdb"
        refresh_notion()
        build_notion_models(ws)
        first, first_truth = habit_entries(db), expected_entries(ws)

        ws.clock.advance(minutes=10)
        ws.rename_property("Daily Habits", "Meditate", "Mindfulness")
        ws.add_property("Daily Habits", "Stretch", "checkbox")
        days = sorted(ws.live_pages("Daily Habits"), key=lambda p: ws.value(p, "Date"))[-5:]
        for page in days[-3:]:  # the last three days stretched, the two before not
            ws.edit_page(page.id, Stretch=True)
        for page in days[:2]:
            ws.edit_page(page.id, Stretch=False)
        ws.add_page("Habit Reference", {"Habit": "Stretch", "Period": "daily", "Target": 0.5,
                                        "Description": "daily habit"})
        trashed = ws.live_pages("Weekly Habits")[0]
        ws.trash_page(trashed.id)
        refresh_notion()
        build_notion_models(ws)
        yield Workspace(ws, db, first, first_truth, days[-3:], days[:2], trashed)


def test_habit_entries_equal_the_sandbox_truth(workspace):
    assert workspace.first == workspace.first_truth
    assert habit_entries(workspace.db) == expected_entries(workspace.ws)


def test_renamed_property_and_new_habit_flow_through_without_code_changes(workspace):
    ws, entries = workspace.ws, habit_entries(workspace.db)
    names = {row[3] for row in entries}
    assert "Meditate" in {row[3] for row in workspace.first}
    assert "Mindfulness" in names and "Meditate" not in names
    # pages not re-read since the rename show the new name too
    daily_pages = len(ws.live_pages("Daily Habits"))
    assert sum(1 for row in entries if row[3] == "Mindfulness") == daily_pages
    stretch = [row for row in entries if row[3] == "Stretch"]
    assert len(stretch) == daily_pages  # the new column re-read every daily page once
    assert {row for row in stretch if row[5] == 1.0} == {
        (page.id, "daily", ws.value(page, "Date"), "Stretch", "checkbox", 1.0)
        for page in workspace.stretched}


def test_trashed_pages_stop_counting(workspace):
    gone = workspace.trashed.id
    assert [row for row in workspace.first if row[0] == gone]
    assert not [row for row in habit_entries(workspace.db) if row[0] == gone]


def test_new_habit_column_and_its_reference_row_flow_into_the_marts(workspace):
    ws, db = workspace.ws, workspace.db
    periods = duckdb_rows(db, "select cast(period_start as varchar), is_done, target_rate, "
                              "target_source from dev_analytics.fct_habit_periods "
                              "where habit_name = 'Stretch' order by period_start")
    assert len(periods) == len(ws.live_pages("Daily Habits"))
    done = {ws.value(p, "Date") for p in workspace.stretched}
    assert [row[0] for row in periods if row[1]] == sorted(done)
    assert {(row[2], row[3]) for row in periods} == {(0.5, "habit_reference")}

    streak = duckdb_rows(db, "select current_streak, longest_streak from "
                             "dev_analytics.habit_streaks where habit_name = 'Stretch'")
    assert streak == [(3, 3)]
    rate = duckdb_rows(db, "select sum(periods_target_met), sum(periods_tracked) from "
                           "dev_analytics.habit_metrics where habit_name = 'Stretch' "
                           "and grain = 'month'")
    assert rate == [(3, len(periods))]
