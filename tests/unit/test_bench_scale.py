"""The volume series: the sandbox scales its profile, and the series is judged per row."""

import pytest

from bench.scale_series import judge
from sandbox.clock import Clock, current_minute
from sandbox.google.app import create_app as google_app
from sandbox.hubspot.app import create_app as hubspot_app
from sandbox.notion.app import create_app as notion_app
from sandbox.runtime import start_sandbox

pytestmark = pytest.mark.unit


def test_a_scaled_profile_holds_that_many_times_the_data():
    clock = Clock(current_minute())
    one, two = hubspot_app("small", 7, clock), hubspot_app("small", 7, clock, scale=2)
    for object_type in ("contacts", "companies", "calls"):
        assert len(two.truth.live_ids(object_type)) == 2 * len(one.truth.live_ids(object_type))
    days_one = notion_app("small", 7, clock).ws.days
    assert notion_app("small", 7, clock, scale=3).ws.days == 3 * days_one
    health_one, health_four = google_app("small", 7, clock).data, google_app("small", 7, clock,
                                                                             scale=4).data
    assert len(health_four.all_days()) == 4 * len(health_one.all_days())
    assert health_four.today() == health_one.today()  # the history reaches further back


def test_a_stand_in_without_a_volume_switch_is_refused_rather_than_served_at_1x():
    with pytest.raises(ValueError, match="secretmanager stand-in does not scale"):
        start_sandbox("small", apis=("secretmanager",), scale=2)
    with pytest.raises(ValueError, match="at least 1"):
        start_sandbox("small", apis=("notion",), scale=0)


def test_the_series_compares_time_per_row_with_the_first_size_and_keeps_the_peak():
    sizes = {"1x": {"notion": {"wall_s": 2.0, "rows": 1000, "peak_rss_mb": 250.0},
                    "hubspot": {"wall_s": 10.0, "rows": 9000, "peak_rss_mb": 300.0}},
             "4x": {"notion": {"wall_s": 8.0, "rows": 4000, "peak_rss_mb": 260.0},
                    "hubspot": {"wall_s": 54.0, "rows": 36000, "peak_rss_mb": 520.0}}}
    found = judge(sizes)
    assert found["time_per_row_vs_first"] == {"notion": 1.0, "hubspot": 1.35, "all": 1.292}
    assert found["peak_rss_mb"] == 520.0
    assert {name: met for name, (_, met) in found["targets"].items()} == {
        "scale series peak RSS < 500 MB": False, "time per row at 4x <= 1.2x 1x": False,
        "time per row at 4x <= 1.2x 1x, notion": True,  # each source is judged on its own too
        "time per row at 4x <= 1.2x 1x, hubspot": False}
