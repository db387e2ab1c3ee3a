"""The benchmark's floor arithmetic: requests from the sandbox's truth, seconds from the limits."""

from __future__ import annotations

import pytest

from bench import floor

pytestmark = pytest.mark.unit


def test_pages_round_up_and_an_empty_list_still_takes_a_request():
    assert floor.pages(0, 100) == 1
    assert floor.pages(100, 100) == 1
    assert floor.pages(101, 100) == 2


def test_window_floor_counts_whole_windows_after_the_first_burst():
    assert floor.window_floor_s(0, 30, 10) == 0
    assert floor.window_floor_s(30, 30, 10) == 0       # one burst goes at once
    assert floor.window_floor_s(31, 30, 10) == 10      # the 31st waits one window
    assert floor.window_floor_s(300, 300, 60) == 0
    assert floor.window_floor_s(1000, 100, 10) == 90


def test_notion_floor_reads_lists_cut_at_25_and_what_is_computed_from_them():
    truth = {"data_sources": {"Daily": 250, "Monthly": 10}, "list_reads": [31, 30, 120],
             "rollup_reads": [31, 30, 120], "formula_reads": 3}
    found = floor.notion_floor(truth)
    # 1 search + (3 + 1) query pages + an empty archive each (1 + 1)
    # + (1 + 1 + 2) list pages + (1 + 1 + 2) rollup pages + 3 formulas
    assert floor.total(found["full"]) == 1 + 4 + 2 + 4 + 4 + 3
    assert found["no_change"]["data"] == {"search data sources": 1, "changes query per data source": 2}
    # the sweep reads each archive and scans the live ids
    assert found["no_change"]["checks"] == {"archive query per data source": 2,
                                            "trash sweep id scan": 4}
    assert floor.notion_floor(truth, sweep_every_run=False)["no_change"]["checks"] == {}


def test_notion_floor_counts_schema_reads_when_search_lists_titles_only_and_archive_pages():
    truth = {"data_sources": {"Daily": 250, "Monthly": 10}, "archived": {"Daily": 150},
             "title_only_search": True, "list_reads": [], "rollup_reads": [], "formula_reads": 0}
    found = floor.notion_floor(truth)
    assert found["full"]["data"]["data source schemas"] == 2  # one GET per data source
    assert found["full"]["data"]["archive query per data source"] == 2 + 1
    assert found["no_change"]["data"]["data source schemas"] == 2
    assert floor.total(found["full"]) == 1 + 2 + 4 + 3
    # a search that lists whole schemas needs no schema reads
    assert "data source schemas" not in floor.notion_floor({**truth, "title_only_search": False})[
        "full"]["data"]


def test_hubspot_floor_uses_the_configured_objects_and_association_pairs(tmp_path):
    objects = tmp_path / "objects.yml"
    objects.write_text("objects:\n  contacts:\n    associations: {companies: t}\n  companies: {}\n"
                       "engagements:\n  types: {calls: [], notes: []}\n"
                       "  associations: {contacts: a, companies: b}\n")
    truth = {"objects": {"contacts": {"live": 2001, "archived": 0},
                         "companies": {"live": 50, "archived": 150},
                         "calls": {"live": 1000, "archived": 0}, "notes": {"live": 0, "archived": 0}}}
    found = floor.hubspot_floor(truth, objects_file=objects)
    assert found["full"]["data"] == {"list live records": 21 + 1 + 10 + 1,
                                     "list archived records": 1 + 2 + 1 + 1,
                                     "association batches": 3 + 1 + 1 + 0 + 0}
    # a first run with the file checks it against the properties API, one request per type
    assert found["full"]["checks"] == {"objects file check (properties per type)": 4,
                                       "count check searches": 4}
    # the file unchanged: no file check; the count check only when the sweep is due
    assert floor.total(found["no_change"]) == 4
    due = floor.hubspot_floor(truth, objects_file=objects, sweep_due=True)
    assert floor.total(due["no_change"]) == 4 + 4
    # searches have their own limit (5/s) beside the general one (100 per 10 s)
    limits = {"limit": [100, 10.0], "search_limit": [5, 1.0]}
    assert floor.floor_seconds("hubspot", due["no_change"], limits) == 1.0


def test_fitbit_floor_chunks_roll_ups_by_each_types_range():
    truth = {"first_day": "2026-01-01", "today": "2026-04-10", "sleep_sessions": 120, "resting_days": 95,
             "exercises": 50, "list_points": dict.fromkeys(floor.VITAL_TYPES + floor.WEIGH_IN_TYPES, 90),
             "rollup_days_per_request": {"steps": 90, "distance": 90, "floors": 14,
                                         "active-minutes": 14, "total-calories": 14,
                                         "time-in-heart-rate-zone": 90, "active-zone-minutes": 90}}
    found = floor.fitbit_floor(truth)
    assert found["days"] == 100
    assert found["full"]["data"] == {"token + settings + profile": 3, "sleep reconcile pages": 5,
                                     "resting heart rate pages": 1, "daily vitals pages": 5,
                                     "exercise pages": 2, "weigh-in pages": 2,
                                     "roll-up chunks": 2 + 2 + 8 * 3 + 2 + 2}
    assert floor.total(found["no_change"]) == 2 + 1 + 1 + 5 + 1 + 2 + 7

    # where sleep refuses its end-time filter, every run reads every sleep page after asking
    refused = floor.fitbit_floor({**truth, "sleep_filter_accepted": False})
    assert refused["full"]["data"]["sleep reconcile pages"] == 1 + 5
    assert refused["no_change"]["data"]["sleep reconcile pages"] == 1 + 5
    assert floor.total(refused["no_change"]) == floor.total(found["no_change"]) + 5


def test_hubspot_floor_reads_the_pipelines_own_objects_file_by_default():
    types, pairs = floor.hubspot_pairs()
    assert "contacts" in types and pairs  # the file the HubSpot source reads, wherever it moves


def test_floors_use_the_documented_limits_with_hubspots_tier():
    assert floor.documented_limits("notion") == {"limit": [180, 60.0]}
    assert floor.documented_limits("fitbit") == {"limit": [300, 60.0]}
    assert floor.documented_limits("hubspot")["limit"] == [100, 10.0]
    assert floor.documented_limits("hubspot", 190) == {"limit": [190, 10.0], "search_limit": [5, 1.0]}
    part = {"data": {"list live records": 984}, "checks": {"count check searches": 8}}
    assert floor.floor_seconds("hubspot", part, floor.documented_limits("hubspot")) == 90.0
    assert floor.floor_seconds("hubspot", part, floor.documented_limits("hubspot", 190)) == 50.0
    assert set(floor.LIMIT_SOURCES) == set(floor.DOCUMENTED_LIMITS)


def test_the_wall_floor_adds_the_last_windows_share_of_the_work():
    limits = {"limit": [180, 60.0]}
    fits = {"data": {"query pages": 132}, "checks": {}}
    assert floor.floor_seconds("notion", fits, limits) == 0.0
    assert floor.last_window_share("notion", fits, limits) == 1.0  # all of it: no waiting at all
    assert floor.wall_floor_s(0.0, 1.0, 2.0) == 2.0
    more = {"data": {"roll-up chunks": 427}, "checks": {}}
    share = floor.last_window_share("fitbit", more, {"limit": [300, 60.0]})
    assert share == pytest.approx(127 / 427)
    assert floor.wall_floor_s(60.0, share, 3.0) == pytest.approx(60.0 + 3.0 * 127 / 427, abs=1e-3)
    assert floor.wall_floor_s(60.0, share, None) is None
