"""Google Health data points beyond sleep and activity -> rows of the raw ``fitbit__*`` tables:
daily vitals, heart-rate zones per day, exercise sessions, weight and body fat.

The same rules as ``rows.py``: metric units as the API sends them (grams, millimetres, kcal,
seconds), int64 strings as integers, a value the API leaves out NULL (never 0), and local times
and dates from each point's own UTC offset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipelines.sources.fitbit.rows import (
    RESTING_COLUMNS,
    RESTING_TABLE,
    SESSION_TIME_COLUMNS,
    local_time,
    resting_values,
    to_date,
    to_int,
    to_seconds,
    to_time,
)

HRV_TABLE = "fitbit__heart_rate_variability"
SPO2_TABLE = "fitbit__oxygen_saturation"
RESPIRATORY_TABLE = "fitbit__respiratory_rate"
TEMPERATURE_TABLE = "fitbit__sleep_temperature"
VO2_TABLE = "fitbit__vo2_max"
ZONES_TABLE = "fitbit__heart_rate_zones_daily"
EXERCISE_TABLE = "fitbit__exercise"
WEIGHT_TABLE = "fitbit__weight"
BODY_FAT_TABLE = "fitbit__body_fat"

ZONES = ("light", "moderate", "vigorous", "peak")
AZM_ZONES = {"sumInFatBurnHeartZone": "azm_fat_burn", "sumInCardioHeartZone": "azm_cardio",
             "sumInPeakHeartZone": "azm_peak"}
DELETED = {"deleted": {"data_type": "bool", "hard_delete": True}}


def _double(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


@dataclass(frozen=True)
class DailyType:
    """A daily data type read with ``list``: one row per date, keyed by ``measured_date``."""

    resource: str  # the dlt resource name (and its state's key)
    label: str  # for log lines
    data_type: str  # kebab-case, as in the URL
    table: str
    columns: dict[str, dict[str, Any]]
    values: Callable[[dict], dict[str, Any]]  # the member's fields -> the table's columns

    @property
    def member(self) -> str:
        """The JSON key of the data point's member (camelCase)."""
        head, *rest = self.data_type.split("-")
        return head + "".join(part.capitalize() for part in rest)

    @property
    def filter_name(self) -> str:
        return self.data_type.replace("-", "_")

    def row(self, point: dict) -> dict[str, Any] | None:
        value = point.get(self.member) or {}
        day = to_date(value.get("date"))
        return None if day is None else {"measured_date": day, **self.values(value)}


def _daily_columns(**columns: str) -> dict[str, dict[str, Any]]:
    return {"measured_date": {"data_type": "date", "nullable": False},
            **{name: {"data_type": kind} for name, kind in columns.items()}, **DELETED}


RESTING = DailyType("resting_heart_rate", "resting heart rate", "daily-resting-heart-rate",
                    RESTING_TABLE, RESTING_COLUMNS, resting_values)
# the daily vitals beside resting heart rate
DAILY_TYPES = (
    DailyType("heart_rate_variability", "heart rate variability", "daily-heart-rate-variability",
              HRV_TABLE, _daily_columns(average_ms="double", deep_sleep_rmssd_ms="double",
                                        entropy="double", non_rem_heart_rate_bpm="bigint"),
              lambda v: {"average_ms": _double(v.get("averageHeartRateVariabilityMilliseconds")),
                         "deep_sleep_rmssd_ms": _double(
                             v.get("deepSleepRootMeanSquareOfSuccessiveDifferencesMilliseconds")),
                         "entropy": _double(v.get("entropy")),
                         "non_rem_heart_rate_bpm": to_int(v.get("nonRemHeartRateBeatsPerMinute"))}),
    DailyType("oxygen_saturation", "oxygen saturation", "daily-oxygen-saturation", SPO2_TABLE,
              _daily_columns(average_percent="double", lower_bound_percent="double",
                             upper_bound_percent="double", standard_deviation_percent="double"),
              lambda v: {"average_percent": _double(v.get("averagePercentage")),
                         "lower_bound_percent": _double(v.get("lowerBoundPercentage")),
                         "upper_bound_percent": _double(v.get("upperBoundPercentage")),
                         "standard_deviation_percent": _double(
                             v.get("standardDeviationPercentage"))}),
    DailyType("respiratory_rate", "respiratory rate", "daily-respiratory-rate",
              RESPIRATORY_TABLE, _daily_columns(breaths_per_minute="double"),
              lambda v: {"breaths_per_minute": _double(v.get("breathsPerMinute"))}),
    DailyType("sleep_temperature", "sleep temperature", "daily-sleep-temperature-derivations",
              TEMPERATURE_TABLE,
              _daily_columns(nightly_celsius="double", baseline_celsius="double",
                             relative_stddev_30d_celsius="double"),
              lambda v: {"nightly_celsius": _double(v.get("nightlyTemperatureCelsius")),
                         "baseline_celsius": _double(v.get("baselineTemperatureCelsius")),
                         "relative_stddev_30d_celsius": _double(
                             v.get("relativeNightlyStddev30dCelsius"))}),
    DailyType("vo2_max", "VO2 max", "daily-vo2-max", VO2_TABLE,
              _daily_columns(vo2_max="double", vo2_max_covariance="double",
                             cardio_fitness_level="text", is_estimated="bool"),
              lambda v: {"vo2_max": _double(v.get("vo2Max")),
                         "vo2_max_covariance": _double(v.get("vo2MaxCovariance")),
                         "cardio_fitness_level": v.get("cardioFitnessLevel"),
                         "is_estimated": v.get("estimated")}),
)

ZONES_COLUMNS: dict[str, dict[str, Any]] = {
    "zone_date": {"data_type": "date", "nullable": False},
    **{f"{zone}_seconds": {"data_type": "bigint"} for zone in ZONES},
    **{column: {"data_type": "bigint"} for column in AZM_ZONES.values()},
    **DELETED,
}


def zone_values(data_type: str, element: dict) -> dict[str, Any]:
    """The zone columns one ``dailyRollUp`` element fills (empty when nothing was recorded)."""
    if data_type == "time-in-heart-rate-zone" and "timeInHeartRateZone" in element:
        out: dict[str, Any] = {f"{zone}_seconds": 0 for zone in ZONES}
        for item in element["timeInHeartRateZone"].get("timeInHeartRateZones") or []:
            key = f"{str(item.get('heartRateZone', '')).lower()}_seconds"
            if key in out:
                out[key] = to_seconds(item.get("duration")) or 0
        return out
    if data_type == "active-zone-minutes" and "activeZoneMinutes" in element:
        value = element["activeZoneMinutes"]
        return {column: to_int(value.get(field)) or 0 for field, column in AZM_ZONES.items()}
    return {}


EXERCISE_COLUMNS: dict[str, dict[str, Any]] = {
    "exercise_id": {"data_type": "text", "nullable": False},
    "exercise_type": {"data_type": "text"},
    "display_name": {"data_type": "text"},
    **SESSION_TIME_COLUMNS,
    "exercise_date": {"data_type": "date"},
    "duration_seconds": {"data_type": "bigint"},
    "active_duration_seconds": {"data_type": "bigint"},
    "calories_kcal": {"data_type": "double"},
    "distance_mm": {"data_type": "double"},
    "average_heart_rate_bpm": {"data_type": "bigint"},
    "active_zone_minutes": {"data_type": "bigint"},
    **{f"{zone}_zone_seconds": {"data_type": "bigint"} for zone in ZONES},
    "steps": {"data_type": "bigint"},
    "notes": {"data_type": "text"},
    "create_time": {"data_type": "timestamp"},
    "update_time": {"data_type": "timestamp"},
    **DELETED,
}


def exercise_row(point: dict) -> dict[str, Any]:
    """One exercise session, keyed by its data point name; dated by its local start."""
    exercise = point.get("exercise") or {}
    interval = exercise.get("interval") or {}
    summary = exercise.get("metricsSummary") or {}
    zones = summary.get("heartRateZoneDurations") or {}
    start, end = to_time(interval.get("startTime")), to_time(interval.get("endTime"))
    start_offset = to_seconds(interval.get("startUtcOffset"))
    end_offset = to_seconds(interval.get("endUtcOffset"))
    start_local = local_time(start, start_offset)
    row: dict[str, Any] = {
        "exercise_id": point.get("dataPointName") or point["name"],
        "exercise_type": exercise.get("exerciseType"),
        "display_name": exercise.get("displayName"),
        "start_time": start, "end_time": end,
        "start_utc_offset_seconds": start_offset, "end_utc_offset_seconds": end_offset,
        "start_time_local": start_local, "end_time_local": local_time(end, end_offset),
        "exercise_date": start_local.date() if start_local else None,
        "duration_seconds": int((end - start).total_seconds()) if start and end else None,
        "active_duration_seconds": to_seconds(exercise.get("activeDuration")),
        "calories_kcal": _double(summary.get("caloriesKcal")),
        "distance_mm": _double(summary.get("distanceMillimeters")),
        "average_heart_rate_bpm": to_int(summary.get("averageHeartRateBeatsPerMinute")),
        "active_zone_minutes": to_int(summary.get("activeZoneMinutes")),
        **{f"{zone}_zone_seconds": to_seconds(zones.get(f"{zone}Time")) for zone in ZONES},
        "steps": to_int(summary.get("steps")),
        "notes": exercise.get("notes"),
        "create_time": to_time(exercise.get("createTime")),
        "update_time": to_time(exercise.get("updateTime")),
    }
    return row


@dataclass(frozen=True)
class SampleType:
    """A sample data type (one value at an instant), keyed by that instant."""

    resource: str
    label: str
    data_type: str
    table: str
    value_column: str
    value_field: str

    @property
    def member(self) -> str:
        return {"weight": "weight", "body-fat": "bodyFat"}[self.data_type]

    @property
    def filter_name(self) -> str:
        return self.data_type.replace("-", "_")

    @property
    def columns(self) -> dict[str, dict[str, Any]]:
        return {"measurement_id": {"data_type": "text", "nullable": False},
                "measured_at": {"data_type": "timestamp"},
                "utc_offset_seconds": {"data_type": "bigint"},
                "measured_at_local": {"data_type": "timestamp", "timezone": False},
                "measured_date": {"data_type": "date"},
                self.value_column: {"data_type": "double"},
                "recording_method": {"data_type": "text"},
                "notes": {"data_type": "text"},
                **DELETED}

    def row(self, point: dict) -> dict[str, Any] | None:
        value = point.get(self.member) or {}
        sample = value.get("sampleTime") or {}
        at = to_time(sample.get("physicalTime"))
        if at is None:
            return None
        offset = to_seconds(sample.get("utcOffset"))
        local = local_time(at, offset)
        return {"measurement_id": at.isoformat(), "measured_at": at, "utc_offset_seconds": offset,
                "measured_at_local": local, "measured_date": local.date() if local else None,
                self.value_column: _double(value.get(self.value_field)),
                "recording_method": (point.get("dataSource") or {}).get("recordingMethod"),
                "notes": value.get("notes")}


SAMPLE_TYPES = (
    SampleType("weight", "weight", "weight", WEIGHT_TABLE, "weight_grams", "weightGrams"),
    SampleType("body_fat", "body fat", "body-fat", BODY_FAT_TABLE, "body_fat_percent",
               "percentage"),
)
