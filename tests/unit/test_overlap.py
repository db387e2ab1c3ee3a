"""The shared overlap cursor: where a run starts, what it skips, what state it keeps."""

from datetime import UTC, datetime, timedelta

import pytest

from pipelines.runtime.overlap import OverlapCursor, fingerprint

pytestmark = pytest.mark.unit

START = datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def cursor(state, **kwargs):
    return OverlapCursor(state, overlap=timedelta(minutes=2), start=START, now=NOW, **kwargs)


def test_first_run_reads_from_start_and_stores_the_newest_stamp():
    state: dict = {}
    first = cursor(state)
    assert not first.has_cursor and first.read_from == START
    first.observe("a", NOW - timedelta(minutes=10), "fa")
    first.observe("b", NOW - timedelta(minutes=1), "fb")
    first.commit()
    assert state["cursor"] == (NOW - timedelta(minutes=1)).isoformat()
    assert state["boundary"] == {"b": "fb"}  # only what the next overlap will re-read


def test_next_run_reads_the_overlap_and_skips_only_unchanged_records():
    state: dict = {}
    first = cursor(state)
    first.observe("b", NOW - timedelta(minutes=1), "fb")
    first.commit()
    second = cursor(state)
    assert second.read_from == NOW - timedelta(minutes=3)
    assert second.seen_unchanged("b", "fb")
    assert not second.seen_unchanged("b", "changed")
    assert not second.seen_unchanged("c", "fc")


def test_full_refresh_ignores_the_stored_cursor():
    state = {"cursor": NOW.isoformat(), "boundary": {"b": "fb"}}
    full = cursor(state, full_refresh=True)
    assert full.read_from == START and not full.seen_unchanged("b", "fb")


def test_a_future_stamp_is_loaded_but_does_not_move_the_cursor():
    state: dict = {}
    run = cursor(state)
    run.observe("past", NOW - timedelta(hours=1), "p")
    run.observe("future", datetime(2099, 1, 1, tzinfo=UTC), "f")
    run.commit()
    assert state["cursor"] == (NOW - timedelta(hours=1)).isoformat()
    assert run.future == 1


def test_a_run_that_reads_nothing_keeps_the_cursor():
    state = {"cursor": NOW.isoformat(), "boundary": {}}
    cursor(state).commit()
    assert state["cursor"] == NOW.isoformat()


def test_fingerprints_ignore_key_order_and_see_value_changes():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


@pytest.mark.parametrize("value", [
    ["2024-01-17T19:55:04.281Z", {"email": "a@b.c", "phone": None, "n": "3"}],
    {"steps": 1204, "distance": 0.83, "ok": True, "notes": []},
    ["Café, naïve"],  # past ASCII: json's escapes
    {"at": datetime(2024, 1, 2, 3, 4, tzinfo=UTC), "day": datetime(2024, 1, 2).date()},
    {1: "a key that is not a string"},
    [2**70],
])
def test_fingerprints_are_the_stamps_json_gave(value):
    """Stamps kept in state from earlier runs still match: the text hashed is json's."""
    import hashlib
    import json

    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    assert fingerprint(value) == hashlib.sha256(text.encode()).hexdigest()[:16]
