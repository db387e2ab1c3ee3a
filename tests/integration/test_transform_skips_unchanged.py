"""`prp transform` skips a build when nothing it reads changed, and builds when something did.

HubSpot and Notion (small profile) are loaded from the sandbox into DuckDB, then `prp transform` runs
in-process as a person would run it (the first build also stands for the notion+hubspot case of
tests/dbt/test_any_subset_of_sources.py). Whether dbt built is read from what dbt left behind (its
run_results.json) and from what lands in the marts. Two real builds (each costs ~20 s of CPU):
the first, and a forced one that carries a new load into the marts. That a new load, a new
as-of date or missing marts call for a build is checked where the decision is made.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pytest

from pipelines.cli import main as prp
from pipelines.runtime.settings import load_settings
from pipelines.sources.hubspot import refresh_hubspot
from pipelines.sources.notion import refresh_notion
from pipelines.transform.build import dbt_vars
from pipelines.transform.dbt_project import DBT_DIR
from pipelines.transform.record import current_inputs, record_path, unchanged_since_last_build
from sandbox.clock import current_minute
from tests.conftest import duckdb_rows
from tests.dbt.marts import assert_every_mart_fed_by

pytestmark = pytest.mark.integration

SKIPPED = "skipping dbt build"


@pytest.fixture
def box(project_dir, start, monkeypatch):
    """HubSpot and Notion, the clock a day behind real time (stamps never in the future)."""
    monkeypatch.setenv("SOURCES__HUBSPOT__COUNT_CHECK", "false")
    now = current_minute() - timedelta(days=1)
    return start(apis=("hubspot", "notion"), now=now)


def run_results(project_dir) -> dict | None:
    """What dbt's last command in this project left in its run_results.json, if any."""
    path = project_dir / "dbt-target" / "run_results.json"
    return json.loads(path.read_text()) if path.exists() else None


def built_at(project_dir) -> str | None:
    """When dbt last finished a command in this project."""
    results = run_results(project_dir)
    return results["metadata"]["generated_at"] if results else None


def transform(capsys, *args: str) -> str:
    """`prp transform [args]`; returns what it logged. It must succeed."""
    capsys.readouterr()
    assert prp(["transform", *args]) == 0
    return capsys.readouterr().out


def resource_types_run(project_dir) -> set[str]:
    """The kinds of dbt node the last command ran (model, test, unit_test, ...)."""
    return {r["unique_id"].split(".")[0] for r in run_results(project_dir)["results"]}


def contact_emails(project_dir) -> set[str]:
    rows = duckdb_rows(project_dir / "warehouse.duckdb", "select email from dev_analytics.dim_contacts")
    return {email for (email,) in rows}


def test_unchanged_warehouse_skips_and_a_load_a_new_day_or_force_builds(project_dir, box, capsys):
    refresh_hubspot(is_incremental=False)
    refresh_notion(is_incremental=False)
    out = transform(capsys)
    assert SKIPPED not in out and built_at(project_dir)
    # this first build is also the notion+hubspot case of "transform works with any subset"
    assert_every_mart_fed_by(("notion", "hubspot"), project_dir / "warehouse.duckdb", out)
    first_build = built_at(project_dir)
    # the daily build: models and data tests, not dbt's unit tests (make test runs those)
    assert resource_types_run(project_dir) == {"model", "test"}
    assert record_path(load_settings()).exists()

    # nothing new: no dbt run at all, one line says why, the summary is the last build's
    out = transform(capsys)
    skip_lines = [line for line in out.splitlines() if SKIPPED in line]
    assert len(skip_lines) == 1 and "--force" in skip_lines[0]
    assert "transform: marts fed by notion, hubspot" in out
    assert built_at(project_dir) == first_build

    # runs that found nothing new (Notion still saves its moved cursors) change no data: skip
    refresh_notion()
    refresh_hubspot()
    assert SKIPPED in transform(capsys)
    assert built_at(project_dir) == first_build

    # a new load: a build is due, and the log says why
    crm = box.app("hubspot").truth
    box.clock.advance(minutes=30)
    crm.create("contacts", {"email": "fresh.contact@example.org", "firstname": "Fresh"})
    box.clock.advance(minutes=1)  # let the search index catch up
    refresh_hubspot()
    assert "fresh.contact@example.org" not in contact_emails(project_dir)
    settings = load_settings()
    inputs = current_inputs(settings, DBT_DIR, dbt_vars(settings))
    capsys.readouterr()
    assert unchanged_since_last_build(settings, inputs) is None
    assert "a new load" in capsys.readouterr().out

    # a record that claims this load skips; --force builds anyway, and the new contact lands
    record_file = record_path(settings)
    record = json.loads(record_file.read_text())
    record["inputs"]["raw_data"] = inputs.raw_data
    record_file.write_text(json.dumps(record))
    assert SKIPPED in transform(capsys)
    assert SKIPPED not in transform(capsys, "--force")
    assert built_at(project_dir) != first_build
    assert "fresh.contact@example.org" in contact_emails(project_dir)
    assert SKIPPED in transform(capsys)  # and once built, quiet again

    # what the skip compares besides loads, checked where it decides (no build needed):
    # the as-of date moved on (the last build was yesterday): dates in the marts count to today
    inputs = current_inputs(settings, DBT_DIR, dbt_vars(settings))
    record = json.loads(record_file.read_text())
    built_for = record["inputs"]["as_of_date"]
    record["inputs"]["as_of_date"] = (date.fromisoformat(built_for) - timedelta(days=1)).isoformat()
    record_file.write_text(json.dumps(record))
    capsys.readouterr()
    assert unchanged_since_last_build(settings, inputs) is None
    assert "the as-of date" in capsys.readouterr().out
    record["inputs"]["as_of_date"] = built_for
    record_file.write_text(json.dumps(record))
    assert unchanged_since_last_build(settings, inputs) is not None

    # the marts are gone (a warehouse replaced by one with the same raw data): build them
    with duckdb.connect(str(project_dir / "warehouse.duckdb")) as con:
        con.execute("drop schema dev_analytics cascade")
    capsys.readouterr()
    assert unchanged_since_last_build(settings, current_inputs(settings, DBT_DIR, dbt_vars(settings))) \
        is None
    assert "the analytics tables" in capsys.readouterr().out
