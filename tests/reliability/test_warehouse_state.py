"""State belongs to its warehouse: a new working directory resumes from it, a replaced warehouse
is backfilled, pending loads finish, and a run after an interrupted one still extracts."""

from __future__ import annotations

import shutil

import pytest

from pipelines.cli import main as prp
from pipelines.runtime.runner import build_pipeline
from pipelines.runtime.settings import load_settings
from pipelines.sources.hubspot import hubspot_source, refresh_hubspot
from tests.conftest import duckdb_rows
from tests.reliability.conftest import (
    FirstLoad,
    assert_nothing_lost,
    raw_counts,
    take_first_load,
    warehouse,
)

pytestmark = pytest.mark.integration

SANDBOX_APIS = {"notion": "notion", "hubspot": "hubspot", "fitbit": "google"}


@pytest.fixture(scope="module")
def first_load(tmp_path_factory) -> FirstLoad:
    """Every source's first full load (each `prp refresh <source>` exits 0), taken once: each
    test here starts from it."""
    return take_first_load(tmp_path_factory.mktemp("first_load"), tuple(SANDBOX_APIS.values()),
                           tuple(SANDBOX_APIS))


@pytest.mark.parametrize("source", list(SANDBOX_APIS))
def test_an_empty_working_directory_resumes_from_the_warehouse(project_dir, sandbox, first_load,
                                                               source, capsys):
    """A fresh CI runner or a new laptop: the warehouse is there, dlt's working directory is
    not. The run takes its state from the warehouse: incremental, nothing new to load (without
    it, the run would read everything again from the initial date). The refresh workflow does
    the same on a fresh runner in tests/workflows/test_refresh_steps.py."""
    sandbox(SANDBOX_APIS[source], now=first_load.now)
    first_load.restore()
    shutil.rmtree(load_settings().state_dir)
    before = raw_counts(project_dir, f"{source}__")
    capsys.readouterr()
    assert prp(["refresh", source]) == 0
    out = capsys.readouterr().out
    assert "refresh mode incremental" in out and "backfilling" not in out, out
    assert "rows loaded: 0" in out, out
    assert raw_counts(project_dir, f"{source}__") == before


@pytest.mark.parametrize(("first", "second"), [("hubspot", "fitbit"), ("fitbit", "notion")])
def test_deleted_warehouse_is_backfilled(project_dir, sandbox, first_load, first, second, capsys):
    """Problem: after deleting the warehouse, `prp refresh all` exited 0 but HubSpot loaded
    0 rows and Fitbit kept 8 of 383 days: once an earlier source had recreated the dataset,
    the later ones trusted their old local cursors and schema."""
    box = sandbox(SANDBOX_APIS[first], SANDBOX_APIS[second], now=first_load.now)
    first_load.restore()
    before = {s: raw_counts(project_dir, f"{s}__") for s in (first, second)}
    assert all(sum(counts.values()) > 0 for counts in before.values())
    warehouse(project_dir).unlink()
    capsys.readouterr()
    outputs = {}
    for source in (first, second):
        assert prp(["refresh", source]) == 0
        outputs[source] = capsys.readouterr().out
    for source in (first, second):
        assert raw_counts(project_dir, f"{source}__") == before[source], source
    assert_nothing_lost(project_dir, box)
    for source in (first, second):  # said in one line, not silent
        assert "does not match" in outputs[source] and "backfilling" in outputs[source], source


def test_two_warehouses_do_not_share_cursors(project_dir, sandbox, monkeypatch, first_load):
    """Problem: two clones (or two warehouses) on one machine shared one pipeline state."""
    box = sandbox("hubspot", "google", now=first_load.now)
    first_load.restore()
    first = raw_counts(project_dir, "hubspot__")
    other_dir = project_dir / "other"
    other_dir.mkdir()
    monkeypatch.setenv("PRP__DUCKDB_PATH", str(other_dir / "warehouse.duckdb"))
    for source in ("fitbit", "hubspot"):  # fitbit first creates the other warehouse's dataset
        assert prp(["refresh", source]) == 0
    assert raw_counts(other_dir, "hubspot__") == first
    assert_nothing_lost(other_dir, box)


def test_run_after_a_crash_loads_the_pending_package_and_extracts_new_data(project_dir, sandbox,
                                                                            first_load):
    """Problem: after a killed run, the next run finished the pending load but extracted
    nothing new ("requests: 0, rows loaded: 0")."""
    box = sandbox("hubspot", now=first_load.now)
    crm = box.app("hubspot").truth
    first_load.restore()
    # a run killed between extract and load leaves a normalized package behind
    box.clock.advance(minutes=5)
    first = sorted(crm.live_ids("contacts"), key=int)[0]
    crm.edit("contacts", int(first), firstname="Before-Crash")
    box.clock.advance(minutes=5)  # past the search index lag
    pipeline = build_pipeline("hubspot")
    pipeline.extract(hubspot_source())
    pipeline.normalize()
    assert pipeline.has_pending_data
    box.clock.advance(minutes=5)
    created = crm.create("contacts", {"firstname": "After-Crash", "email": "after@example.com"})
    box.clock.advance(minutes=5)
    info = refresh_hubspot()
    assert info.prp_summary.requests > 0
    assert str(created.id) in crm.live_ids("contacts")
    assert_nothing_lost(project_dir, box)
    names = dict(duckdb_rows(warehouse(project_dir),
                             "select id, firstname from dev_raw_data.hubspot__contacts"))
    assert names[first] == "Before-Crash"
    assert names[str(created.id)] == "After-Crash"
