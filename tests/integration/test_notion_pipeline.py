"""The Notion pipeline against the sandbox, asserting on the rows that land in DuckDB."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import time
import types
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.cli import main as prp
from pipelines.runtime import http
from pipelines.runtime.errors import PipelineError
from pipelines.runtime.progress import Progress
from pipelines.sources.notion import refresh_notion
from sandbox import start_sandbox
from sandbox.clock import current_minute
from sandbox.notion.workspace import REFERENCE_CAP
from tests.conftest import duckdb_rows, isolate_project
from tests.workspace_snapshot import WorkspaceSnapshot

pytestmark = pytest.mark.integration

RAW = "dev_raw_data"
TITLES = ("Daily Habits", "Weekly Habits", "Monthly Habits", "Habit Reference")


@pytest.fixture
def notion(start):
    return start(apis=("notion",)).notion


@dataclass(frozen=True)
class FirstLoad:
    """The module's one real first load of the small sandbox, as it ran and as it landed."""

    now: datetime  # the sandbox clock it ran at
    project: Path  # where it landed
    notion: Any  # its (stopped) sandbox app: the workspace the load read
    info: Any  # the run's LoadInfo
    out: str  # what the run printed, progress reported for every row
    snapshot: WorkspaceSnapshot


@pytest.fixture(scope="module")
def first_load(tmp_path_factory) -> FirstLoad:
    """``refresh_notion()`` once into an empty warehouse; tests that start from it restore it.

    Progress is reported on every row (interval 0) so the progress test can read the lines
    of this same backfill.
    """
    work = tmp_path_factory.mktemp("notion_first_load")
    project = work / "project"
    project.mkdir()
    now = current_minute()
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, project)
        mp.setattr("pipelines.sources.notion.source.Progress", functools.partial(Progress, interval=0))
        with start_sandbox(apis=("notion",), now=now, rate_limits=False) as box:
            for key, value in box.env().items():
                mp.setenv(key, value)
            # the log handler writes to whatever sys.stdout is at the time
            with contextlib.redirect_stdout(out):
                info = refresh_notion()
            snapshot = WorkspaceSnapshot.take(work / "snapshot")
    return FirstLoad(now, project, box.notion, info, out.getvalue(), snapshot)


@pytest.fixture
def restored(start, first_load):
    """This test's sandbox (the same data as the first load's) and a copy of that load.

    A sandbox with the same seed and clock serves the same workspace, so the copied warehouse
    and dlt state are what this test's own first ``refresh_notion()`` would have left.
    """
    notion = start(apis=("notion",), now=first_load.now).notion
    first_load.snapshot.restore()
    return notion


def rows(project_dir, sql):
    return duckdb_rows(project_dir / "warehouse.duckdb", sql)


def live_ids(project_dir, data_source_id=None):
    where = f" and data_source_id = '{data_source_id}'" if data_source_id else ""
    return {row[0] for row in rows(
        project_dir, f"select page_id from {RAW}.notion__pages where not in_trash{where}")}


def truth(ws, title):
    return {p.id for p in ws.live_pages(title)}


def value_of(project_dir, page_id, property_id):
    found = rows(project_dir, f"select value_bool, value_number, value_text, value_json "
                              f"from {RAW}.notion__property_values "
                              f"where page_id = '{page_id}' and property_id = '{property_id}'")
    assert len(found) == 1
    return found[0]


def page_state(project_dir, page_id):
    return rows(project_dir, f"select in_trash, access_lost, data_source_id from {RAW}.notion__pages "
                             f"where page_id = '{page_id}'")


def sweep_requests(ws):
    """One id-only query page per 100 live pages of each data source."""
    return sum(-(-max(1, len(ws.live_pages(t))) // 100) for t in TITLES)


def test_full_load_matches_the_sandbox_truth(first_load):
    """The module's real first load (``first_load``), checked where it landed."""
    project_dir, info, ws = first_load.project, first_load.info, first_load.notion.ws
    for title in TITLES:
        assert live_ids(project_dir, ws.data_source(title).id) == truth(ws, title)
    # every property of every page, once, with the value the sandbox holds
    expected_values = sum(len(ws.data_sources[p.data_source_id].properties) for p in ws.live_pages())
    assert rows(project_dir, f"select count(*) from {RAW}.notion__property_values")[0][0] == expected_values
    page = ws.live_pages("Daily Habits")[0]
    meditate = ws.data_source("Daily Habits").by_name("Meditate")
    assert value_of(project_dir, page.id, meditate.id)[0] == bool(ws.value(page, "Meditate"))
    assert info.prp_summary.rows["notion__pages"] == len(ws.live_pages())


def test_second_run_without_changes_loads_nothing(project_dir, restored):
    notion = restored
    notion.reset_counts()
    info = refresh_notion()
    assert info.prp_summary.total_rows == 0
    sources = len(notion.ws.data_sources)
    assert notion.counts["POST /v1/search"] == 1
    # search results carry a data source's title column only (2026-12-01): one read of each schema
    assert notion.counts["GET /v1/data_sources/{data_source_id}"] == sources
    # per data source: its changes query, the sweep's archive query and its id-only pages
    queries = notion.counts["POST /v1/data_sources/{data_source_id}/query"]
    assert queries == 2 * sources + sweep_requests(notion.ws)
    assert sum(notion.counts.values()) == 1 + sources + queries


def test_incremental_run_reflects_edits_and_additions(project_dir, restored):
    ws = restored.ws
    daily = ws.data_source("Daily Habits")
    edited = ws.live_pages("Daily Habits")[0]
    before = bool(ws.value(edited, "Exercise"))
    ws.clock.advance(minutes=5)
    ws.edit_page(edited.id, Exercise=not before)
    added = ws.add_page("Daily Habits", {"Name": "Extra day", "Date": "2026-01-01", "Read": True})

    info = refresh_notion()

    assert info.prp_summary.rows["notion__pages"] == 2
    assert live_ids(project_dir, daily.id) == truth(ws, "Daily Habits")
    assert value_of(project_dir, edited.id, daily.by_name("Exercise").id)[0] == (not before)
    assert value_of(project_dir, added.id, daily.by_name("Read").id)[0] is True


def test_edit_in_the_same_minute_as_the_last_run_is_not_missed(project_dir, restored):
    ws = restored.ws
    newest = max(ws.live_pages("Weekly Habits"), key=lambda p: p.last_edited_time)
    ws.clock.set(newest.last_edited_time)  # same minute as the stored cursor
    ws.edit_page(newest.id, Workouts=99)
    info = refresh_notion()
    assert info.prp_summary.rows["notion__pages"] == 1
    workouts = ws.data_source("Weekly Habits").by_name("Workouts").id
    assert value_of(project_dir, newest.id, workouts)[1] == 99


def test_full_refresh_rereads_everything_and_replaces(project_dir, restored, monkeypatch):
    notion = restored
    monkeypatch.setenv("FORCE_FULL_REFRESH", "true")
    info = refresh_notion()
    assert info.prp_summary.mode == "full refresh"
    assert info.prp_summary.rows["notion__pages"] == len(notion.ws.live_pages())
    assert live_ids(project_dir) == {p.id for p in notion.ws.live_pages()}


def test_failed_full_refresh_keeps_previous_data(project_dir, restored, monkeypatch):
    notion = restored
    before = rows(project_dir, f"select count(*) from {RAW}.notion__property_values")[0][0]
    monkeypatch.setenv("SOURCES__NOTION__MAX_RETRIES", "1")
    notion.faults.inject("server_error", count=10, path_contains="/query")
    with pytest.raises(PipelineError):
        refresh_notion(is_incremental=False)
    assert rows(project_dir, f"select count(*) from {RAW}.notion__property_values")[0][0] == before
    assert live_ids(project_dir) == {p.id for p in notion.ws.live_pages()}


def test_rate_limits_are_survived_and_retry_after_honoured(project_dir, notion):
    notion.faults.inject("rate_limit", count=3, retry_after=1)
    info = refresh_notion()
    assert notion.early_retries == 0
    assert info.prp_summary.retries >= 3
    assert live_ids(project_dir) == {p.id for p in notion.ws.live_pages()}


def test_dropped_connections_and_malformed_json_are_survived(project_dir, notion):
    notion.faults.inject("drop", count=1, path_contains="/query")
    notion.faults.inject("malformed", count=1, path_contains="/query")
    refresh_notion()
    assert live_ids(project_dir) == {p.id for p in notion.ws.live_pages()}


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


@pytest.mark.parametrize("setting", ['["Weekly Habits"]', "Weekly Habits", "{id}",
                                     '{{"Weekly Habits": "notion__weeks"}}'])
def test_configured_data_sources_by_title_or_id(project_dir, notion, monkeypatch, setting):
    weekly = notion.ws.data_source("Weekly Habits")
    monkeypatch.setenv("SOURCES__NOTION__DATA_SOURCES", setting.format(id=weekly.id))
    info = refresh_notion()
    assert live_ids(project_dir) == truth(notion.ws, "Weekly Habits")
    assert rows(project_dir, f"select data_source_id from {RAW}.notion__data_sources") == [(weekly.id,)]
    tables = {row[0] for row in rows(project_dir, "select table_name from information_schema.tables "
                                                  f"where table_schema = '{RAW}'")}
    assert "notion__weeks" not in tables and "notion__weekly_habits" not in tables
    if setting.startswith("{{"):  # the old title -> table map still selects, with a warning
        assert any("data_sources" in w for w in info.prp_summary.warnings)


def test_unknown_configured_data_source_exits_2(project_dir, notion, monkeypatch, capsys):
    monkeypatch.setenv("SOURCES__NOTION__DATA_SOURCES", '["Yearly Habits"]')
    assert prp(["refresh", "notion"]) == 2
    out = capsys.readouterr().out
    assert "'Yearly Habits'" in out and "'Daily Habits'" in out


# issue 8 ---------------------------------------------------------------------------------------
def long_months(ws):
    return [p for p in ws.live_pages("Monthly Habits") if len(ws.value(p, "Days")) > REFERENCE_CAP]


def test_item1_encoded_property_ids(project_dir, notion):
    """Ids go into paths as returned: property items of encoded ids are read, never 404."""
    ws = notion.ws
    monthly = ws.data_source("Monthly Habits")
    people = monthly.by_name("Accountability")
    assert "%" in people.id, "the seed must give the people column an encoded id"
    crowded = ws.live_pages("Monthly Habits")[0]
    crowd = [ws.add_user(f"Member{i}") for i in range(REFERENCE_CAP + 3)]
    crowded.values[people.id] = crowd

    refresh_notion()

    encoded = [p.id for p in monthly.properties.values() if "%" in p.id]
    stored = {row[0] for row in rows(project_dir, f"select distinct property_id from "
                                                  f"{RAW}.notion__property_values")}
    assert set(encoded) <= stored  # stored exactly as returned, never decoded
    assert json.loads(value_of(project_dir, crowded.id, people.id)[3]) == crowd
    days = monthly.by_name("Days")
    for month in long_months(ws):
        assert json.loads(value_of(project_dir, month.id, days.id)[3]) == ws.value(month, "Days")


@pytest.mark.parametrize("mode", ["reject", "ignore", "honour"])
def test_item2_trash_and_restore(project_dir, restored, mode):
    notion = restored
    # the first load ran under the strict default ("reject"); both runs here under ``mode``
    notion.modes.in_trash = mode
    ws = notion.ws
    weekly = ws.data_source("Weekly Habits")
    trashed, hidden = ws.live_pages("Weekly Habits")[:2]
    ws.clock.advance(minutes=5)
    ws.trash_page(trashed.id)
    ws.revoke_access(hidden.id)

    info = refresh_notion()
    assert page_state(project_dir, trashed.id) == [(True, False, weekly.id)]
    assert page_state(project_dir, hidden.id) == [(True, True, weekly.id)]
    assert live_ids(project_dir, weekly.id) == truth(ws, "Weekly Habits")
    assert any(hidden.id in w for w in info.prp_summary.warnings)

    ws.restore_page(trashed.id)  # without touching last_edited_time
    ws.pages[hidden.id].shared = True
    refresh_notion()
    assert page_state(project_dir, trashed.id) == [(False, False, weekly.id)]
    assert page_state(project_dir, hidden.id) == [(False, False, weekly.id)]
    assert live_ids(project_dir, weekly.id) == truth(ws, "Weekly Habits")
    workouts = weekly.by_name("Workouts")
    assert value_of(project_dir, trashed.id, workouts.id)[1] == ws.value(trashed, "Workouts")


def test_item2_trash_sweep_period(project_dir, notion, monkeypatch):
    # its own first load: the period is set before it, as a person would have it
    monkeypatch.setenv("SOURCES__NOTION__TRASH_SWEEP_HOURS", "24")
    refresh_notion()
    ws = notion.ws
    gone = ws.live_pages("Weekly Habits")[0]
    ws.trash_page(gone.id)
    notion.reset_counts()
    refresh_notion()  # the first run swept (nothing to compare); the next sweep is a day away
    assert notion.counts["POST /v1/data_sources/{data_source_id}/query"] == len(ws.data_sources)
    assert notion.counts["GET /v1/pages/{page_id}"] == 0
    monkeypatch.setenv("SOURCES__NOTION__TRASH_SWEEP_HOURS", "0")
    refresh_notion()
    assert page_state(project_dir, gone.id)[0][0] is True


def test_item3_retry_after_beyond_60s_is_honoured_in_full(project_dir, notion, monkeypatch, capsys):
    """A 61 s Retry-After is waited out in full. Time is simulated: the session's sleeps move a
    clock that both the session's pacer and the sandbox's early-retry check read."""
    offset = [0.0]
    fake = types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0],
                                 sleep=lambda s: offset.__setitem__(0, offset[0] + max(0.0, s)),
                                 time=time.time)
    import sandbox.server

    monkeypatch.setattr(http, "time", fake)
    monkeypatch.setattr(sandbox.server, "time", fake)
    monkeypatch.setattr(http, "Pacer", functools.partial(http.Pacer, clock=fake.monotonic))
    notion.faults.inject("rate_limit", retry_after=61, path_contains="/query")

    refresh_notion()

    assert notion.faults.fired == 1 and notion.early_retries == 0
    assert offset[0] >= 61 - 1e-3  # the whole wait, give or take the clock reads between
    assert "asked to wait 61s" in capsys.readouterr().out
    assert live_ids(project_dir) == {p.id for p in notion.ws.live_pages()}


def test_item4_rollups_and_formulas_past_25_references(project_dir, notion):
    # strict default: a relation cut at 25 carries no has_more flag (the count tells)
    ws = notion.ws
    monthly = ws.data_source("Monthly Habits")
    rollup, formula = monthly.by_name("Days Exercised"), monthly.by_name("Days Logged")
    people = monthly.by_name("Accountability")
    crowded = ws.live_pages("Monthly Habits")[0]
    crowd = [ws.add_user(f"Member{i}") for i in range(REFERENCE_CAP + 5)]
    crowded.values[people.id] = crowd
    everything = ws.live_pages("Daily Habits")  # 130 > 100: the rollup spans two item pages
    ws.edit_page(long_months(ws)[0].id, Days=[p.id for p in everything])

    refresh_notion()

    for month in long_months(ws):
        assert value_of(project_dir, month.id, rollup.id)[1] == ws.computed_value(month, rollup)
        assert value_of(project_dir, month.id, formula.id)[1] == len(ws.value(month, "Days"))
    assert any(ws.computed_value(m, rollup) != ws.computed_value(m, rollup, REFERENCE_CAP)
               for m in long_months(ws)), "the page object's rollup must be wrong somewhere"
    assert json.loads(value_of(project_dir, crowded.id, people.id)[3]) == crowd


def test_item5_two_data_sources_with_the_same_title_both_load(project_dir, notion):
    ws = notion.ws
    daily = ws.data_source("Daily Habits")
    twin = ws.add_data_source("Daily Habits", [("Name", "title", {}), ("Stretch", "checkbox", {})],
                              database_id=daily.database_id)
    extra = ws.add_page("Daily Habits", {"Name": "twin", "Stretch": True}, data_source_id=twin.id)

    refresh_notion()

    assert live_ids(project_dir, daily.id) == truth(ws, "Daily Habits")
    assert live_ids(project_dir, twin.id) == {extra.id}
    assert sorted(rows(project_dir, f"select data_source_id, database_id, title from "
                                    f"{RAW}.notion__data_sources where title = 'Daily Habits'")) == sorted(
        [(daily.id, daily.database_id, "Daily Habits"), (twin.id, daily.database_id, "Daily Habits")])
    tables = {row[0] for row in rows(project_dir, "select table_name from information_schema.tables "
                                                  f"where table_schema = '{RAW}' and table_name "
                                                  "like 'notion%'")}
    assert tables == {"notion__pages", "notion__property_values", "notion__data_sources",
                      "notion__data_source_properties"}


def test_item13_progress_lines_during_a_backfill(first_load):
    """What the module's first load printed (``first_load`` reports progress on every row)."""
    out = first_load.out
    assert "notion Daily Habits: 1 rows so far" in out
    assert f"notion Daily Habits: {len(first_load.notion.ws.live_pages('Daily Habits'))} rows in" in out
