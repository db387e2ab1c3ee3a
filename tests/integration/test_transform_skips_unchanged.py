"""`prp transform` skips a build when nothing it reads changed, and builds when something did.

HubSpot and Notion (small profile) are loaded from the sandbox into DuckDB, then `prp transform` runs
in-process as a person would run it. Whether dbt built is read from what dbt left behind (its
run_results.json) and from what lands in the marts.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from pipelines.cli import main as prp
from pipelines.common.settings import load_settings
from pipelines.hubspot import refresh_hubspot
from pipelines.notion import refresh_notion
from pipelines.transform_record import record_path
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.integration

SKIPPED = "skipping dbt build"


@pytest.fixture
def box(project_dir, start, monkeypatch):
    """HubSpot and Notion, the clock a day behind real time (stamps never in the future)."""
    monkeypatch.setenv("SOURCES__HUBSPOT__COUNT_CHECK", "false")
    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
    return start(apis=("hubspot", "notion"), now=now)


def built_at(project_dir) -> str | None:
    """When dbt last finished a command in this project (its run_results.json)."""
    results = project_dir / "dbt-target" / "run_results.json"
    return json.loads(results.read_text())["metadata"]["generated_at"] if results.exists() else None


def transform(capsys, *args: str) -> str:
    """`prp transform [args]`; returns what it logged. It must succeed."""
    capsys.readouterr()
    assert prp(["transform", *args]) == 0
    return capsys.readouterr().out


def contact_emails(project_dir) -> set[str]:
    rows = duckdb_rows(project_dir / "warehouse.duckdb", "select email from dev_analytics.dim_contacts")
    return {email for (email,) in rows}


def test_unchanged_warehouse_skips_and_a_load_a_new_day_or_force_builds(project_dir, box, capsys):
    refresh_hubspot(is_incremental=False)
    refresh_notion(is_incremental=False)
    out = transform(capsys)
    assert SKIPPED not in out and built_at(project_dir)
    first_build = built_at(project_dir)
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

    # --force builds anyway
    assert SKIPPED not in transform(capsys, "--force")
    forced_build = built_at(project_dir)
    assert forced_build != first_build

    # a new load: a new contact reaches the marts
    crm = box.app("hubspot").truth
    box.clock.advance(minutes=30)
    crm.create("contacts", {"email": "fresh.contact@example.org", "firstname": "Fresh"})
    box.clock.advance(minutes=1)  # let the search index catch up
    refresh_hubspot()
    assert "fresh.contact@example.org" not in contact_emails(project_dir)
    out = transform(capsys)
    assert SKIPPED not in out and "a new load" in out
    assert "fresh.contact@example.org" in contact_emails(project_dir)
    load_build = built_at(project_dir)

    # the as-of date moved on (the last build was yesterday): dates in the marts count to today
    record_file = record_path(load_settings())
    record = json.loads(record_file.read_text())
    yesterday = date.fromisoformat(record["inputs"]["as_of_date"]) - timedelta(days=1)
    record["inputs"]["as_of_date"] = yesterday.isoformat()
    record_file.write_text(json.dumps(record))
    out = transform(capsys)
    assert SKIPPED not in out and "the as-of date" in out
    assert built_at(project_dir) != load_build

    # and once built for today, quiet again
    assert SKIPPED in transform(capsys)

    # the marts are gone (a warehouse replaced by one with the same raw data): build them
    with duckdb.connect(str(project_dir / "warehouse.duckdb")) as con:
        con.execute("drop schema dev_analytics cascade")
    out = transform(capsys)
    assert SKIPPED not in out and "the analytics tables" in out
    assert "fresh.contact@example.org" in contact_emails(project_dir)

