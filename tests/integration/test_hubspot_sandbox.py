"""The HubSpot stand-in's real-API behaviour for issue 8, over plain HTTP (no pipeline code).

Merges (records vanish, the survivor names them), live offset paging of search (a record
edited between two pages makes `after` skip one) and per-object missing scopes (403).
"""

from __future__ import annotations

import pytest
import requests

from sandbox import start_sandbox
from sandbox.ratelimit import SlidingWindowLimit

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def box():
    sandbox = start_sandbox(profile="small", seed=11, apis=("hubspot",))
    sandbox.app("hubspot").search_limit = SlidingWindowLimit(1_000, 1.0)  # paging, not pacing
    yield sandbox
    sandbox.stop()


@pytest.fixture
def app(box):
    app = box.app("hubspot")
    saved = (app.modes.edit_between_search_pages, set(app.modes.missing_scopes),
             app.modes.scope_error_key)
    yield app
    (app.modes.edit_between_search_pages, app.modes.missing_scopes,
     app.modes.scope_error_key) = saved


def call(box, method, path, **kwargs):
    app = box.app("hubspot")
    return requests.request(method, box.url("hubspot") + path, timeout=10,
                            headers={"Authorization": f"Bearer {app.token}"}, **kwargs)


def list_ids(box, object_type, archived=False):
    ids, after = [], None
    while True:
        params = {"limit": 100, "archived": str(archived).lower(), "properties": "email"}
        if after:
            params["after"] = after
        body = call(box, "GET", f"/crm/v3/objects/{object_type}", params=params).json()
        ids += [r["id"] for r in body["results"]]
        after = (body.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return ids


def search(box, object_type, body):
    response = call(box, "POST", f"/crm/v3/objects/{object_type}/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_merged_contact_vanishes_and_the_survivor_names_it(box, app):
    crm = app.truth
    survivor, absorbed, other = sorted(int(i) for i in crm.live_ids("contacts")
                                       if crm.contact_companies(i))[:3]
    absorbed_companies = crm.contact_companies(absorbed)
    before = crm.get("contacts", survivor).updated_ms
    box.clock.advance(minutes=1)
    app.merge("contacts", survivor, absorbed)
    app.merge("contacts", survivor, other)
    box.clock.advance(minutes=1)

    assert str(absorbed) not in list_ids(box, "contacts")
    assert str(absorbed) not in list_ids(box, "contacts", archived=True)  # not archived either
    found = search(box, "contacts", {"filterGroups": [{"filters": [
        {"propertyName": "hs_object_id", "operator": "IN", "values": [str(absorbed),
                                                                      str(survivor)]}]}],
        "properties": ["hs_merged_object_ids", "lastmodifieddate"], "limit": 10})
    assert [r["id"] for r in found["results"]] == [str(survivor)]
    record = found["results"][0]
    assert record["properties"]["hs_merged_object_ids"] == f"{absorbed};{other}"
    assert crm.get("contacts", survivor).updated_ms > before
    assert record["properties"]["lastmodifieddate"] == record["updatedAt"]
    # listed with the property too
    page = call(box, "GET", "/crm/v3/objects/contacts", params={
        "limit": 1, "after": str(survivor), "properties": "hs_merged_object_ids"}).json()
    assert page["results"][0]["properties"]["hs_merged_object_ids"] == f"{absorbed};{other}"
    # batch reads: the absorbed id has no associations any more; the survivor has its companies
    read = call(box, "POST", "/crm/v4/associations/contacts/companies/batch/read",
                json={"inputs": [{"id": str(absorbed)}, {"id": str(survivor)}]})
    assert read.status_code == 207
    body = read.json()
    assert [e["context"]["fromObjectId"] for e in body["errors"]] == [[str(absorbed)]]
    to_ids = {str(t["toObjectId"]) for t in body["results"][0]["to"]}
    assert absorbed_companies <= to_ids
    assert crm.merged_ids("contacts") == {str(absorbed): str(survivor), str(other): str(survivor)}
    assert str(absorbed) not in crm.live_ids("contacts")


def test_a_merged_company_drops_out_of_search(box, app):
    crm = app.truth
    survivor, absorbed = sorted(int(i) for i in crm.live_ids("companies"))[-2:]
    app.merge("companies", survivor, absorbed)
    box.clock.advance(minutes=1)
    found = search(box, "companies", {"filterGroups": [{"filters": [
        {"propertyName": "hs_merged_object_ids", "operator": "HAS_PROPERTY"}]}],
        "properties": ["hs_merged_object_ids"], "limit": 100})
    assert {r["id"]: r["properties"]["hs_merged_object_ids"] for r in found["results"]}[
        str(survivor)] == str(absorbed)
    assert str(absorbed) not in list_ids(box, "companies")
    with pytest.raises(ValueError):
        app.merge("calls", 1, 2)


def test_offset_paging_skips_a_record_when_one_is_edited_between_pages(box, app):
    crm = app.truth
    box.clock.advance(minutes=5)
    since = crm.now_ms()
    edited = sorted(int(i) for i in crm.live_ids("notes"))[:12]
    for note in edited:
        box.clock.advance(seconds=1)
        crm.edit("notes", note, hs_note_body=f"edited {note}")
    box.clock.advance(minutes=1)
    query = {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate",
                                            "operator": "GTE", "value": str(since)}]}],
             "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
             "properties": ["hs_lastmodifieddate"], "limit": 5}

    def read_by_offset():
        seen, after = [], None
        while True:
            body = search(box, "notes", {**query, **({"after": after} if after else {})})
            seen += [r["id"] for r in body["results"]]
            after = (body.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return seen

    assert set(read_by_offset()) == {str(n) for n in edited}  # no mode: nothing is skipped
    app.modes.edit_between_search_pages = True
    app.mid_read_edits.clear()
    seen = read_by_offset()
    assert app.mid_read_edits  # records were edited mid-read ...
    assert {str(n) for n in edited} - set(seen)  # ... and offset paging skipped some


def test_a_missing_scope_is_a_403_naming_it_for_that_object_only(box, app):
    app.modes.missing_scopes = {"sales-email-read"}
    denied = call(box, "GET", "/crm/v3/objects/emails", params={"limit": 10})
    assert denied.status_code == 403
    body = denied.json()
    assert body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["sales-email-read"]
    assert call(box, "POST", "/crm/v3/objects/emails/search", json={}).status_code == 403
    assert call(box, "POST", "/crm/v4/associations/emails/contacts/batch/read",
                json={"inputs": [{"id": "1"}]}).status_code == 403
    assert call(box, "GET", "/crm/v3/objects/calls", params={"limit": 1}).status_code == 200
    assert call(box, "GET", "/crm/v3/objects/contacts", params={"limit": 1}).status_code == 200

    app.modes.missing_scopes = {"crm.objects.companies.read"}
    app.modes.scope_error_key = "requiredScopes"
    denied = call(box, "POST", "/crm/v4/associations/contacts/companies/batch/read",
                  json={"inputs": [{"id": "1"}]})
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["context"]["requiredScopes"] == [
        "crm.objects.companies.read"]
    assert call(box, "GET", "/crm/v3/properties/companies").status_code == 403
    app.modes.missing_scopes = set()
    assert call(box, "GET", "/crm/v3/objects/emails", params={"limit": 1}).status_code == 200
