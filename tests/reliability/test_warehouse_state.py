"""State belongs to its warehouse: a replaced warehouse is backfilled, pending loads finish,
and a run after an interrupted one still extracts."""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from pipelines.common.runner import build_pipeline
from pipelines.hubspot import hubspot_source, refresh_hubspot
from tests.conftest import duckdb_rows
from tests.reliability.conftest import assert_nothing_lost, raw_counts, warehouse

pytestmark = pytest.mark.integration

SANDBOX_APIS = {"notion": "notion", "hubspot": "hubspot", "fitbit": "google"}


@pytest.mark.parametrize("source", ["notion", "hubspot", "fitbit"])
def test_deleted_warehouse_is_backfilled(project_dir, sandbox, source, capsys):
    """Problem: after deleting the warehouse, a refresh exited 0 and loaded 0 rows (HubSpot)
    or a few days (Fitbit), because the machine-wide state still held the cursors."""
    box = sandbox(SANDBOX_APIS[source])
    assert prp(["refresh", source]) == 0
    before = raw_counts(project_dir, f"{source}__")
    assert sum(before.values()) > 0
    warehouse(project_dir).unlink()
    capsys.readouterr()
    assert prp(["refresh", source]) == 0
    out = capsys.readouterr().out
    assert raw_counts(project_dir, f"{source}__") == before
    assert "does not match" in out and "backfilling" in out
    assert_nothing_lost(project_dir, box)


def test_two_warehouses_do_not_share_cursors(project_dir, sandbox, monkeypatch):
    """Problem: two clones (or two warehouses) on one machine shared one pipeline state."""
    box = sandbox("hubspot")
    assert prp(["refresh", "hubspot"]) == 0
    first = raw_counts(project_dir, "hubspot__")
    monkeypatch.setenv("PRP__DUCKDB_PATH", str(project_dir / "other.duckdb"))
    monkeypatch.setenv("PRP__DATA_DIR", str(project_dir / "data"))
    assert prp(["refresh", "hubspot"]) == 0
    monkeypatch.setenv("PRP__DUCKDB_PATH", str(warehouse(project_dir)))
    other_dir = project_dir / "other"
    other_dir.mkdir()
    (project_dir / "other.duckdb").rename(other_dir / "warehouse.duckdb")
    assert raw_counts(other_dir, "hubspot__") == first
    assert_nothing_lost(other_dir, box)


def test_run_after_a_crash_loads_the_pending_package_and_extracts_new_data(project_dir, sandbox):
    """Problem: after a killed run, the next run finished the pending load but extracted
    nothing new ("requests: 0, rows loaded: 0")."""
    box = sandbox("hubspot")
    crm = box.app("hubspot").truth
    refresh_hubspot()
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
