"""HubSpot staging models built on a sandbox load: tests pass and rows equal the truth."""

from __future__ import annotations

import pytest

from pipelines.hubspot import refresh_hubspot
from pipelines.transform import run_dbt
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.dbt

STAGING = "dev_analytics"


def test_staging_models_build_and_match_the_truth(project_dir, start, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
    box = start(apis=("hubspot",))
    crm = box.app("hubspot").truth
    refresh_hubspot(is_incremental=False)
    # archive a contact and an engagement so staging has something to exclude
    box.clock.advance(minutes=5)
    gone_contact = sorted(crm.live_ids("contacts"), key=int)[0]
    gone_call = sorted(crm.live_ids("calls"), key=int)[0]
    crm.archive("contacts", int(gone_contact))
    crm.archive("calls", int(gone_call))
    box.clock.advance(minutes=1)
    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    refresh_hubspot()

    run_dbt("build", "--select", "path:models/staging/hubspot")  # raises if a test fails

    db = project_dir / "warehouse.duckdb"

    def q(sql):
        return duckdb_rows(db, sql)

    assert {r[0] for r in q(f"select contact_id from {STAGING}.stg_hubspot__contacts")} == \
        crm.live_ids("contacts")
    assert {r[0] for r in q(f"select company_id from {STAGING}.stg_hubspot__companies")} == \
        crm.live_ids("companies")
    engagements = {r[0]: r[1:] for r in q(
        f"select engagement_id, engagement_type, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%g') "
        f"from {STAGING}.stg_hubspot__engagements")}
    truth = crm.live_engagements()
    assert set(engagements) == set(truth)
    for engagement_id, (object_type, hs_timestamp) in truth.items():
        kind, occurred = engagements[engagement_id]
        assert kind == object_type.rstrip("s")
        assert occurred + "Z" == hs_timestamp
    for model, pair, columns in (
            ("stg_hubspot__engagement_contacts", ("engagements", "contacts"),
             "engagement_id, contact_id"),
            ("stg_hubspot__engagement_companies", ("engagements", "companies"),
             "engagement_id, company_id"),
            ("stg_hubspot__contact_companies", ("contacts", "companies"),
             "contact_id, company_id")):
        assert set(q(f"select {columns} from {STAGING}.{model}")) == crm.pairs(*pair), model

    # each live contact's engagements, as the truth computes them
    per_contact = {}
    for contact_id, engagement_id, kind, occurred in q(
            f"select ec.contact_id, e.engagement_id, e.engagement_type, "
            f"strftime(e.occurred_at, '%Y-%m-%dT%H:%M:%S.%gZ') "
            f"from {STAGING}.stg_hubspot__engagement_contacts ec "
            f"join {STAGING}.stg_hubspot__engagements e using (engagement_id)"):
        per_contact.setdefault(contact_id, set()).add((engagement_id, kind, occurred))
    for contact_id in sorted(crm.live_ids("contacts"), key=int)[:40]:
        expected = {(e, t.rstrip("s"), ts) for e, t, ts in crm.contact_engagements(contact_id)}
        assert per_contact.get(contact_id, set()) == expected

    cadences = {r[0]: r[1] for r in q(
        f"select contact_id, contact_cadence_days from {STAGING}.stg_hubspot__contacts")}
    with_cadence = {c: v for c, v in cadences.items() if v is not None}
    assert with_cadence and all(isinstance(v, int) for v in with_cadence.values())
    for contact_id, days in list(with_cadence.items())[:20]:
        assert str(days) == crm.get("contacts", contact_id).properties["contact_cadence_days"]
    types = {r[0] for r in q(f"select distinct engagement_type from {STAGING}."
                             "stg_hubspot__engagements")}
    assert types == {"call", "meeting", "note", "task", "email", "communication"}
