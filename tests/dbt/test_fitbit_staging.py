"""Fitbit staging models in the session's demo warehouse equal the truth.

The warehouse (``demo_warehouse`` in tests/conftest.py) was loaded, then loaded again after a
day was deleted in the sandbox, and built by ``dbt build`` with every test.
"""

from __future__ import annotations

from datetime import UTC

import pytest

from tests.conftest import duckdb_rows

pytestmark = pytest.mark.dbt

STAGING = "dev_analytics"


def test_staging_models_match_the_truth(demo_warehouse):
    assert demo_warehouse.build_error is None, demo_warehouse.build_error  # every test passed
    app = demo_warehouse.box.app("google")
    db = demo_warehouse.path
    sleep = {r[0]: r[1:] for r in duckdb_rows(db, f"""
        select sleep_id, sleep_date, start_at, end_at, is_main_sleep, is_nap, minutes_asleep,
               minutes_in_bed, minutes_deep, minutes_light, minutes_rem, minutes_wake, efficiency
        from {STAGING}.stg_fitbit__sleep_sessions""")}
    truth = {s["id"]: s for s in app.data.truth_sleep_sessions()}
    assert set(sleep) == set(truth)
    for sleep_id, row in sleep.items():
        s = truth[sleep_id]
        assert row[0] == s["sleep_date"]  # the local date the night ends
        assert (row[1].astimezone(UTC), row[2].astimezone(UTC)) == (s["start"], s["end"])
        assert row[3:11] == (s["is_main_sleep"], s["is_nap"], s["minutes_asleep"],
                             s["minutes_in_bed"], s["minutes_deep"], s["minutes_light"],
                             s["minutes_rem"], s["minutes_wake"])
        assert row[11] == pytest.approx(100 * s["minutes_asleep"] / s["minutes_in_bed"])
        assert 0 <= row[11] <= 100

    activity = {r[0]: r[1:] for r in duckdb_rows(db, f"""
        select activity_date, steps, distance_meters, floors, active_minutes, calories_total
        from {STAGING}.stg_fitbit__activity_daily""")}
    expected = app.data.truth_daily_activity()
    assert set(activity) == set(expected)
    for day, row in activity.items():
        v = expected[day]
        assert row[0] == v["steps"] and row[2] == v["floors"] and row[3] == v["active_minutes"]
        assert row[1] == pytest.approx(v["distance_meters"])
        assert row[4] == pytest.approx(v["calories_total"])

    resting = dict(duckdb_rows(db, f"select measured_date, resting_heart_rate "
                                   f"from {STAGING}.stg_fitbit__resting_heart_rate"))
    assert resting == app.data.truth_resting_heart_rate()

