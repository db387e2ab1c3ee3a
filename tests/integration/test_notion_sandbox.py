"""The Notion stand-in over plain HTTP: the real-API behaviours of issues 8 and 27, by mode."""

from __future__ import annotations

import time
import types
from urllib.parse import quote, unquote

import pytest
import requests

import sandbox.ratelimit
from sandbox import start_sandbox
from sandbox.notion.workspace import REFERENCE_CAP

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def box():
    with start_sandbox(apis=("notion",)) as started:
        yield started


@pytest.fixture
def notion(box):
    app = box.notion
    app.modes.__init__()  # every test starts in the strict defaults
    yield app
    app.modes.__init__()


def call(box, method, path, body=None, params=None, version="2025-09-03"):
    app = box.notion
    headers = {"Authorization": f"Bearer {app.token}", "Notion-Version": version}
    # a prepared URL keeps the path exactly as given (requests would not re-encode it anyway)
    return requests.request(method, box.url("notion") + path, json=body, params=params,
                            headers=headers, timeout=10)


def monthly_with_long_relation(ws):
    return next(p for p in ws.live_pages("Monthly Habits")
                if len(ws.value(p, "Days")) > REFERENCE_CAP)


# item 1 ----------------------------------------------------------------------------------------
def test_property_ids_are_returned_encoded_and_a_double_encoding_is_404(box, notion):
    ws = notion.ws
    ds = ws.data_source("Monthly Habits")
    schema = call(box, "GET", f"/v1/data_sources/{ds.id}").json()
    ids = [p["id"] for p in schema["properties"].values()]
    encoded = [pid for pid in ids if "%" in pid]
    assert encoded, "some ids must carry URL-encoded characters"
    assert all(quote(unquote(pid), safe="") == pid for pid in ids)
    page = ws.live_pages("Monthly Habits")[0]
    for pid in encoded:
        assert call(box, "GET", f"/v1/pages/{page.id}/properties/{pid}").status_code == 200
        twice = call(box, "GET", f"/v1/pages/{page.id}/properties/{quote(pid, safe='')}")
        assert twice.status_code == 404
        assert twice.json()["object"] == "error" and twice.json()["code"] == "object_not_found"


def test_filter_properties_limits_a_query_to_the_listed_ids(box, notion):
    ds = notion.ws.data_source("Daily Habits")
    body = call(box, "POST", f"/v1/data_sources/{ds.id}/query", {"page_size": 5},
                params={"filter_properties": "title"}).json()
    assert len(body["results"]) == 5
    assert all(list(page["properties"]) == ["Name"] for page in body["results"])


# item 2 ----------------------------------------------------------------------------------------
def query_ids(box, ds_id, body):
    response = call(box, "POST", f"/v1/data_sources/{ds_id}/query", {**body, "page_size": 100})
    return response, {page["id"] for page in response.json().get("results", [])}


def test_in_trash_in_a_query_body_by_mode(box, notion):
    ws = notion.ws
    ds = ws.data_source("Weekly Habits")
    gone = ws.live_pages("Weekly Habits")[0]
    ws.trash_page(gone.id)
    try:
        rejected, _ = query_ids(box, ds.id, {"in_trash": True})
        assert rejected.status_code == 400
        assert rejected.json()["code"] == "validation_error"
        assert "body.in_trash should be not present" in rejected.json()["message"]

        notion.modes.in_trash = "ignore"
        _, ids = query_ids(box, ds.id, {"in_trash": True})
        assert gone.id not in ids and ids == {p.id for p in ws.live_pages("Weekly Habits")}

        notion.modes.in_trash = "honour"
        _, ids = query_ids(box, ds.id, {"in_trash": True})
        assert ids == {gone.id}
    finally:
        ws.restore_page(gone.id)


def test_trashed_page_drops_out_restored_comes_back_lost_access_is_404(box, notion):
    ws = notion.ws
    ds = ws.data_source("Weekly Habits")
    trashed, hidden = ws.live_pages("Weekly Habits")[:2]
    ws.trash_page(trashed.id)
    ws.revoke_access(hidden.id)
    _, ids = query_ids(box, ds.id, {})
    assert trashed.id not in ids and hidden.id not in ids
    page = call(box, "GET", f"/v1/pages/{trashed.id}").json()
    assert page["in_trash"] is True
    assert call(box, "GET", f"/v1/pages/{hidden.id}").status_code == 404

    ws.restore_page(trashed.id)
    hidden.shared = True
    _, ids = query_ids(box, ds.id, {})
    assert {trashed.id, hidden.id} <= ids
    assert call(box, "GET", f"/v1/pages/{trashed.id}").json()["in_trash"] is False


# item 4 ----------------------------------------------------------------------------------------
def test_rollup_and_formula_see_25_references_in_the_page_but_all_on_the_item_endpoint(box, notion):
    ws = notion.ws
    ds = ws.data_source("Monthly Habits")
    month = monthly_with_long_relation(ws)
    rollup, formula = ds.by_name("Days Exercised"), ds.by_name("Days Logged")
    notion.modes.relation_has_more = True
    props = call(box, "GET", f"/v1/pages/{month.id}").json()["properties"]
    assert props["Days Logged"]["formula"]["number"] == REFERENCE_CAP
    assert props["Days Exercised"]["rollup"]["number"] == ws.computed_value(month, rollup, REFERENCE_CAP)
    assert props["Days"]["has_more"] is True and len(props["Days"]["relation"]) == REFERENCE_CAP

    item = call(box, "GET", f"/v1/pages/{month.id}/properties/{formula.id}").json()
    assert item["object"] == "property_item" and item["formula"]["number"] == len(ws.value(month, "Days"))
    listing = call(box, "GET", f"/v1/pages/{month.id}/properties/{rollup.id}").json()
    assert listing["object"] == "list" and listing["has_more"] is False
    assert listing["property_item"]["rollup"]["number"] == ws.computed_value(month, rollup)
    assert ws.computed_value(month, rollup) != ws.computed_value(month, rollup, REFERENCE_CAP) or (
        ws.computed_value(month, formula) != ws.computed_value(month, formula, REFERENCE_CAP))


def test_rollup_pages_until_has_more_is_false(box, notion):
    ws = notion.ws
    ds = ws.data_source("Monthly Habits")
    month = monthly_with_long_relation(ws)
    rollup = ds.by_name("Days Exercised")
    path = f"/v1/pages/{month.id}/properties/{rollup.id}"
    first = call(box, "GET", path, params={"page_size": 10}).json()
    assert first["has_more"] is True and len(first["results"]) == 10
    # a computed rollup's value is on the final page only; earlier pages say incomplete
    assert first["property_item"]["rollup"] == {"type": "incomplete", "incomplete": {},
                                                "function": "checked"}
    pages, cursor = [first], first["next_cursor"]
    while cursor:
        pages.append(call(box, "GET", path, params={"page_size": 10, "start_cursor": cursor}).json())
        cursor = pages[-1]["next_cursor"]
    assert all(p["property_item"]["rollup"]["type"] == "incomplete" for p in pages[:-1])
    assert pages[-1]["property_item"]["rollup"]["number"] == ws.computed_value(month, rollup)
    assert sum(len(p["results"]) for p in pages) == len(ws.value(month, "Days"))


def test_people_items_come_back_as_a_list(box, notion):
    ws = notion.ws
    ds = ws.data_source("Monthly Habits")
    month = ws.live_pages("Monthly Habits")[1]
    people = ds.by_name("Accountability")
    crowd = [ws.add_user(f"Member{i}") for i in range(30)]
    month.values[people.id] = crowd
    page = call(box, "GET", f"/v1/pages/{month.id}").json()
    assert len(page["properties"]["Accountability"]["people"]) == REFERENCE_CAP
    listing = call(box, "GET", f"/v1/pages/{month.id}/properties/{people.id}").json()
    assert listing["object"] == "list" and listing["type"] == "property_item"
    assert [item["people"]["id"] for item in listing["results"]] == crowd
    assert all(item["type"] == "people" for item in listing["results"])


def test_relation_has_more_flag_is_a_mode(box, notion):
    month = monthly_with_long_relation(notion.ws)
    days = call(box, "GET", f"/v1/pages/{month.id}").json()["properties"]["Days"]
    assert "has_more" not in days and len(days["relation"]) == REFERENCE_CAP


# item 5 ----------------------------------------------------------------------------------------
def test_two_data_sources_can_share_a_title(box, notion):
    ws = notion.ws
    daily = ws.data_source("Daily Habits")
    twin = ws.add_data_source("Daily Habits", [("Name", "title", {}), ("Stretch", "checkbox", {})],
                              database_id=daily.database_id)
    ws.add_page("Daily Habits", {"Name": "twin page", "Stretch": True}, data_source_id=twin.id)
    found = call(box, "POST", "/v1/search",
                 {"filter": {"property": "object", "value": "data_source"}}).json()["results"]
    titles = [(ds["id"], ds["title"][0]["plain_text"]) for ds in found]
    assert (daily.id, "Daily Habits") in titles and (twin.id, "Daily Habits") in titles
    _, ids = query_ids(box, twin.id, {})
    assert len(ids) == 1


# item 3 ----------------------------------------------------------------------------------------
def test_a_long_retry_after_is_enforced(box, notion):
    notion.faults.inject("rate_limit", retry_after=61, path_contains="/v1/search")
    try:
        first = call(box, "POST", "/v1/search", {})
        assert first.status_code == 429 and first.headers["Retry-After"] == "61"
        assert first.json()["code"] == "rate_limited"
        before = notion.early_retries
        assert call(box, "POST", "/v1/search", {}).status_code == 429
        assert notion.early_retries == before + 1
    finally:
        notion.retry_after_until = 0.0


# issue 27 --------------------------------------------------------------------------------------
def test_2026_03_11_rejects_archived_and_answers_with_in_trash_only(box, notion):
    ds = notion.ws.data_source("Weekly Habits")
    path = f"/v1/data_sources/{ds.id}/query"
    rejected = call(box, "POST", path, {"archived": False}, version="2026-03-11")
    assert rejected.status_code == 400 and "body.archived should be not present" in rejected.json()["message"]
    page = call(box, "POST", path, {"page_size": 1}, version="2026-03-11").json()["results"][0]
    assert "archived" not in page and page["in_trash"] is False and page["is_archived"] is False
    old = call(box, "POST", path, {"page_size": 1}, version="2025-09-03").json()["results"][0]
    assert old["archived"] is False


def test_2026_12_01_lists_the_title_only_without_filter_properties_and_names_are_null(box, notion):
    ws = notion.ws
    ds = ws.data_source("Monthly Habits")
    path = f"/v1/data_sources/{ds.id}/query"
    titles = call(box, "POST", path, {"page_size": 3}).json()["results"]
    assert all(list(page["properties"]) == ["Name"] for page in titles)
    ids = [p.id for p in ds.properties.values()]
    # every page, so some person is among them whatever day the sandbox generated from
    full = call(box, "POST", path, {"page_size": 100}, params={"filter_properties": ids}).json()
    assert all(len(page["properties"]) == len(ids) for page in full["results"])
    people = [user for page in full["results"] for user in page["properties"]["Accountability"]["people"]]
    assert people and all(user["name"] is None for user in people)
    found = call(box, "POST", "/v1/search", {"filter": {"property": "object", "value": "data_source"}})
    assert all(list(d["properties"]) in ([], ["Name"], ["Habit"]) for d in found.json()["results"])
    assert len(call(box, "GET", f"/v1/data_sources/{ds.id}").json()["properties"]) == len(ids)

    notion.modes.serve_2026_12_01 = False  # as 2026-03-11 answers without the early adoption
    whole = call(box, "POST", path, {"page_size": 3}, version="2026-03-11").json()["results"]
    assert all(len(page["properties"]) == len(ids) for page in whole)
    pinned = call(box, "POST", path, {"page_size": 3}, version="2026-12-01").json()["results"]
    assert all(list(page["properties"]) == ["Name"] for page in pinned)


def test_a_wiki_returns_child_data_sources_unless_asked_for_pages(box, notion):
    ws = notion.ws
    wiki = ws.add_wiki("Sandbox Wiki")
    article = ws.add_page("Sandbox Wiki", {"Name": "How we work"}, data_source_id=wiki.id)
    path = f"/v1/data_sources/{wiki.id}/query"
    mixed = call(box, "POST", path, {}).json()["results"]
    assert {(r["object"], r["id"]) for r in mixed} == {("page", article.id)} | {
        ("data_source", child) for child in wiki.children}
    pages = call(box, "POST", path, {"result_type": "page"}).json()["results"]
    assert [(r["object"], r["id"]) for r in pages] == [("page", article.id)]


def test_a_query_past_the_cap_says_incomplete_on_every_page(box, notion):
    ws = notion.ws
    notion.modes.query_cap = 30
    ds = ws.data_source("Daily Habits")
    path = f"/v1/data_sources/{ds.id}/query"
    first = call(box, "POST", path, {"page_size": 20}).json()
    assert first["has_more"] is True
    assert first["request_status"] == {"type": "incomplete",
                                       "incomplete_reason": "query_result_limit_reached"}
    last = call(box, "POST", path, {"page_size": 20, "start_cursor": first["next_cursor"]}).json()
    assert last["has_more"] is False and len(last["results"]) == 10
    assert last["request_status"]["type"] == "incomplete"
    small = ws.data_source("Habit Reference")
    assert "request_status" not in call(box, "POST", f"/v1/data_sources/{small.id}/query", {}).json()


def test_archived_pages_leave_default_queries_and_fill_the_archive_partition(box, notion):
    ws = notion.ws
    ds = ws.data_source("Weekly Habits")
    page = ws.live_pages("Weekly Habits")[0]
    ws.archive_page(page.id)
    try:
        _, live = query_ids(box, ds.id, {})
        _, archived = query_ids(box, ds.id, {"is_archived": True})
        assert page.id not in live and archived == {page.id}
        one = call(box, "GET", f"/v1/pages/{page.id}").json()
        assert one["is_archived"] is True and one["in_trash"] is False
    finally:
        ws.unarchive_page(page.id)


def test_rollup_item_shapes_show_original_and_unsupported(box, notion):
    ws = notion.ws
    ds = ws.data_source("Monthly Habits")
    original = ws.add_rollup("Monthly Habits", "Exercise Log", "Days", "Exercise", "show_original")
    median = ws.add_rollup("Monthly Habits", "Median Pages", "Days", "Pages Read", "median")
    month = monthly_with_long_relation(ws)
    days = ws.value(month, "Days")
    path = f"/v1/pages/{month.id}/properties/{original.id}"
    first = call(box, "GET", path, params={"page_size": 10}).json()
    items = list(first["results"])
    cursor = first["next_cursor"]
    while cursor:
        more = call(box, "GET", path, params={"page_size": 10, "start_cursor": cursor}).json()
        assert more["property_item"]["rollup"] == {"type": "array", "array": [],
                                                   "function": "show_original"}
        items += more["results"]
        cursor = more["next_cursor"]
    assert [item["type"] for item in items] == ["checkbox"] * len(days)
    exercise = ws.data_source("Daily Habits").by_name("Exercise").id
    assert [item["checkbox"] for item in items] == [bool(ws.pages[d].values.get(exercise)) for d in days]
    page = call(box, "GET", f"/v1/pages/{month.id}").json()["properties"]
    assert len(page["Exercise Log"]["rollup"]["array"]) == REFERENCE_CAP
    unsupported = call(box, "GET", f"/v1/pages/{month.id}/properties/{median.id}").json()
    assert unsupported["property_item"]["rollup"] == {"type": "unsupported", "unsupported": {},
                                                      "function": "median"}
    del ds.properties[original.id], ds.properties[median.id]


def test_the_connection_window_is_60_seconds_and_429s_name_their_limit(monkeypatch):
    offset = [0.0]
    fake = types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0])
    monkeypatch.setattr(sandbox.ratelimit, "time", fake)
    with start_sandbox(apis=("notion",)) as limited:
        app = limited.notion
        assert app.limit.limit == 180 and app.limit.window == 60.0
        app.limit.limit = 5
        answers = [call(limited, "POST", "/v1/search", {"page_size": 1}) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        refused = answers[-1]
        assert refused.json()["additional_data"]["rate_limit_reason"] == "public_api_request_rate_limit"
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        offset[0] += 30
        assert call(limited, "POST", "/v1/search", {}).status_code == 429  # still the same window
        offset[0] += 31
        assert call(limited, "POST", "/v1/search", {}).status_code == 200
        for reason in ("public_api_space_request_rate_limit", "public_api_endpoint_rate_limit",
                       "public_api_request_blocked"):
            app.modes.rate_limit_reason = reason
            app.faults.inject("rate_limit", retry_after=None if "blocked" in reason else 90)
            answer = call(limited, "POST", "/v1/search", {})
            assert answer.status_code == 429
            assert answer.json()["additional_data"]["rate_limit_reason"] == reason
            app.retry_after_until = 0.0
