"""Keyset search paging (a dlt paginator) past the result cap and through live edits,
property splitting and the objects file."""

from __future__ import annotations

import json
import random

import pytest
import requests
from dlt.sources.helpers.rest_client import RESTClient

from pipelines.sources.hubspot.client import required_scopes, split_properties
from pipelines.sources.hubspot.objects import load_objects
from pipelines.sources.hubspot.search import KeysetSearchPaginator, to_ms

pytestmark = pytest.mark.unit


class CappedSearch(requests.Session):
    """A minimal HubSpot search over (id, ms) records behind a requests session: GT/GTE/EQ/LT
    filters, one sort, ``after`` offsets over the live set, a result cap, and optionally an
    edit of a served record after each page that has more to come."""

    def __init__(self, records: dict[str, int], cap: int, edit_between_pages: bool = False):
        super().__init__()
        self.records, self.cap, self.calls = records, cap, 0
        self.edit_between_pages = edit_between_pages
        self.clock = max(records.values(), default=0)

    def send(self, request, **kwargs):
        self.calls += 1
        page = self.answer(json.loads(request.body))
        response = requests.Response()
        response.status_code, response._content = 200, json.dumps(page).encode()
        response.request, response.url = request, request.url
        return response

    def answer(self, body):
        offset = int(body.get("after", 0))
        assert offset < self.cap, "paged past the cap"
        filters = body["filterGroups"][0]["filters"]

        def value(rid, name):
            return self.records[rid] if name == "lastmod" else int(rid)

        ops = {"GT": lambda a, b: a > b, "GTE": lambda a, b: a >= b, "EQ": lambda a, b: a == b,
               "LT": lambda a, b: a < b}
        found = [rid for rid in self.records
                 if all(ops[f["operator"]](value(rid, f["propertyName"]), int(f["value"]))
                        for f in filters)]
        sort = (body.get("sorts") or [{"propertyName": "hs_object_id"}])[0]["propertyName"]
        # ties in an order that is stable between pages but is not the id order
        found.sort(key=lambda rid: (value(rid, sort), hash((rid, "salt"))))
        end = min(offset + body["limit"], self.cap, len(found))
        page = {"total": len(found), "results": [
            {"id": rid, "properties": {"lastmod": str(self.records[rid])}}
            for rid in found[offset:end]]}
        if end < len(found):
            page["paging"] = {"next": {"after": str(end)}}
            if self.edit_between_pages and page["results"]:
                self.clock += 1  # a user edits a record just served: it moves to the end
                self.records[page["results"][0]["id"]] = self.clock
        return page


def run(records, cap, page_size=7, since=0, edit_between_pages=False):
    search = CappedSearch(records, cap, edit_between_pages)
    client = RESTClient("http://hubspot.test", session=search)
    pages = client.paginate("/crm/objects/2026-09/contacts/search", method="POST",
                            json={"properties": ["lastmod"], "limit": page_size},
                            paginator=KeysetSearchPaginator("lastmod", since),
                            data_selector="results")
    got = [r["id"] for page in pages for r in page]
    return got, search


def test_distinct_timestamps_past_the_cap_are_read_once_each():
    records = {str(i): 1_000 + i for i in range(1, 101)}
    got, search = run(records, cap=20)
    assert sorted(got, key=int) == sorted(records, key=int)
    assert len(got) == len(set(got))
    assert search.calls < 40


def test_one_timestamp_shared_by_more_than_the_cap_is_walked_by_id():
    records = {str(i): 5_000 for i in range(1, 96)}
    records.update({str(i): 4_000 + i for i in range(200, 230)})  # before and after it
    records.update({str(i): 6_000 + i for i in range(300, 310)})
    got, search = run(records, cap=20)
    assert sorted(got, key=int) == sorted(records, key=int)
    assert len(got) == len(set(got))
    assert search.calls < 60


def test_a_record_edited_between_pages_shifts_nothing_out():
    records = {str(i): 1_000 + i for i in range(1, 61)}
    got, search = run(records, cap=10_000, page_size=10, edit_between_pages=True)
    assert set(got) == {str(i) for i in range(1, 61)}
    assert search.calls < 20


def test_paging_never_sends_an_offset():
    records = {str(i): 1_000 + i // 3 for i in range(1, 80)}
    search = CappedSearch(records, cap=20)
    bodies = []
    original = search.answer
    search.answer = lambda body: bodies.append(dict(body)) or original(body)
    client = RESTClient("http://hubspot.test", session=search)
    list(client.paginate("/s", method="POST", json={"limit": 10},
                         paginator=KeysetSearchPaginator("lastmod", 0), data_selector="results"))
    assert bodies and all("after" not in body for body in bodies)


def test_ties_straddling_each_capped_window_are_not_skipped():
    rng = random.Random(3)
    records = {str(i): 100 + rng.randrange(0, 12) for i in range(1, 400)}
    got, _ = run(records, cap=25, page_size=10)
    assert set(got) == set(records) and len(got) == len(records)


def test_since_bounds_the_window():
    records = {str(i): i * 10 for i in range(1, 50)}
    got, _ = run(records, cap=10, since=250)
    assert set(got) == {str(i) for i in range(25, 50)}


def test_property_lists_are_split_under_the_url_budget():
    names = [f"custom_property_with_a_long_name_{i:03d}" for i in range(200)]
    groups = split_properties(names, 500)
    assert [n for g in groups for n in g] == names
    assert all(sum(len(n) for n in g) + 3 * (len(g) - 1) <= 500 for g in groups)
    assert split_properties([], 500) == []


def test_a_403_names_its_scopes_in_either_shape():
    assert required_scopes({"errors": [{"context": {"requiredGranularScopes": [
        "crm.objects.contacts.read", "sales-email-read"]}}]}) == [
        "crm.objects.contacts.read", "sales-email-read"]
    assert required_scopes({"errors": [{"context": {"requiredScopes": ["contacts"]}}]}) == [
        "contacts"]
    assert required_scopes({"message": "forbidden"}) == []
    assert required_scopes(None) == []


def test_hubspot_datetimes_become_epoch_ms():
    assert to_ms("2024-01-17T19:55:04.281Z") == 1705521304281
    assert to_ms("1705521304281") == 1705521304281
    assert to_ms(None) is None


def test_the_shipped_objects_file_lists_every_engagement_type():
    objects, engagements = load_objects()
    assert [o.object_type for o in objects] == ["contacts", "companies"]
    assert objects[0].cursor_property == "lastmodifieddate"
    assert {e.object_type for e in engagements} == {"calls", "meetings", "notes", "tasks",
                                                    "emails", "communications"}
    assert all(e.cursor_property == "hs_lastmodifieddate" for e in engagements)
    assert "hs_merged_object_ids" in objects[0].required_properties()
    assert "hs_merged_object_ids" not in engagements[0].required_properties()
