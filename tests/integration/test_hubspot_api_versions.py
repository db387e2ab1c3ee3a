"""The HubSpot source on the date-versioned 2026-09 paths (issue 27, item 2), over plain HTTP.

The sandbox's strict mode answers the legacy paths 410 after their end of support on its own
clock (/crm/v4 from 2027-03-30, /crm/v3 from 2027-09-01). Here this process and the sandbox
both live just after the later date, so a source still on a legacy path fails, and the
date-versioned one loads everything, whichever way batch errors come back (in a 200, as the
2026-09 spec says, or in a 207, as before).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipelines.sources.hubspot import refresh_hubspot
from sandbox import start_sandbox
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.integration

RAW = "dev_raw_data"
AFTER_V3 = datetime(2027, 9, 2, 10, 0, tzinfo=UTC)  # a day after /crm/v3's end of support


@pytest.fixture
def box(project_dir, monkeypatch):
    """This process at ``AFTER_V3``, the HubSpot stand-in (strict) a day behind it."""
    import time_machine

    with time_machine.travel(AFTER_V3, tick=True):
        monkeypatch.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
        sandbox = start_sandbox(profile="small", seed=7, apis=("hubspot",),
                                now=AFTER_V3 - timedelta(days=1), rate_limits=False)
        for key, value in sandbox.env().items():
            monkeypatch.setenv(key, value)
        try:
            yield sandbox
        finally:
            sandbox.stop()


def live(project_dir, table):
    return {r[0] for r in duckdb_rows(project_dir / "warehouse.duckdb",
                                      f"select id from {RAW}.{table} where not is_deleted")}


@pytest.mark.parametrize("batch_errors_status", [200, 207])
def test_loads_on_the_date_versioned_paths_after_the_legacy_ones_end(project_dir, box,
                                                                     batch_errors_status):
    app = box.app("hubspot")
    crm = app.truth
    assert app.modes.legacy_sunset  # strict by default
    app.modes.batch_errors_status = batch_errors_status
    refresh_hubspot()
    assert live(project_dir, "hubspot__contacts") == crm.live_ids("contacts")
    assert live(project_dir, "hubspot__engagements") == set(crm.live_engagements())
    contact_companies = set(duckdb_rows(
        project_dir / "warehouse.duckdb",
        f"select contact_id, company_id from {RAW}.hubspot__contact_companies "
        "where company_id is not null"))
    assert contact_companies == crm.pairs("contacts", "companies")

    box.clock.advance(minutes=30)
    contact = sorted(int(i) for i in crm.live_ids("contacts"))[0]
    crm.edit("contacts", contact, jobtitle="")  # cleared: 2026-09 sends null
    box.clock.advance(minutes=1)
    info = refresh_hubspot()
    assert info.prp_summary.rows["hubspot__contacts"] == 1
    assert duckdb_rows(project_dir / "warehouse.duckdb", f"select jobtitle from "
                       f"{RAW}.hubspot__contacts where id = '{contact}'") == [(None,)]
    used = {label for label, n in app.counts.items() if n}
    assert used and all("/2026-09/" in label or "{version}" in label for label in used), used
    assert not [label for label in used if "/crm/v3/" in label or "/crm/v4/" in label]
