"""Notion rows and selection, without HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.runtime.dates import mark_swept, sweep_due
from pipelines.runtime.errors import ConfigurationError
from pipelines.sources.notion.rows import page_row, property_rows, stale_computed, truncated_lists
from pipelines.sources.notion.source import select_data_sources

pytestmark = pytest.mark.unit


def ds(ds_id, title):
    return {"id": ds_id, "title": [{"plain_text": title}], "parent": {"database_id": "db"}}


def refs(n):
    return [{"id": f"p{i}"} for i in range(n)]


def test_a_list_of_25_is_read_in_full_flagged_or_not():
    props = {"Days": {"id": "a%3Ab", "type": "relation", "relation": refs(25)},
             "Few": {"id": "c", "type": "relation", "relation": refs(3)},
             "Flagged": {"id": "d", "type": "relation", "relation": refs(2), "has_more": True},
             "People": {"id": "e", "type": "people", "people": refs(25)}}
    assert truncated_lists(props) == ["a%3Ab", "d", "e"]


def test_rollups_over_a_cut_relation_and_every_formula_are_stale():
    props = {"Days": {"id": "r1", "type": "relation", "relation": refs(25)},
             "Other": {"id": "r2", "type": "relation", "relation": refs(1)},
             "Sum": {"id": "s1", "type": "rollup", "rollup": {"type": "number", "number": 1}},
             "Sum other": {"id": "s2", "type": "rollup", "rollup": {"type": "number", "number": 1}},
             "Len": {"id": "f1", "type": "formula", "formula": {"type": "number", "number": 25}}}
    relations = {"s1": "r1", "s2": "r2"}
    assert stale_computed(props, ["r1"], relations) == [("s1", "rollup"), ("f1", "formula")]
    assert stale_computed(props, [], relations) == []


def test_complete_values_replace_the_cut_ones():
    props = {"Sum": {"id": "s1", "type": "rollup", "rollup": {"type": "number", "number": 3}},
             "Days": {"id": "r1", "type": "relation", "relation": refs(25)}}
    rows = {r["property_id"]: r for r in property_rows(
        "pg", props, {"s1": {"type": "number", "number": 30.0}, "r1": refs(31)})}
    assert rows["s1"]["value_number"] == 30.0
    assert rows["r1"]["item_count"] == 31 and len(json.loads(rows["r1"]["value_json"])) == 31


def test_page_row_keeps_both_parent_ids():
    row = page_row({"id": "pg", "in_trash": True, "properties": {},
                    "parent": {"type": "data_source_id", "data_source_id": "d", "database_id": "b"}})
    assert (row["data_source_id"], row["database_id"], row["in_trash"]) == ("d", "b", True)


def test_select_by_title_or_id_and_shared_titles_load_both():
    found = [ds("1111-aa", "Daily"), ds("2222-bb", "Daily"), ds("3333-cc", "Weekly")]
    assert [d["id"] for d in select_data_sources(found, ["Daily"])] == ["1111-aa", "2222-bb"]
    assert [d["id"] for d in select_data_sources(found, "3333CC")] == ["3333-cc"]
    assert len(select_data_sources(found, None)) == 3
    with pytest.raises(ConfigurationError, match="'Yearly'.*'Daily'"):
        select_data_sources(found, ["Yearly"])


def test_sweep_period():
    now = datetime(2026, 11, 1, tzinfo=UTC)
    state: dict = {}
    assert sweep_due(state, 24, now)
    mark_swept(state, now)
    assert not sweep_due(state, 24, now + timedelta(hours=23))
    assert sweep_due(state, 24, now + timedelta(hours=24))
    assert sweep_due(state, 0, now)


def test_archived_is_its_own_flag_and_never_trash():
    page = {"id": "p", "parent": {"data_source_id": "ds"}, "in_trash": False, "is_archived": True,
            "properties": {}}
    row = page_row(page)
    assert (row["in_trash"], row["is_archived"]) == (False, True)
    assert page_row({**page, "is_archived": False, "in_trash": True})["in_trash"] is True


def test_rollups_showing_the_original_values_count_them_and_unsupported_ones_are_null():
    shown = {"type": "array", "function": "show_original",
             "array": [{"type": "checkbox", "checkbox": True}, {"type": "checkbox", "checkbox": False}]}
    unsupported = {"type": "unsupported", "unsupported": {}, "function": "median"}
    props = {"Log": {"id": "l", "type": "rollup", "rollup": shown},
             "Median": {"id": "m", "type": "rollup", "rollup": unsupported}}
    by_id = {row["property_id"]: row for row in property_rows("p", props)}
    assert by_id["l"]["item_count"] == 2 and json.loads(by_id["l"]["value_json"]) == shown
    assert by_id["m"]["value_number"] is None and by_id["m"]["item_count"] is None
