"""The Notion pipeline against the sandbox, asserting on the rows that land in DuckDB."""

from __future__ import annotations

import json

import pytest

from pipelines.cli import main as prp
from pipelines.common.errors import PipelineError
from pipelines.notion import refresh_notion
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.integration

RAW = "dev_raw_data"
TABLES = {"Daily Habits": "notion__daily_habits", "Weekly Habits": "notion__weekly_habits",
          "Monthly Habits": "notion__monthly_habits", "Habit Reference": "notion__habit_reference"}


@pytest.fixture
def notion(start):
    return start(apis=("notion",)).notion


def warehouse(project_dir):
    return project_dir / "warehouse.duckdb"


def live_ids(project_dir, table):
    return {row[0] for row in duckdb_rows(
        warehouse(project_dir), f"select page_id from {RAW}.{table} where not in_trash")}


def value_of(project_dir, page_id, property_id):
    rows = duckdb_rows(warehouse(project_dir),
                       f"select value_bool, value_number, value_text, value_json "
                       f"from {RAW}.notion__property_values "
                       f"where page_id = '{page_id}' and property_id = '{property_id}'")
    assert len(rows) == 1
    return rows[0]


def test_full_load_matches_the_sandbox_truth(project_dir, notion):
    info = refresh_notion()
    for title, table in TABLES.items():
        assert live_ids(project_dir, table) == {p.id for p in notion.ws.live_pages(title)}
    # every property of every page, once, with the value the sandbox holds
    ws = notion.ws
    expected_values = sum(len(ws.data_sources[p.data_source_id].properties) for p in ws.live_pages())
    assert duckdb_rows(warehouse(project_dir),
                       f"select count(*) from {RAW}.notion__property_values")[0][0] == expected_values
    page = ws.live_pages("Daily Habits")[0]
    meditate = ws.data_source("Daily Habits").by_name("Meditate")
    assert value_of(project_dir, page.id, meditate.id)[0] == bool(ws.value(page, "Meditate"))
    assert info.prp_summary.rows["notion__daily_habits"] == len(ws.live_pages("Daily Habits"))


def test_relations_past_25_are_complete(project_dir, notion):
    refresh_notion()
    ws = notion.ws
    days = ws.data_source("Monthly Habits").by_name("Days")
    long_months = [p for p in ws.live_pages("Monthly Habits") if len(ws.value(p, "Days")) > 25]
    assert long_months, "the small profile must have months with more than 25 days related"
    for month in long_months:
        stored = json.loads(value_of(project_dir, month.id, days.id)[3])
        assert stored == ws.value(month, "Days")


def test_second_run_without_changes_loads_nothing(project_dir, notion):
    refresh_notion()
    notion.reset_counts()
    info = refresh_notion()
    assert info.prp_summary.total_rows == 0
    sources = len(notion.ws.data_sources)
    assert notion.counts["POST /v1/search"] == 1
    # one changes query and one trash query per data source, each a single page
    assert notion.counts["POST /v1/data_sources/{data_source_id}/query"] == 2 * sources
    assert sum(notion.counts.values()) == 1 + 2 * sources


def test_incremental_run_reflects_edits_additions_and_trash(project_dir, notion):
    refresh_notion()
    ws = notion.ws
    daily = ws.data_source("Daily Habits")
    edited, trashed = ws.live_pages("Daily Habits")[:2]
    before = bool(ws.value(edited, "Exercise"))
    ws.clock.advance(minutes=5)
    ws.edit_page(edited.id, Exercise=not before)
    added = ws.add_page("Daily Habits", {"Name": "Extra day", "Date": "2026-01-01", "Read": True})
    ws.trash_page(trashed.id)

    info = refresh_notion()

    assert info.prp_summary.rows["notion__daily_habits"] == 3
    assert live_ids(project_dir, "notion__daily_habits") == {p.id for p in ws.live_pages("Daily Habits")}
    assert value_of(project_dir, edited.id, daily.by_name("Exercise").id)[0] == (not before)
    assert value_of(project_dir, added.id, daily.by_name("Read").id)[0] is True
    assert duckdb_rows(warehouse(project_dir), f"select in_trash from {RAW}.notion__daily_habits "
                       f"where page_id = '{trashed.id}'") == [(True,)]


def test_edit_in_the_same_minute_as_the_last_run_is_not_missed(project_dir, notion):
    refresh_notion()
    ws = notion.ws
    newest = max(ws.live_pages("Weekly Habits"), key=lambda p: p.last_edited_time)
    ws.clock.set(newest.last_edited_time)  # same minute as the stored cursor
    ws.edit_page(newest.id, Workouts=99)
    info = refresh_notion()
    assert info.prp_summary.rows["notion__weekly_habits"] == 1
    workouts = ws.data_source("Weekly Habits").by_name("Workouts").id
    assert value_of(project_dir, newest.id, workouts)[1] == 99


def test_full_refresh_rereads_everything_and_replaces(project_dir, notion, monkeypatch):
    refresh_notion()
    monkeypatch.setenv("FORCE_FULL_REFRESH", "true")
    info = refresh_notion()
    assert info.prp_summary.mode == "full refresh"
    assert info.prp_summary.rows["notion__daily_habits"] == len(notion.ws.live_pages("Daily Habits"))
    assert live_ids(project_dir, "notion__daily_habits") == {
        p.id for p in notion.ws.live_pages("Daily Habits")}


def test_failed_full_refresh_keeps_previous_data(project_dir, notion, monkeypatch):
    refresh_notion()
    before = duckdb_rows(warehouse(project_dir),
                         f"select count(*) from {RAW}.notion__property_values")[0][0]
    monkeypatch.setenv("SOURCES__NOTION__MAX_RETRIES", "1")
    notion.faults.inject("server_error", count=10, path_contains="/query")
    with pytest.raises(PipelineError):
        refresh_notion(is_incremental=False)
    after = duckdb_rows(warehouse(project_dir),
                        f"select count(*) from {RAW}.notion__property_values")[0][0]
    assert after == before
    assert live_ids(project_dir, "notion__daily_habits") == {
        p.id for p in notion.ws.live_pages("Daily Habits")}


def test_rate_limits_are_survived_and_retry_after_honoured(project_dir, notion):
    notion.faults.inject("rate_limit", count=3, retry_after=1)
    info = refresh_notion()
    assert notion.early_retries == 0
    assert info.prp_summary.retries >= 3
    assert live_ids(project_dir, "notion__daily_habits") == {
        p.id for p in notion.ws.live_pages("Daily Habits")}


def test_dropped_connections_and_malformed_json_are_survived(project_dir, notion):
    notion.faults.inject("drop", count=1, path_contains="/query")
    notion.faults.inject("malformed", count=1, path_contains="/query")
    refresh_notion()
    assert live_ids(project_dir, "notion__daily_habits") == {
        p.id for p in notion.ws.live_pages("Daily Habits")}


def test_missing_api_key_exits_2_before_any_request(project_dir, notion, monkeypatch, capsys):
    monkeypatch.delenv("SOURCES__NOTION__API_KEY")
    assert prp(["refresh", "notion"]) == 2
    out = capsys.readouterr().out
    assert "SOURCES__NOTION__API_KEY" in out and ".dlt/secrets.toml" in out
    assert sum(notion.counts.values()) == 0


def test_wrong_api_key_exits_2_without_printing_it(project_dir, notion, monkeypatch, capsys):
    monkeypatch.setenv("SOURCES__NOTION__API_KEY", "ntn_wrong_key_that_must_not_leak")
    assert prp(["refresh", "notion"]) == 2
    assert "ntn_wrong_key_that_must_not_leak" not in capsys.readouterr().out


def test_configured_data_sources_and_table_names(project_dir, notion, monkeypatch):
    monkeypatch.setenv("SOURCES__NOTION__DATA_SOURCES", '{"Weekly Habits": "notion__weeks"}')
    refresh_notion()
    assert live_ids(project_dir, "notion__weeks") == {
        p.id for p in notion.ws.live_pages("Weekly Habits")}
    tables = {row[0] for row in duckdb_rows(
        warehouse(project_dir),
        f"select table_name from information_schema.tables where table_schema = '{RAW}'")}
    assert "notion__daily_habits" not in tables


def test_unknown_configured_data_source_exits_2(project_dir, notion, monkeypatch, capsys):
    monkeypatch.setenv("SOURCES__NOTION__DATA_SOURCES", '{"Yearly Habits": "notion__years"}')
    assert prp(["refresh", "notion"]) == 2
    out = capsys.readouterr().out
    assert "'Yearly Habits'" in out and "'Daily Habits'" in out
