"""Faults against the sandbox: retries within budget succeed, beyond it fail loudly, and either
way nothing is lost (primary keys equal the sandbox's truth, none duplicated)."""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from pipelines.runtime.http import PacedSession
from pipelines.sources.hubspot import refresh_hubspot
from tests.conftest import duckdb_rows
from tests.reliability.conftest import (
    RAW,
    assert_nothing_lost,
    keys,
    raw_counts,
    warehouse,
)

pytestmark = pytest.mark.integration

BUDGET = "2"  # retries per request in these tests (SOURCES__HUBSPOT__MAX_RETRIES)


@pytest.fixture
def hubspot(sandbox, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__MAX_RETRIES", BUDGET)
    return sandbox("hubspot")


@pytest.fixture
def loaded_hubspot(sandbox, monkeypatch, first_load):
    """As ``hubspot``, at the first load's moment, with that load in this test's warehouse."""
    monkeypatch.setenv("SOURCES__HUBSPOT__MAX_RETRIES", BUDGET)
    box = sandbox("hubspot", now=first_load.now)
    first_load.restore()
    return box


def edit_a_contact(box, name: str) -> str:
    crm = box.app("hubspot").truth
    first = sorted(crm.live_ids("contacts"), key=int)[0]
    box.clock.advance(minutes=5)
    crm.edit("contacts", int(first), firstname=name)
    box.clock.advance(minutes=5)  # past the search index lag
    return first


def failed_in_one_line(capsys, argv: list[str], *words: str) -> None:
    capsys.readouterr()
    assert prp(argv) == 1
    out = capsys.readouterr().out
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if "ERROR" in line]
    assert len(errors) == 1, out[-2000:]
    for word in words:
        assert word in errors[0], errors[0]


def test_eight_search_429s_in_a_row_are_survived_waiting_at_least_the_window(
        project_dir, sandbox, monkeypatch, first_load):
    """Problem: eight 429s in a row on HubSpot search failed the run: the first backoff
    (0.6 s with jitter) was shorter than search's 1-second window.

    The real default policy (no test overrides) decides every wait; the test records each
    wait and sleeps a fraction of it, so it stays fast.
    """
    box = sandbox("hubspot", now=first_load.now)
    for key in ("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "SOURCES__HUBSPOT__SEARCH_RETRY_WINDOW_SECONDS",
                "SOURCES__HUBSPOT__MAX_RETRIES"):
        monkeypatch.delenv(key, raising=False)
    waits: list[float] = []
    real_wait = PacedSession._wait_for_retry

    def record(self, response, attempt):
        waits.append(real_wait(self, response, attempt))
        return 0.2

    first_load.restore()  # a first run lists; incremental runs search
    edit_a_contact(box, "Searched")
    monkeypatch.setattr(PacedSession, "_wait_for_retry", record)
    box.app("hubspot").faults.inject("rate_limit", 8, path_contains="/search", retry_after=None)
    refresh_hubspot()
    assert len(waits) == 8
    assert min(waits) >= 1.0, waits
    assert_nothing_lost(project_dir, box)


def test_connection_drops_beyond_the_budget_fail_loudly_and_lose_nothing(project_dir, loaded_hubspot,
                                                                        capsys):
    hubspot = loaded_hubspot
    before = raw_counts(project_dir, "hubspot__")
    edit_a_contact(hubspot, "Dropped")
    hubspot.app("hubspot").faults.inject("drop", 10, path_contains="/search")
    failed_in_one_line(capsys, ["refresh", "hubspot"], "gave up after 2 retries", "connection")
    assert raw_counts(project_dir, "hubspot__") == before
    hubspot.app("hubspot").faults.clear()
    refresh_hubspot()
    assert_nothing_lost(project_dir, hubspot)


@pytest.mark.parametrize("burst", [2, 6])
def test_5xx_bursts_shorter_and_longer_than_the_budget(project_dir, loaded_hubspot, capsys, burst):
    hubspot = loaded_hubspot
    edit_a_contact(hubspot, "Burst")
    hubspot.app("hubspot").faults.inject("server_error", burst, path_contains="/search", status=503)
    if burst <= int(BUDGET):
        assert prp(["refresh", "hubspot"]) == 0
    else:
        failed_in_one_line(capsys, ["refresh", "hubspot"], "503")
        hubspot.app("hubspot").faults.clear()
        assert prp(["refresh", "hubspot"]) == 0
    assert_nothing_lost(project_dir, hubspot)


def test_malformed_json_is_retried(project_dir, hubspot):
    hubspot.app("hubspot").faults.inject("malformed", 2, path_contains="/crm/objects/")
    refresh_hubspot()
    assert_nothing_lost(project_dir, hubspot)


def test_full_refresh_failing_half_way_keeps_the_previous_tables(project_dir, loaded_hubspot, capsys):
    hubspot = loaded_hubspot
    before = raw_counts(project_dir, "hubspot__")
    hubspot.app("hubspot").faults.inject("server_error", 10, path_contains="/crm/objects/2026-09/notes")
    failed_in_one_line(capsys, ["refresh", "hubspot", "--full-refresh"], "notes")
    assert raw_counts(project_dir, "hubspot__") == before
    assert_nothing_lost(project_dir, hubspot)


def test_two_identical_runs_the_second_loads_nothing(project_dir, loaded_hubspot):
    hubspot = loaded_hubspot  # the first run: the module's first load
    before = raw_counts(project_dir, "hubspot__")
    info = refresh_hubspot()
    assert info.prp_summary.total_rows == 0
    assert raw_counts(project_dir, "hubspot__") == before
    assert_nothing_lost(project_dir, hubspot)


def test_completeness_is_recorded_and_a_difference_warned(project_dir, sandbox, first_load,
                                                          monkeypatch):
    """The API's own counts (HubSpot search totals, the Notion id scan) against the warehouse,
    in `_prp_completeness`; a record HubSpot lost without a trace is reconciled (marked deleted);
    a difference left after that is a warning in the run summary."""
    box = sandbox("hubspot", now=first_load.now)
    first_load.restore()  # what the first run recorded
    crm = box.app("hubspot").truth
    found = duckdb_rows(warehouse(project_dir),
                        f"select scope, api_count, warehouse_count from {RAW}._prp_completeness "
                        "where table_name = 'hubspot__contacts'")
    assert found == [("contacts", len(crm.live_ids("contacts")), len(crm.live_ids("contacts")))]
    # HubSpot counts with each sweep: make it due
    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    # a contact the warehouse holds but the API lost without a trace (no archive, no merge)
    first = sorted(crm.live_ids("contacts"), key=int)[0]
    del crm.records["contacts"][int(first)]
    info = refresh_hubspot()
    assert not [w for w in info.prp_summary.warnings if "the API counts" in w]
    assert keys(project_dir, "hubspot__contacts", f"id = '{first}' and is_deleted") == [first]
    # a contact HubSpot has that no search since the last run finds (a back-dated import)
    box.clock.advance(minutes=5)
    crm.create("contacts", {"email": "imported@example.org"}, at_ms=crm.now_ms() - 86_400_000 * 30)
    box.clock.advance(minutes=5)
    info = refresh_hubspot()
    assert any("hubspot__contacts (contacts): the API counts" in w for w in info.prp_summary.warnings)
