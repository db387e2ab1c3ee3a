"""Fitbit staging models built on a sandbox load: dbt tests pass and rows equal the truth."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from pipelines.fitbit import refresh_fitbit
from pipelines.transform import run_dbt
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.dbt

STAGING = "dev_analytics"


def test_staging_models_build_and_match_the_truth(project_dir, start):
    app = start(apis=("google",)).app("google")
    refresh_fitbit()
    app.data.delete_day(app.data.today() - timedelta(days=2))  # deletions flow through
    refresh_fitbit()

    # own target and log paths: other dbt runs may share the checkout's dbt/target
    run_dbt("build", "--select", "path:models/staging/fitbit",
            "--target-path", str(project_dir / "dbt-target"),
            "--log-path", str(project_dir / "dbt-logs"))  # raises if a test fails

    db = project_dir / "warehouse.duckdb"
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

