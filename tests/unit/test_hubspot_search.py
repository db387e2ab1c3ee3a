"""Search windowing past the result cap, property splitting and the id codec."""

from __future__ import annotations

import random

import pytest

from pipelines.hubspot_api import split_properties
from pipelines.hubspot_search import changed_records, to_ms
from pipelines.hubspot_state import decode_ids, encode_ids, load_objects

pytestmark = pytest.mark.unit


class CappedSearch:
    """A minimal HubSpot search over (id, ms) records: GT/GTE/EQ/LT filters, one sort, a cap."""

    def __init__(self, records: dict[str, int], cap: int):
        self.records, self.cap, self.calls = records, cap, 0

    def __call__(self, body):
        self.calls += 1
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
        return page


def run(records, cap, page_size=7, since=0):
    search = CappedSearch(records, cap)
    got = [r["id"] for r in changed_records(search, "lastmod", ["lastmod"], since,
                                            page_size=page_size, cap=cap)]
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


def test_a_mostly_single_timestamp_window_is_walked_without_re_reading_it():
    records = {str(i): 5_000 for i in range(1, 201)}
    records["999"] = 4_000  # one older record keeps the first window from being uniform
    got, search = run(records, cap=50, page_size=10)
    assert sorted(got, key=int) == sorted(records, key=int)
    # first window (5 pages), one count probe, then the walk: 4 windows of 5 pages and the end
    assert search.calls <= 5 + 1 + 4 * 5 + 2


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


def test_id_sets_survive_the_state_codec():
    ids = {str(i) for i in random.Random(1).sample(range(1, 10_000_000), 5000)} | {"abc"}
    assert decode_ids(encode_ids(ids)) == ids
    assert decode_ids(None) == set()


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
