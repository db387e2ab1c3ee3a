"""The HubSpot stand-in's real-API behaviour, over plain HTTP (no pipeline code).

Merges (a new record, both old ids vanish and point at it), live offset paging of search (a
record edited between two pages makes `after` skip one), per-object missing scopes (403) and
scoped Service Keys, the 2026-09 paths and shapes, the legacy paths' end of support, and
deletions no listing shows (old archives, GDPR deletions).
"""

from __future__ import annotations

import pytest
import requests

from sandbox import start_sandbox
from sandbox.ratelimit import SlidingWindowLimit

pytestmark = pytest.mark.integration

OBJECTS = "/crm/objects/2026-09"
ASSOCIATIONS = "/crm/associations/2026-09"
PROPERTIES = "/crm/properties/2026-09"


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
             app.modes.scope_error_key, app.modes.batch_errors_status, app.modes.legacy_sunset)
    yield app
    (app.modes.edit_between_search_pages, app.modes.missing_scopes,
     app.modes.scope_error_key, app.modes.batch_errors_status,
     app.modes.legacy_sunset) = saved


def call(box, method, path, token=None, **kwargs):
    app = box.app("hubspot")
    return requests.request(method, box.url("hubspot") + path, timeout=10,
                            headers={"Authorization": f"Bearer {token or app.token}"}, **kwargs)


def list_ids(box, object_type, archived=False):
    ids, after = [], None
    while True:
        params = {"limit": 100, "archived": str(archived).lower(), "properties": "email"}
        if after:
            params["after"] = after
        body = call(box, "GET", f"{OBJECTS}/{object_type}", params=params).json()
        ids += [r["id"] for r in body["results"]]
        after = (body.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return ids


def search(box, object_type, body):
    response = call(box, "POST", f"{OBJECTS}/{object_type}/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_merge_makes_a_new_record_both_old_ids_point_at(box, app):
    crm = app.truth
    primary, secondary = sorted(int(i) for i in crm.live_ids("contacts")
                                if crm.contact_companies(i))[:2]
    companies = crm.contact_companies(primary) | crm.contact_companies(secondary)
    primary_email = crm.get("contacts", primary).properties["email"]
    box.clock.advance(minutes=1)
    merged = app.merge("contacts", primary, secondary)
    box.clock.advance(minutes=1)

    assert merged not in {str(primary), str(secondary)}
    listed = list_ids(box, "contacts")
    assert merged in listed and {str(primary), str(secondary)}.isdisjoint(listed)
    assert {str(primary), str(secondary)}.isdisjoint(list_ids(box, "contacts", archived=True))
    found = search(box, "contacts", {"filterGroups": [{"filters": [
        {"propertyName": "hs_object_id", "operator": "IN",
         "values": [str(primary), str(secondary), merged]}]}],
        "properties": ["hs_merged_object_ids", "email", "lastmodifieddate"], "limit": 10})
    assert [r["id"] for r in found["results"]] == [merged]
    record = found["results"][0]
    assert record["properties"]["hs_merged_object_ids"] == f"{primary};{secondary}"
    assert record["properties"]["email"] == primary_email  # the primary's values win
    assert record["properties"]["lastmodifieddate"] == record["updatedAt"]
    # a GET by either old id returns the new record, under its new id
    for old in (primary, secondary):
        got = call(box, "GET", f"{OBJECTS}/contacts/{old}", params={"properties": "email"})
        assert got.status_code == 200 and got.json()["id"] == merged
    # batch reads: the old ids have no associations any more; the new record has them all
    read = call(box, "POST", f"{ASSOCIATIONS}/contacts/companies/batch/read",
                json={"inputs": [{"id": str(primary)}, {"id": merged}]})
    assert read.status_code == 200  # 2026-09: the errors travel in a 200
    body = read.json()
    assert [e["context"]["fromObjectId"] for e in body["errors"]] == [[str(primary)]]
    assert {str(t["toObjectId"]) for t in body["results"][0]["to"]} == companies
    assert crm.merged_ids("contacts") == {str(primary): merged, str(secondary): merged}
    # merging the merged record again lists every id it absorbed
    third = sorted(int(i) for i in crm.live_ids("contacts"))[0]
    again = app.merge("contacts", int(merged), third)
    assert crm.get("contacts", again).properties["hs_merged_object_ids"] == \
        f"{merged};{third};{primary};{secondary}"
    assert call(box, "GET", f"{OBJECTS}/contacts/{primary}").json()["id"] == again


def test_a_merged_company_drops_out_of_search(box, app):
    crm = app.truth
    primary, secondary = sorted(int(i) for i in crm.live_ids("companies"))[-2:]
    merged = app.merge("companies", primary, secondary)
    box.clock.advance(minutes=1)
    found = search(box, "companies", {"filterGroups": [{"filters": [
        {"propertyName": "hs_merged_object_ids", "operator": "HAS_PROPERTY"}]}],
        "properties": ["hs_merged_object_ids"], "limit": 100})
    assert {r["id"]: r["properties"]["hs_merged_object_ids"] for r in found["results"]}[
        merged] == f"{primary};{secondary}"
    assert {str(primary), str(secondary)}.isdisjoint(list_ids(box, "companies"))
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
    denied = call(box, "GET", f"{OBJECTS}/emails", params={"limit": 10})
    assert denied.status_code == 403
    body = denied.json()
    assert body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["sales-email-read"]
    assert call(box, "POST", f"{OBJECTS}/emails/search", json={}).status_code == 403
    assert call(box, "POST", f"{ASSOCIATIONS}/emails/contacts/batch/read",
                json={"inputs": [{"id": "1"}]}).status_code == 403
    assert call(box, "GET", f"{OBJECTS}/calls", params={"limit": 1}).status_code == 200
    assert call(box, "GET", f"{OBJECTS}/contacts", params={"limit": 1}).status_code == 200

    app.modes.missing_scopes = {"crm.objects.companies.read"}
    app.modes.scope_error_key = "requiredScopes"
    denied = call(box, "POST", f"{ASSOCIATIONS}/contacts/companies/batch/read",
                  json={"inputs": [{"id": "1"}]})
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["context"]["requiredScopes"] == [
        "crm.objects.companies.read"]
    assert call(box, "GET", f"{PROPERTIES}/companies").status_code == 403
    app.modes.missing_scopes = set()
    assert call(box, "GET", f"{OBJECTS}/emails", params={"limit": 1}).status_code == 200


def test_a_service_key_without_a_scope_and_a_legacy_token_both_work(box, app):
    """Keys of one account: a Service Key with a box unticked, an old private-app token."""
    unticked = app.service_key(without={"sales-email-read"})
    legacy = app.service_key(legacy=True)
    assert unticked.startswith("pat-") and legacy.startswith("pat-")
    denied = call(box, "GET", f"{OBJECTS}/emails", token=unticked, params={"limit": 1})
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["context"]["requiredGranularScopes"] == [
        "sales-email-read"]
    assert call(box, "GET", f"{OBJECTS}/notes", token=unticked).status_code == 200
    assert call(box, "GET", f"{OBJECTS}/emails", token=legacy).status_code == 200
    assert call(box, "GET", f"{OBJECTS}/emails", token="pat-na1-unknown").status_code == 401


# issue 27 ----------------------------------------------------------------------------------
def test_2026_09_records_send_empty_values_as_null_without_warnings(box, app):
    # the legacy shape beside the new one, whatever the day: served after its end of support
    app.modes.legacy_sunset = False
    crm = app.truth
    contact = sorted(int(i) for i in crm.live_ids("contacts"))[0]
    crm.edit("contacts", contact, jobtitle="")  # a value cleared in HubSpot
    box.clock.advance(minutes=1)
    params = {"limit": 1, "after": str(contact), "properties": "jobtitle,firstname,phone"}
    new = call(box, "GET", f"{OBJECTS}/contacts", params=params).json()["results"][0]
    legacy = call(box, "GET", "/crm/v3/objects/contacts", params=params).json()["results"][0]
    assert new["properties"]["jobtitle"] is None and legacy["properties"]["jobtitle"] == ""
    assert "warnings" not in new
    assert set(new) >= {"id", "properties", "createdAt", "updatedAt", "archived"}
    found = search(box, "contacts", {"filterGroups": [{"filters": [
        {"propertyName": "hs_object_id", "operator": "EQ", "value": str(contact)}]}],
        "properties": ["jobtitle"]})
    assert found["results"][0]["properties"] == {"jobtitle": None}
    assert call(box, "GET", "/crm/objects/2031-09/contacts").status_code == 404


def test_batch_read_errors_come_in_a_200_or_a_207(box, app):
    app.modes.legacy_sunset = False  # v4's 207 beside 2026-09's 200, whatever the day
    crm = app.truth
    lonely = next(i for i in sorted(crm.live_ids("contacts"), key=int)
                  if not crm.contact_companies(i))
    body = {"inputs": [{"id": lonely}]}
    new = call(box, "POST", f"{ASSOCIATIONS}/contacts/companies/batch/read", json=body)
    legacy = call(box, "POST", "/crm/v4/associations/contacts/companies/batch/read", json=body)
    assert (new.status_code, legacy.status_code) == (200, 207)
    assert new.json()["numErrors"] == 1 and new.json()["errors"][0]["category"] == \
        "OBJECT_NOT_FOUND"
    app.modes.batch_errors_status = 207
    again = call(box, "POST", f"{ASSOCIATIONS}/contacts/companies/batch/read", json=body)
    assert again.status_code == 207 and again.json()["errors"]


def test_legacy_paths_answer_410_after_their_end_of_support(box, app):
    from datetime import UTC, datetime

    def statuses():
        return (call(box, "POST", "/crm/v4/associations/contacts/companies/batch/read",
                     json={"inputs": [{"id": "1"}]}).status_code,
                call(box, "GET", "/crm/v3/objects/contacts").status_code,
                call(box, "GET", f"{OBJECTS}/contacts").status_code)

    now = box.clock.now()
    try:  # nothing is written meanwhile, so the clock can go back afterwards
        box.clock.set(datetime(2027, 3, 29, 23, 59, tzinfo=UTC))
        assert statuses() == (207, 200, 200)
        box.clock.set(datetime(2027, 3, 30, tzinfo=UTC))
        assert statuses() == (410, 200, 200)
        box.clock.set(datetime(2027, 9, 1, tzinfo=UTC))
        assert statuses() == (410, 410, 200)
        gone = call(box, "GET", "/crm/v3/properties/contacts").json()
        assert gone["category"] == "API_VERSION_UNSUPPORTED" and "2026-09" in gone["message"]
        app.modes.legacy_sunset = False  # "may still work": the lenient reading
        assert statuses()[1] == 200
    finally:
        box.clock.set(now)


def test_old_archives_and_gdpr_deletions_leave_no_trace(box, app):
    crm = app.truth
    old, recent, erased = sorted(int(i) for i in crm.live_ids("notes"))[:3]
    crm.archive("notes", old)
    box.clock.advance(days=80)
    crm.archive("notes", recent)
    crm.purge("notes", erased)
    box.clock.advance(days=11)  # the first archive is now 91 days old
    archived = list_ids(box, "notes", archived=True)
    assert str(recent) in archived and str(old) not in archived
    assert str(erased) not in list_ids(box, "notes") + archived
    assert str(erased) not in crm.live_ids("notes")
