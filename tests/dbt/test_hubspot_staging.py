"""HubSpot staging models in the session's demo warehouse equal the truth.

The warehouse (``demo_warehouse`` in tests/conftest.py) was loaded in full, then incrementally
after a contact and a call were archived, and built by ``dbt build`` with every test.
"""

from __future__ import annotations

import pytest

from tests.conftest import duckdb_rows

pytestmark = pytest.mark.dbt

STAGING = "dev_analytics"


def test_staging_models_match_the_truth(demo_warehouse):
    assert demo_warehouse.build_error is None, demo_warehouse.build_error  # every test passed
    crm = demo_warehouse.box.app("hubspot").truth
    assert crm.records["contacts"] and any(r.gone for r in crm.records["contacts"].values())
    db = demo_warehouse.path

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
