"""The Notion pipeline against the API as it is in December 2026 (issue 27, items 6-11).

Version 2026-03-11 with requests shaped for 2026-12-01, rollups that show the original values,
wiki data sources, the 10,000-result query cap, archived pages, and the 60-second rate window.
Each test drives ``refresh_notion`` over plain HTTP against the sandbox in its strict modes.
"""

from __future__ import annotations

import functools
import json
import time
import types

import pytest

import sandbox.ratelimit
import sandbox.server
from pipelines.runtime import http
from pipelines.runtime.errors import PipelineError
from pipelines.sources.notion import refresh_notion
from sandbox.notion.workspace import REFERENCE_CAP
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.integration

RAW = "dev_raw_data"
QUERY = "POST /v1/data_sources/{data_source_id}/query"
GET_PAGE = "GET /v1/pages/{page_id}"


@pytest.fixture
def notion(start):
    return start(apis=("notion",)).notion


def rows(project_dir, sql):
    return duckdb_rows(project_dir / "warehouse.duckdb", sql)


def live_ids(project_dir, data_source_id):
    return {r[0] for r in rows(project_dir, f"select page_id from {RAW}.notion__pages where "
                                            f"data_source_id = '{data_source_id}' and not in_trash")}


def value_row(project_dir, page_id, property_id):
    found = rows(project_dir, f"select value_number, value_json, item_count from "
                              f"{RAW}.notion__property_values where page_id = '{page_id}' "
                              f"and property_id = '{property_id}'")
    assert len(found) == 1
    return found[0]


def long_months(ws):
    return [p for p in ws.live_pages("Monthly Habits") if len(ws.value(p, "Days")) > REFERENCE_CAP]


# item 6: version 2026-03-11, shaped for 2026-12-01 -------------------------------------------
def test_item6_pins_2026_03_11_and_loads_every_value_under_2026_12_01_behaviour(project_dir, notion):
    """The strict default serves 2026-12-01: lists carry the title only unless
    ``filter_properties`` names the rest, and people have no name."""
    ws = notion.ws
    assert notion.modes.serve_2026_12_01
    refresh_notion()

    assert set(notion.versions) == {"2026-03-11"}
    expected = sum(len(ws.data_sources[p.data_source_id].properties) for p in ws.live_pages())
    assert rows(project_dir, f"select count(*) from {RAW}.notion__property_values")[0][0] == expected
    monthly = ws.data_source("Monthly Habits")
    people = monthly.by_name("Accountability")
    month = next(p for p in ws.live_pages("Monthly Habits") if ws.value(p, "Accountability"))
    assert json.loads(value_row(project_dir, month.id, people.id)[1]) == ws.value(month, "Accountability")


def test_item6_runs_pinned_to_2026_12_01(project_dir, notion, monkeypatch):
    monkeypatch.setenv("SOURCES__NOTION__NOTION_VERSION", "2026-12-01")
    notion.modes.serve_2026_12_01 = False  # the version asked for alone brings the behaviour
    refresh_notion()
    ws = notion.ws
    assert set(notion.versions) == {"2026-12-01"}
    daily = ws.data_source("Daily Habits")
    page = ws.live_pages("Daily Habits")[0]
    assert value_row(project_dir, page.id, daily.by_name("Pages Read").id)[0] == ws.value(page, "Pages Read")


# item 7: rollups ---------------------------------------------------------------------------------
def test_item7_show_original_values_are_stored_and_unsupported_rollups_are_null(project_dir, notion):
    ws = notion.ws
    original = ws.add_rollup("Monthly Habits", "Exercise Log", "Days", "Exercise", "show_original")
    median = ws.add_rollup("Monthly Habits", "Median Pages", "Days", "Pages Read", "median")
    longest = long_months(ws)[0]
    ws.edit_page(longest.id, Days=[p.id for p in ws.live_pages("Daily Habits")])  # > 100: two item pages

    refresh_notion()

    # longest first: the months past 25 references are the ones read from the item endpoint
    for month in sorted(ws.live_pages("Monthly Habits"), key=lambda p: -len(ws.value(p, "Days"))):
        days = ws.value(month, "Days")
        number, value_json, item_count = value_row(project_dir, month.id, original.id)
        stored = json.loads(value_json)
        exercise = ws.data_source("Daily Habits").by_name("Exercise").id
        assert stored["type"] == "array"
        assert [item["checkbox"] for item in stored["array"]] == [
            bool(ws.pages[d].values.get(exercise)) for d in days]
        assert item_count == len(days)
        number, value_json, _ = value_row(project_dir, month.id, median.id)
        if len(days) > REFERENCE_CAP:  # the endpoint computes no median: null, never zero
            assert number is None and json.loads(value_json)["type"] == "unsupported"
        else:  # the page object's value saw every reference
            assert number == ws.computed_value(month, median)


# item 8: wiki data sources -------------------------------------------------------------------------
def test_item8_a_wiki_lists_its_pages_not_its_child_data_sources(project_dir, notion):
    ws = notion.ws
    wiki = ws.add_wiki("Team Wiki")
    pages = {ws.add_page("Team Wiki", {"Name": f"Article {i}", "Verified": i % 2 == 0}).id
             for i in range(3)}

    refresh_notion()

    assert live_ids(project_dir, wiki.id) == pages
    loaded = {r[0] for r in rows(project_dir, f"select page_id from {RAW}.notion__pages")}
    assert not loaded & set(wiki.children)


# item 9: the result cap of one query -----------------------------------------------------------
def test_item9_past_the_result_cap_every_page_loads_and_the_sweep_stays_an_id_scan(project_dir, notion):
    ws = notion.ws
    notion.modes.query_cap = 50  # the API's 10,000, made small
    daily = ws.data_source("Daily Habits")
    assert len(ws.live_pages("Daily Habits")) > 2 * notion.modes.query_cap

    refresh_notion()
    assert live_ids(project_dir, daily.id) == {p.id for p in ws.live_pages("Daily Habits")}
    assert rows(project_dir, f"select count(*) from {RAW}.notion__pages")[0][0] == len(ws.live_pages())

    gone = ws.live_pages("Daily Habits")[-1]
    ws.clock.advance(minutes=5)
    ws.trash_page(gone.id)
    notion.reset_counts()
    refresh_notion()
    assert rows(project_dir, f"select in_trash from {RAW}.notion__pages "
                             f"where page_id = '{gone.id}'") == [(True,)]
    # the id scan read past the cap too: only the page really missing was asked about
    assert notion.counts[GET_PAGE] == 1


def test_item9_a_cap_that_windows_cannot_resolve_fails_and_loads_nothing(project_dir, notion):
    ws = notion.ws
    notion.modes.query_cap = 50
    for i in range(60):  # sixty pages created in one minute: no created_time window splits them
        ws.add_page("Weekly Habits", {"Name": f"same minute {i}", "Week": "2026-01-05"})

    with pytest.raises(PipelineError, match="result cap"):
        refresh_notion()
    tables = {r[0] for r in rows(project_dir, "select table_name from information_schema.tables")} \
        if (project_dir / "warehouse.duckdb").exists() else set()
    if "notion__pages" in tables:
        assert rows(project_dir, f"select count(*) from {RAW}.notion__pages")[0][0] == 0


# item 10: archived is not trashed --------------------------------------------------------------
def page_flags(project_dir, page_id):
    return rows(project_dir, f"select in_trash, is_archived from {RAW}.notion__pages "
                             f"where page_id = '{page_id}'")


def test_item10_archived_pages_are_kept_flagged_and_trashed_ones_marked(project_dir, notion):
    ws = notion.ws
    weekly = ws.data_source("Weekly Habits")
    early = ws.live_pages("Weekly Habits")[0]
    ws.archive_page(early.id)  # archived before the first load: history all the same
    refresh_notion()
    assert page_flags(project_dir, early.id) == [(False, True)]

    archived, trashed = ws.live_pages("Weekly Habits")[:2]
    ws.clock.advance(minutes=5)
    ws.archive_page(archived.id)
    ws.trash_page(trashed.id)
    notion.reset_counts()
    refresh_notion()

    assert page_flags(project_dir, archived.id) == [(False, True)]
    assert page_flags(project_dir, trashed.id) == [(True, False)]
    workouts = weekly.by_name("Workouts")
    assert value_row(project_dir, archived.id, workouts.id)[0] == ws.value(archived, "Workouts")
    assert notion.counts[GET_PAGE] == 1  # the trashed page; the archive query told the other

    ws.unarchive_page(archived.id)
    notion.reset_counts()
    refresh_notion()
    assert page_flags(project_dir, archived.id) == [(False, False)]
    notion.reset_counts()
    refresh_notion()  # nothing changed: the archive query and the id scan, no page reads
    assert notion.counts[GET_PAGE] == 0


# item 11: the 60-second window -----------------------------------------------------------------
@pytest.fixture
def simulated_time(monkeypatch):
    """Sleeps move a clock that the client's pacer and the sandbox's limits both read."""
    offset = [0.0]
    sleeps: list[float] = []

    def sleep(seconds):
        sleeps.append(seconds)
        offset[0] += max(0.0, seconds)

    fake = types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0], sleep=sleep,
                                 time=time.time)
    for module in (http, sandbox.server, sandbox.ratelimit):
        monkeypatch.setattr(module, "time", fake)
    monkeypatch.setattr(http, "Pacer", functools.partial(http.Pacer, clock=fake.monotonic))
    return types.SimpleNamespace(offset=offset, sleeps=sleeps)


def test_item11_the_window_budget_is_spent_at_once_then_paced(project_dir, start, monkeypatch,
                                                               simulated_time):
    notion = start(apis=("notion",), rate_limits=True).notion  # the sandbox enforces its window
    notion.limit.limit = 10
    monkeypatch.setenv("SOURCES__NOTION__REQUESTS_PER_MINUTE", "10")
    sent_at_first_wait = []
    sleep = simulated_time.sleeps.append

    def first_wait(seconds):
        if not sent_at_first_wait:
            sent_at_first_wait.append(sum(notion.counts.values()))
        sleep(seconds)
        simulated_time.offset[0] += max(0.0, seconds)

    monkeypatch.setattr(http.time, "sleep", first_wait)
    info = refresh_notion()

    assert sum(notion.counts.values()) > 10
    assert sent_at_first_wait == [10]  # a whole window's budget before any wait
    assert info.prp_summary.retries == 0  # and never a 429
    assert live_ids(project_dir, notion.ws.data_source("Daily Habits").id) == {
        p.id for p in notion.ws.live_pages("Daily Habits")}


def test_item11_the_workspace_limit_is_named_honoured_and_slows_the_run(project_dir, notion,
                                                                       simulated_time, capsys):
    notion.modes.rate_limit_reason = "public_api_space_request_rate_limit"
    notion.faults.inject("rate_limit", retry_after=90, path_contains="/query")

    refresh_notion()

    out = capsys.readouterr().out
    assert notion.faults.fired == 1 and notion.early_retries == 0
    assert simulated_time.offset[0] >= 90 - 1e-3  # Retry-After past the 60-s window, in full
    assert "public_api_space_request_rate_limit" in out
    assert "for the rest of the run" in out


def test_item11_a_blocked_integration_is_not_retried(project_dir, notion, capsys):
    notion.modes.rate_limit_reason = "public_api_request_blocked"
    notion.faults.inject("rate_limit", count=5, path_contains="/v1/search")

    with pytest.raises(PipelineError):
        refresh_notion()

    assert notion.faults.fired == 1
    assert "public_api_request_blocked" in capsys.readouterr().out
