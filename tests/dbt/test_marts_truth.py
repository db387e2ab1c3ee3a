"""The marts equal the sandbox's ground truth for the demo profile.

One warehouse per session (``demo_warehouse`` in tests/conftest.py, shared with the report's
browser tests): the sandbox (demo profile) serves Notion, HubSpot and the Google Health API; the
real pipelines load it into a temporary DuckDB; ``dbt build`` (every model, data test and unit
test) runs once through ``pipelines.transform.run_dbt``. Each test then
computes its expected figures from the sandbox's truth (``tests/dbt/truth.py``) and compares.
Relationship health is pinned to the sandbox clock's date (var as_of_date) so the answer does
not depend on when the test runs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import duckdb_rows
from tests.dbt import truth

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

ANALYTICS = "dev_analytics"


@dataclass
class Warehouse:
    path: Path
    box: object
    timezone: ZoneInfo
    as_of: date
    variables: dict
    build_error: Exception | None
    settings: object

    def rows(self, sql: str) -> list[tuple]:
        return duckdb_rows(self.path, sql)

    def dicts(self, model: str, columns: str) -> list[dict]:
        names = [c.strip() for c in columns.split(",")]
        return [dict(zip(names, row, strict=True))
                for row in self.rows(f"select {columns} from {ANALYTICS}.{model}")]


@pytest.fixture(scope="module")
def warehouse(demo_warehouse) -> Warehouse:
    """The session's demo warehouse (tests/conftest.py), with the dbt vars the truth needs."""
    built = demo_warehouse
    return Warehouse(built.path, built.box, built.timezone, built.as_of, truth.dbt_vars(),
                     built.build_error, built.settings)


def test_dbt_build_passes_with_every_test_and_unit_test(warehouse, demo_warehouse):
    assert warehouse.build_error is None, warehouse.build_error
    # the daily `prp transform` leaves dbt's unit tests out: this build is where they run
    manifest = json.loads((demo_warehouse.dbt_target / "manifest.json").read_text())
    assert manifest["unit_tests"]
    assert demo_warehouse.unit_test_results == dict.fromkeys(manifest["unit_tests"], "pass")


def test_every_raw_table_is_fresh_by_its_dlt_load_time(warehouse, demo_warehouse):
    from pipelines.transform import run_dbt

    # the build's own target and vars, so dbt reuses its parse instead of parsing again
    target = demo_warehouse.dbt_target
    build_vars = {"timezone": warehouse.settings.timezone, "as_of_date": warehouse.as_of.isoformat()}
    run_dbt("source", "freshness", "--target-path", str(target), "--log-path",
            str(demo_warehouse.work / "dbt-logs"), "--vars", json.dumps(build_vars),
            settings=warehouse.settings)  # raises if a source is stale or dbt fails
    results = json.loads((target / "sources.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    declared = {uid for uid, node in manifest["sources"].items()
                if node["package_name"] == "personal_reporting"}
    assert {r["unique_id"] for r in results} == declared
    assert {r["unique_id"]: r["status"] for r in results} == dict.fromkeys(declared, "pass")
    assert all(r["max_loaded_at"] for r in results)


# --- habits -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def expected_habit_periods(warehouse):
    from sandbox.notion.workspace import HABIT_TARGETS

    return truth.habit_periods(warehouse.box.notion.ws, HABIT_TARGETS, warehouse.variables)


def test_habit_periods_equal_the_truth(warehouse, expected_habit_periods):
    got = {(r["habit_name"], r["period"], r["period_start"]): r for r in warehouse.dicts(
        "fct_habit_periods", "habit_name, period, period_start, habit_type, is_done, value, "
        "target_value, target_rate, is_target_met")}
    expected = {(p.habit, p.period, p.period_start): p for p in expected_habit_periods}
    assert set(got) == set(expected)
    for key, p in expected.items():
        row = got[key]
        assert (row["habit_type"], row["is_done"], row["is_target_met"]) == (
            p.habit_type, p.is_done, p.is_target_met), key
        assert row["value"] == p.value, key
        assert row["target_value"] == p.target_value, key
        assert math.isclose(row["target_rate"], p.target_rate), key


def test_every_habit_column_is_a_habit_and_reference_targets_apply(warehouse,
                                                                   expected_habit_periods):
    from sandbox.notion.workspace import HABIT_TARGETS

    names = {r[0] for r in warehouse.rows(
        f"select distinct habit_name from {ANALYTICS}.fct_habit_periods")}
    assert names == {p.habit for p in expected_habit_periods}
    sources = dict(warehouse.rows(
        f"select habit_name, max(target_source) from {ANALYTICS}.fct_habit_periods group by 1"))
    for name, source in sources.items():
        assert source == ("habit_reference" if name in HABIT_TARGETS else "default"), name


def test_habit_metrics_equal_the_truth(warehouse, expected_habit_periods):
    expected = truth.habit_metrics(expected_habit_periods)
    got = {(r["habit_name"], r["grain"], r["window_start"]): r for r in warehouse.dicts(
        "habit_metrics", "habit_name, grain, window_start, periods_tracked, periods_done, "
        "periods_target_met, completion_rate, is_on_target")}
    assert set(got) == set(expected)
    for key, want in expected.items():
        row = got[key]
        assert (row["periods_tracked"], row["periods_done"], row["periods_target_met"],
                row["is_on_target"]) == (want["periods_tracked"], want["periods_done"],
                                         want["periods_target_met"], want["is_on_target"]), key
        assert math.isclose(row["completion_rate"], want["completion_rate"]), key


def test_habit_streaks_equal_the_truth(warehouse, expected_habit_periods):
    expected = truth.habit_streaks(expected_habit_periods, warehouse.as_of)
    got = {r["habit_name"]: r for r in warehouse.dicts(
        "habit_streaks", "habit_name, current_streak, longest_streak, periods_tracked, "
        "last_tracked_period_start")}
    assert got == {habit: {"habit_name": habit, **want} for habit, want in expected.items()}
    assert any(want["longest_streak"] > 1 for want in expected.values())
    assert any(want["current_streak"] > 0 for want in expected.values())
    as_of = {r[0] for r in warehouse.rows(f"select distinct as_of_date from {ANALYTICS}.habit_streaks")}
    assert as_of == {warehouse.as_of}


# --- relationship health ----------------------------------------------------------------------

def test_engagements_equal_the_truth(warehouse):
    crm = warehouse.box.app("hubspot").truth
    expected = truth.engagements(crm, warehouse.timezone)
    got = {r[0]: (r[1], r[2], r[3]) for r in warehouse.rows(
        f"select engagement_id, engagement_type, occurred_date, contact_count "
        f"from {ANALYTICS}.fct_engagements")}
    assert got == expected


def test_relationship_health_equals_the_truth(warehouse):
    crm = warehouse.box.app("hubspot").truth
    expected = truth.contact_health(crm, warehouse.timezone, warehouse.as_of, warehouse.variables)
    columns = ("contact_id, last_touch_date, touches_total, touches_last_30_days, "
               "touches_last_90_days, touches_last_365_days, synchronous_touches, "
               "asynchronous_touches, days_since_last_touch, cadence_days, is_overdue, "
               "days_overdue")
    got = {r.pop("contact_id"): r for r in warehouse.dicts("dim_contacts", columns)}
    assert set(got) == set(expected)
    mismatched = {cid: (got[cid], want) for cid, want in expected.items() if got[cid] != want}
    assert not mismatched, list(mismatched.items())[:3]
    # the demo profile exercises every branch
    assert any(want["is_overdue"] for want in expected.values())
    assert any(not want["is_overdue"] for want in expected.values())
    assert any(want["touches_total"] == 0 for want in expected.values())
    as_of = {r[0] for r in warehouse.rows(f"select distinct as_of_date from {ANALYTICS}.dim_contacts")}
    assert as_of == {warehouse.as_of}


# --- health -------------------------------------------------------------------------------------

def test_sleep_nightly_equals_the_truth(warehouse):
    health = warehouse.box.app("google").data
    assert health.time_zone == str(warehouse.timezone)
    expected = truth.sleep_nightly(health, warehouse.variables)
    columns = ("sleep_date, minutes_asleep, minutes_in_bed, minutes_deep, minutes_light, "
               "minutes_rem, is_sleep_goal_met, nap_count, nap_minutes_asleep")
    got = {r.pop("sleep_date"): r for r in warehouse.dicts("fct_sleep_nightly", columns)}
    assert set(got) == set(expected)
    mismatched = {d: (got[d], want) for d, want in expected.items() if got[d] != want}
    assert not mismatched, list(mismatched.items())[:3]
    assert any(want["nap_count"] for want in expected.values())
    assert {want["is_sleep_goal_met"] for want in expected.values()} == {True, False}


def test_activity_daily_equals_the_truth(warehouse):
    health = warehouse.box.app("google").data
    expected = truth.activity_daily(health, warehouse.variables)
    columns = ("activity_date, steps, distance_meters, floors, active_minutes, calories_total, "
               "resting_heart_rate, active_zone_minutes, is_steps_goal_met")
    got = {r.pop("activity_date"): r for r in warehouse.dicts("fct_activity_daily", columns)}
    assert set(got) == set(expected)
    for day, want in expected.items():
        row = got[day]
        for column in ("distance_meters", "calories_total"):
            a, b = row.pop(column), want[column]
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-9), (day, column)
        assert row == {k: v for k, v in want.items()
                       if k not in ("distance_meters", "calories_total")}, day
    assert {want["is_steps_goal_met"] for want in expected.values()} == {True, False}
    assert any(want["active_zone_minutes"] for want in expected.values())


def _close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None
                                         and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))


def test_health_daily_equals_the_truth(warehouse):
    health = warehouse.box.app("google").data
    expected = truth.health_daily(health)
    columns = "health_date, " + ", ".join(truth.HEALTH_COLUMNS)
    got = {r.pop("health_date"): r for r in warehouse.dicts("fct_health_daily", columns)}
    assert set(got) == set(expected)
    mismatched = {(day, column): (got[day][column], want[column])
                  for day, want in expected.items() for column in truth.HEALTH_COLUMNS
                  if not _close(got[day][column], want[column])}
    assert not mismatched, list(mismatched.items())[:3]
    # the demo profile has days without each value (null there, never 0) and a warm night;
    # resting heart rate comes with every worn day
    for column in truth.HEALTH_COLUMNS[1:]:
        values = [want[column] for want in expected.values()]
        assert None in values and any(v is not None for v in values), column
    assert any((want["temperature_deviation_celsius"] or 0) > 1 for want in expected.values())


def test_workouts_equal_the_truth(warehouse):
    health = warehouse.box.app("google").data
    expected = truth.workouts(health)
    columns = ("workout_id, exercise_type, workout_date, week_start, duration_minutes, calories, "
               "distance_km, average_heart_rate, active_zone_minutes")
    got = {r.pop("workout_id"): r for r in warehouse.dicts("fct_workouts", columns)}
    assert set(got) == set(expected) and len(expected) > 50
    for workout_id, want in expected.items():
        row = got[workout_id]
        for column in ("duration_minutes", "calories", "distance_km"):
            assert _close(row.pop(column), want[column]), (workout_id, column)
        assert row == {k: v for k, v in want.items()
                       if k not in ("duration_minutes", "calories", "distance_km")}, workout_id
    assert any(want["distance_km"] is None for want in expected.values())
    assert any(want["average_heart_rate"] is None for want in expected.values())


# --- daily summary ----------------------------------------------------------------------------

def test_daily_summary_joins_the_day(warehouse, expected_habit_periods):
    health = warehouse.box.app("google").data
    crm = warehouse.box.app("hubspot").truth
    done = {}
    for p in expected_habit_periods:
        if p.period == "daily":
            done[p.period_start] = done.get(p.period_start, 0) + p.is_done
    sleep = truth.sleep_nightly(health, warehouse.variables)
    activity = truth.activity_daily(health, warehouse.variables)
    engaged: dict[date, int] = {}
    for _, day, _ in truth.engagements(crm, warehouse.timezone).values():
        engaged[day] = engaged.get(day, 0) + 1
    vitals = truth.health_daily(health)
    workouts: dict[date, int] = {}
    for w in truth.workouts(health).values():
        workouts[w["workout_date"]] = workouts.get(w["workout_date"], 0) + 1
    got = {r.pop("summary_date"): r for r in warehouse.dicts(
        "daily_summary", "summary_date, daily_habits_done, minutes_asleep, steps, engagements, "
                         "hrv_ms, workouts")}
    dates = set(done) | set(sleep) | set(activity) | set(engaged) | set(vitals) | set(workouts)
    first, last = min(dates), max(dates)
    assert set(got) == {date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)}
    for day, row in got.items():
        assert row == {
            "daily_habits_done": done.get(day, 0),
            "minutes_asleep": sleep.get(day, {}).get("minutes_asleep"),
            "steps": activity.get(day, {}).get("steps"),
            "engagements": engaged.get(day, 0),
            "hrv_ms": vitals.get(day, {}).get("hrv_ms"),
            "workouts": workouts.get(day, 0),
        }, day
