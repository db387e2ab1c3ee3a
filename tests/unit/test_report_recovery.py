"""The Recovery and Workouts sections from hand-made mart rows: HRV against its own baseline,
flags outside the person's usual range, "not measured" rather than zeros, workouts per week."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines.report import recovery, workouts
from pipelines.report.render import render_html

pytestmark = pytest.mark.unit

LAST = date(2026, 3, 31)


def _day(k: int, **values) -> dict:
    """The row ``k`` days before LAST, every measure set unless given."""
    row = {"health_date": (LAST - timedelta(days=k)).isoformat(), "resting_heart_rate": 58,
           "hrv_ms": 40.0, "spo2_percent": 96.0 + (k % 3) * 0.2, "breaths_per_minute": 15.0,
           "temperature_deviation_celsius": 0.1 * (k % 3 - 1), "vo2_max": 44.0, "weight_kg": None}
    row.update(values)
    return row


def test_hrv_is_read_against_its_own_30_day_baseline():
    rows = [_day(k) for k in range(7, 37)] + [_day(k, hrv_ms=50.0, resting_heart_rate=55)
                                               for k in range(7)]
    section = recovery.recovery_section(rows, {"fitbit"})
    by = {f.metric: f for f in section.figures}
    assert by["hrv"].value == 50.0 and by["hrv"].compare == 40.0
    assert by["hrv"].note == "+10 ms on its 30-day baseline (40 ms)"
    assert by["resting_heart_rate"].display == "55 bpm"
    assert section.takeaway == ("Last 7 days: heart-rate variability 50 ms (+10 ms on its 30-day "
                                "baseline); resting heart rate 55 bpm (-3 bpm on its 30-day "
                                "baseline); SpO2 and skin temperature within your usual range.")
    assert [c.id for c in section.charts] == ["recovery-hrv", "recovery-resting"]
    baseline = section.charts[0].series[1]["data"]
    assert baseline[-1] == pytest.approx((40.0 * 24 + 50.0 * 6) / 30)  # the 30 days before


def test_spo2_and_temperature_nights_outside_the_usual_range_are_flagged():
    rows = [_day(k) for k in range(1, 37)]
    rows.append(_day(0, spo2_percent=91.5, temperature_deviation_celsius=1.4))
    section = recovery.recovery_section(rows, {"fitbit"})
    flagged = section.tables[0].rows
    assert [(r[0], r[1], r[2]) for r in flagged] == [
        (LAST.isoformat(), "Skin temperature", "+1.4 °C"), (LAST.isoformat(), "SpO2", "91.5%")]
    assert "2 nights outside your usual range (Skin temperature, SpO2)" in section.takeaway


def test_what_a_device_does_not_measure_reads_not_measured_never_zero():
    rows = [_day(k, hrv_ms=None, temperature_deviation_celsius=None) for k in range(40)]
    section = recovery.recovery_section(rows, {"fitbit"})
    by = {f.metric: f for f in section.figures}
    assert by["hrv"].display == "not measured" and by["hrv"].value is None
    assert by["temperature"].display == "not measured"
    assert "heart-rate variability not measured" in section.takeaway
    assert [c.id for c in section.charts] == ["recovery-resting"]
    html = render_html([section], "now", "duckdb")
    assert "not measured" in html and ">0 ms<" not in html
    # a grant without health_metrics_and_measurements: nothing measured at all
    weight_only = [{**_day(k), **dict.fromkeys(
        ("resting_heart_rate", "hrv_ms", "spo2_percent", "breaths_per_minute",
         "temperature_deviation_celsius", "vo2_max")), "weight_kg": None} for k in range(3)]
    empty = recovery.recovery_section(weight_only, {"fitbit"})
    assert "not measured" in empty.takeaway and not empty.figures and not empty.charts
    assert recovery.recovery_section([], {"fitbit"}).takeaway == empty.takeaway
    assert recovery.recovery_section([], {"notion"}).missing == ["fitbit"]


def _workout(day: date, kind: str, minutes: float) -> dict:
    week = day - timedelta(days=day.weekday())
    return {"workout_id": f"{day}-{kind}", "workout_date": day.isoformat(),
            "week_start": week.isoformat(), "exercise_type": kind,
            "duration_minutes": minutes, "calories": 300.0,
            "distance_km": None, "average_heart_rate": 120}


def test_workouts_per_week_by_type():
    monday = date(2026, 3, 30)
    rows = [_workout(monday - timedelta(weeks=w, days=-1), "RUNNING", 30) for w in range(1, 5)]
    rows += [_workout(monday - timedelta(weeks=1, days=-3), "YOGA", 45),
             _workout(monday, "YOGA", 60)]
    section = workouts.workouts_section(rows, {"fitbit"}, today=(monday + timedelta(days=2))
                                        .isoformat())
    chart = section.charts[0]
    assert chart.kind == "stacked" and chart.labels[-1] == monday.isoformat()
    by_type = {s["label"]: s["data"] for s in chart.series}
    assert by_type["Yoga"][-1] == 60 and by_type["Yoga"][-2] == 45 and by_type["Running"][-2] == 30
    assert section.tables[0].rows[0] == [monday.isoformat(), 1, 60, 300, "Yoga 1"]
    assert section.takeaway == ("Last 4 weeks: 5 workouts, 3.2 h in all, mostly Running (3); "
                                "this week 1 so far.")
    assert workouts.workouts_section([], {"fitbit"}).takeaway == "No workouts recorded yet."
    one_each = [_workout(monday, "YOGA", 30), _workout(monday, "RUNNING", 30)]
    assert "2 kinds, one of each" in workouts.workouts_section(one_each, {"fitbit"}).takeaway
    assert workouts.workouts_section([], set()).missing == ["fitbit"]
