"""Google Health data points become raw rows: int64 strings, durations, missing vs zero."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pipelines.sources.fitbit.client import civil_date
from pipelines.sources.fitbit.health_rows import RESTING
from pipelines.sources.fitbit.rows import rollup_values, sleep_row, to_seconds

pytestmark = pytest.mark.unit


def test_sleep_row_reads_strings_and_stage_summary():
    row = sleep_row({"name": "users/1/dataTypes/sleep/dataPoints/9", "sleep": {
        "type": "STAGES",
        "interval": {"startTime": "2026-11-01T22:40:00Z", "endTime": "2026-11-02T06:10:00Z",
                     "startUtcOffset": "3600s", "endUtcOffset": "-14400s"},
        "summary": {"minutesAsleep": "402", "minutesInSleepPeriod": "450",
                    "stagesSummary": [{"type": "DEEP", "minutes": "70", "count": "4"}]},
        "metadata": {"mainSleep": True, "nap": False}}})
    assert row["sleep_id"].endswith("/9") and row["minutes_asleep"] == 402
    assert row["start_time"] == datetime(2026, 11, 1, 22, 40, tzinfo=UTC)
    assert row["end_utc_offset_seconds"] == -14400
    assert row["stage_deep_minutes"] == 70 and row["stage_rem_minutes"] is None
    assert row["is_main_sleep"] is True and row["minutes_awake"] is None


def test_rollup_missing_member_is_empty_and_zero_stays_zero():
    assert rollup_values("steps", {"civilStartTime": {}}) == {}
    assert rollup_values("steps", {"steps": {"countSum": "0"}}) == {"steps": 0}
    assert rollup_values("distance", {"distance": {"millimetersSum": "1500"}}) == {
        "distance_mm": 1500}
    assert rollup_values("active-minutes", {"activeMinutes": {
        "activeMinutesRollupByActivityLevel": [{"activityLevel": "VIGOROUS",
                                                "activeMinutesSum": "7"}]}}) == {
        "active_minutes_light": 0, "active_minutes_moderate": 0, "active_minutes_vigorous": 7}
    assert rollup_values("total-calories", {"totalCalories": {"kcalSum": 2010.5}}) == {
        "calories_total_kcal": 2010.5}


def test_resting_row_and_durations():
    assert RESTING.row({"dailyRestingHeartRate": {"date": {"year": 2026, "month": 2, "day": 3},
                                                  "beatsPerMinute": "58"}}) == {
        "measured_date": date(2026, 2, 3), "beats_per_minute": 58, "calculation_method": None}
    assert to_seconds("0s") == 0 and to_seconds(None) is None


def test_civil_date_has_the_date_wrapper():
    assert civil_date(date(2026, 1, 2)) == {"date": {"year": 2026, "month": 1, "day": 2}}


def test_sleep_row_is_dated_by_its_own_offset():
    row = sleep_row({"dataPointName": "users/1/dataTypes/sleep/dataPoints/7", "sleep": {
        "interval": {"startTime": "2026-11-01T13:00:00Z", "endTime": "2026-11-01T21:30:00Z",
                     "startUtcOffset": "32400s", "endUtcOffset": "32400s"}}})
    assert row["sleep_id"] == "users/1/dataTypes/sleep/dataPoints/7"  # a reconciled point
    assert row["sleep_date"] == date(2026, 11, 2)  # woke up in Tokyo on the 2nd
    assert row["start_time_local"] == datetime(2026, 11, 1, 22, 0)
    assert row["end_time_local"] == datetime(2026, 11, 2, 6, 30)
    bare = sleep_row({"name": "x", "sleep": {"interval": {"endTime": "2026-11-01T21:30:00Z"}}})
    assert bare["sleep_date"] is None and bare["end_time_local"] is None


def test_health_points_become_rows_missing_stays_null():
    from pipelines.sources.fitbit.health_rows import (
        DAILY_TYPES,
        SAMPLE_TYPES,
        exercise_row,
        zone_values,
    )

    hrv = next(t for t in DAILY_TYPES if t.data_type == "daily-heart-rate-variability")
    assert hrv.member == "dailyHeartRateVariability" and hrv.filter_name == (
        "daily_heart_rate_variability")
    assert hrv.row({"dailyHeartRateVariability": {
        "date": {"year": 2026, "month": 3, "day": 1},
        "averageHeartRateVariabilityMilliseconds": 41.5, "nonRemHeartRateBeatsPerMinute": "57"}}) == {
        "measured_date": date(2026, 3, 1), "average_ms": 41.5, "deep_sleep_rmssd_ms": None,
        "entropy": None, "non_rem_heart_rate_bpm": 57}
    vo2 = next(t for t in DAILY_TYPES if t.data_type == "daily-vo2-max")
    assert vo2.member == "dailyVo2Max" and vo2.row({"dailyVo2Max": {}}) is None  # no date
    assert zone_values("active-zone-minutes", {"civilStartTime": {}}) == {}  # not recorded
    assert zone_values("time-in-heart-rate-zone", {"timeInHeartRateZone": {
        "timeInHeartRateZones": [{"heartRateZone": "PEAK", "duration": "120s"}]}}) == {
        "light_seconds": 0, "moderate_seconds": 0, "vigorous_seconds": 0, "peak_seconds": 120}
    swim = exercise_row({"name": "users/1/dataTypes/exercise/dataPoints/77", "exercise": {
        "exerciseType": "SWIMMING", "activeDuration": "1500s",
        "interval": {"startTime": "2026-03-01T23:30:00Z", "endTime": "2026-03-02T00:00:00Z",
                     "startUtcOffset": "32400s", "endUtcOffset": "32400s"},
        "metricsSummary": {"caloriesKcal": 210.5}, "updateTime": "2026-03-02T01:00:00Z"}})
    assert swim["exercise_date"] == date(2026, 3, 2)  # a morning swim in Tokyo
    assert swim["duration_seconds"] == 1800 and swim["active_duration_seconds"] == 1500
    assert swim["average_heart_rate_bpm"] is None and swim["peak_zone_seconds"] is None
    weight = next(t for t in SAMPLE_TYPES if t.data_type == "weight")
    row = weight.row({"dataSource": {"recordingMethod": "MANUAL"}, "weight": {
        "sampleTime": {"physicalTime": "2026-03-01T23:10:00Z", "utcOffset": "-18000s"},
        "weightGrams": 72100.0}})
    assert row["measured_date"] == date(2026, 3, 1) and row["weight_grams"] == 72100.0
    assert row["measurement_id"] == "2026-03-01T23:10:00+00:00" and row["notes"] is None
