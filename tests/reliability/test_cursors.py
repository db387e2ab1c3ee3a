"""Cursors: a record stamped in the future never moves one, and --since/--until bound every source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipelines.cli import main as prp
from pipelines.sources.hubspot import refresh_hubspot
from pipelines.sources.notion import refresh_notion
from sandbox.hubspot.crm import to_ms
from tests.conftest import duckdb_rows
from tests.reliability.conftest import RAW, assert_nothing_lost, warehouse

pytestmark = pytest.mark.integration

FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


def firstnames(project_dir):
    return dict(duckdb_rows(warehouse(project_dir), f"select id, firstname from {RAW}.hubspot__contacts"))


def test_future_stamped_hubspot_contact_does_not_move_the_cursor(project_dir, sandbox):
    """Problem: a contact stamped 2099 moved the cursor there; later changes were never loaded,
    and --full-refresh put the cursor straight back at 2099."""
    box = sandbox("hubspot")
    crm = box.app("hubspot").truth
    ids = sorted(crm.live_ids("contacts"), key=int)
    refresh_hubspot()
    crm.edit("contacts", int(ids[0]), at_ms=to_ms(FUTURE), firstname="From-The-Future")
    box.clock.advance(minutes=5)
    refresh_hubspot()
    assert firstnames(project_dir)[ids[0]] == "From-The-Future"  # loaded all the same
    for round_, full in enumerate((True, False), start=1):
        box.clock.advance(minutes=5)
        crm.edit("contacts", int(ids[round_]), firstname=f"Later-{round_}")
        box.clock.advance(minutes=5)
        refresh_hubspot(is_incremental=not full)
        assert firstnames(project_dir)[ids[round_]] == f"Later-{round_}", f"round {round_}"
    assert_nothing_lost(project_dir, box)


def test_future_stamped_notion_page_does_not_move_the_cursor(project_dir, sandbox):
    """The same for a Notion page whose last_edited_time is in 2099."""
    box = sandbox("notion")
    ws = box.notion.ws
    pages = ws.live_pages("Daily Habits")
    refresh_notion()
    pages[0].last_edited_time = FUTURE
    box.clock.advance(minutes=5)
    refresh_notion()
    for round_, full in enumerate((True, False), start=1):
        box.clock.advance(minutes=5)
        ws.edit_page(pages[round_].id, Notes=f"later {round_}")
        box.clock.advance(minutes=5)
        refresh_notion(is_incremental=not full)
        found = duckdb_rows(warehouse(project_dir), f"select epoch(last_edited_time) from "
                            f"{RAW}.notion__pages where page_id = '{pages[round_].id}'")
        assert found[0][0] == pages[round_].last_edited_time.timestamp(), f"round {round_}"
    assert_nothing_lost(project_dir, box)


@pytest.mark.parametrize("source", ["notion", "hubspot"])
def test_since_bounds_a_run_even_with_a_cursor(project_dir, sandbox, source):
    """Problem: Notion ignored --since/--until once a cursor existed: 0 rows, exit 0.

    A first run bounded to the last few days loads only those; a second run with an earlier
    --since must load what lies before the cursor, as a first run would.
    """
    box = sandbox({"notion": "notion", "hubspot": "hubspot"}[source])
    today = box.clock.now().date()
    assert prp(["refresh", source, "--since", (today - timedelta(days=3)).isoformat()]) == 0
    table = {"notion": "notion__pages", "hubspot": "hubspot__contacts"}[source]
    partial = duckdb_rows(warehouse(project_dir), f"select count(*) from {RAW}.{table}")[0][0]
    assert prp(["refresh", source, "--since", "2020-01-01"]) == 0
    assert_nothing_lost(project_dir, box)
    total = duckdb_rows(warehouse(project_dir), f"select count(*) from {RAW}.{table}")[0][0]
    assert total > partial


def test_a_stored_cursor_in_the_future_is_not_trusted():
    """State written before this fix may already hold a 2099 cursor: it is read from the start."""
    from pipelines.runtime.overlap import OverlapCursor

    start = datetime(2020, 1, 1, tzinfo=UTC)
    state = {"cursor": FUTURE.isoformat(), "boundary": {"a": "x"}}
    cursor = OverlapCursor(state, overlap=timedelta(minutes=2), start=start)
    assert cursor.read_from == start and not cursor.has_cursor
    cursor.observe("b", FUTURE, "y")
    cursor.observe("c", datetime(2021, 1, 1, tzinfo=UTC), "z")
    cursor.commit()
    assert state["cursor"].startswith("2021-01-01")
