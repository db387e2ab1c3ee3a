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



def test_health_staging_models_match_the_truth(demo_warehouse):
    assert demo_warehouse.build_error is None, demo_warehouse.build_error
    data = demo_warehouse.box.app("google").data
    db = demo_warehouse.path
    vitals = data.truth_daily_vitals()
    for model, column in (("stg_fitbit__heart_rate_variability", "hrv_ms"),
                          ("stg_fitbit__oxygen_saturation", "spo2_percent"),
                          ("stg_fitbit__respiratory_rate", "breaths_per_minute"),
                          ("stg_fitbit__sleep_temperature", "temperature_deviation_celsius"),
                          ("stg_fitbit__vo2_max", "vo2_max")):
        got = dict(duckdb_rows(db, f"select measured_date, {column} from {STAGING}.{model}"))
        want = {day: v[column] for day, v in vitals.items() if column in v}
        assert got == pytest.approx(want), model
    zones = {r[0]: r[1:] for r in duckdb_rows(db, f"""
        select zone_date, light_zone_minutes, moderate_zone_minutes, vigorous_zone_minutes,
               peak_zone_minutes, active_zone_minutes_fat_burn, active_zone_minutes_cardio,
               active_zone_minutes_peak from {STAGING}.stg_fitbit__heart_rate_zones""")}
    want_zones = {day: tuple(v[k] for k in ("light_minutes", "moderate_minutes",
                                            "vigorous_minutes", "peak_minutes", "azm_fat_burn",
                                            "azm_cardio", "azm_peak"))
                  for day, v in data.truth_heart_rate_zones().items()}
    assert zones == want_zones
    exercises = {r[0]: r[1:] for r in duckdb_rows(db, f"""
        select exercise_id, exercise_type, exercise_date, start_at, active_minutes, steps
        from {STAGING}.stg_fitbit__exercises""")}
    want_exercises = data.truth_exercises()
    assert set(exercises) == set(want_exercises)
    for exercise_id, row in exercises.items():
        w = want_exercises[exercise_id]
        assert row[:3] == (w["exercise_type"], w["exercise_date"], w["start_at"])
        assert row[3] == pytest.approx(w["active_minutes"])
    body = {}
    for day, kg in duckdb_rows(db, f"select measured_date, weight_kg from {STAGING}.stg_fitbit__weight"
                                   " order by measured_at"):
        body[day] = kg
    assert body == pytest.approx({d: v["weight_kg"] for d, v in data.truth_body().items()
                                  if v["weight_kg"] is not None})
