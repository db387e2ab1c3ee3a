"""Google Health API data points -> rows of the raw ``fitbit__*`` tables.

Values keep the API's metric units (millimetres, kcal); int64 strings become integers; a value
the API leaves out stays NULL, because a missing rollup member means "not worn" while 0 means
"worn and idle". Local times and dates come from each point's own UTC offset, so a night slept
in Tokyo is dated in Tokyo whatever zone is configured.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

# the source's tables
SLEEP_TABLE = "fitbit__sleep"
ACTIVITY_TABLE = "fitbit__activity_daily"
RESTING_TABLE = "fitbit__resting_heart_rate"

SLEEP_STAGES = ("DEEP", "LIGHT", "REM", "AWAKE", "ASLEEP", "RESTLESS")
ACTIVITY_LEVELS = ("LIGHT", "MODERATE", "VIGOROUS")

# a session's interval: UTC, its own offsets, and the wall-clock times where it happened
SESSION_TIME_COLUMNS: dict[str, dict[str, Any]] = {
    "start_time": {"data_type": "timestamp"},
    "end_time": {"data_type": "timestamp"},
    "start_utc_offset_seconds": {"data_type": "bigint"},
    "end_utc_offset_seconds": {"data_type": "bigint"},
    "start_time_local": {"data_type": "timestamp", "timezone": False},
    "end_time_local": {"data_type": "timestamp", "timezone": False},
}

SLEEP_COLUMNS: dict[str, dict[str, Any]] = {
    "sleep_id": {"data_type": "text", "nullable": False},
    "sleep_type": {"data_type": "text"},
    **SESSION_TIME_COLUMNS,
    # the night's date where it was slept (the point's own offsets)
    "sleep_date": {"data_type": "date"},
    "is_main_sleep": {"data_type": "bool"},
    "is_nap": {"data_type": "bool"},
    "is_processed": {"data_type": "bool"},
    "is_manually_edited": {"data_type": "bool"},
    "stages_status": {"data_type": "text"},
    "minutes_asleep": {"data_type": "bigint"},
    "minutes_awake": {"data_type": "bigint"},
    "minutes_in_sleep_period": {"data_type": "bigint"},
    "minutes_to_fall_asleep": {"data_type": "bigint"},
    "minutes_after_wake_up": {"data_type": "bigint"},
    **{f"stage_{s.lower()}_minutes": {"data_type": "bigint"} for s in SLEEP_STAGES},
    **{f"stage_{s.lower()}_count": {"data_type": "bigint"} for s in SLEEP_STAGES},
    "stages": {"data_type": "json"},
    "create_time": {"data_type": "timestamp"},
    "update_time": {"data_type": "timestamp"},
    "deleted": {"data_type": "bool", "hard_delete": True},
}
ACTIVITY_COLUMNS: dict[str, dict[str, Any]] = {
    "activity_date": {"data_type": "date", "nullable": False},
    "steps": {"data_type": "bigint"},
    "distance_mm": {"data_type": "bigint"},
    "floors": {"data_type": "bigint"},
    **{f"active_minutes_{level.lower()}": {"data_type": "bigint"} for level in ACTIVITY_LEVELS},
    "calories_total_kcal": {"data_type": "double"},
    "deleted": {"data_type": "bool", "hard_delete": True},
}
RESTING_COLUMNS: dict[str, dict[str, Any]] = {
    "measured_date": {"data_type": "date", "nullable": False},
    "beats_per_minute": {"data_type": "bigint"},
    "calculation_method": {"data_type": "text"},
    "deleted": {"data_type": "bool", "hard_delete": True},
}


def to_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def to_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def to_seconds(value: str | None) -> int | None:
    """A protobuf duration such as ``"3600s"`` or ``"-14400s"`` in whole seconds."""
    if not value:
        return None
    return int(float(value.rstrip("s")))


def to_date(value: dict | None) -> date | None:
    if not value:
        return None
    return date(int(value["year"]), int(value["month"]), int(value["day"]))


def local_time(instant: datetime | None, offset_seconds: int | None) -> datetime | None:
    """The naive wall-clock time of ``instant`` at a UTC offset (None when either is missing)."""
    if instant is None or offset_seconds is None:
        return None
    return (instant + timedelta(seconds=offset_seconds)).replace(tzinfo=None)


def sleep_row(point: dict) -> dict[str, Any]:
    """One sleep session, keyed by the data point's name (``dataPointName`` when reconciled).

    ``sleep_date`` is the date the session ends on the clock where it was slept (the wake-up
    day, as Fitbit's dateOfSleep was).
    """
    sleep = point.get("sleep") or {}
    interval = sleep.get("interval") or {}
    summary = sleep.get("summary") or {}
    metadata = sleep.get("metadata") or {}
    start, end = to_time(interval.get("startTime")), to_time(interval.get("endTime"))
    start_offset = to_seconds(interval.get("startUtcOffset"))
    end_offset = to_seconds(interval.get("endUtcOffset"))
    end_local = local_time(end, end_offset)
    row: dict[str, Any] = {
        "sleep_id": point.get("dataPointName") or point["name"],
        "sleep_type": sleep.get("type"),
        "start_time": start,
        "end_time": end,
        "start_utc_offset_seconds": start_offset,
        "end_utc_offset_seconds": end_offset,
        "start_time_local": local_time(start, start_offset),
        "end_time_local": end_local,
        "sleep_date": end_local.date() if end_local else None,
        "is_main_sleep": metadata.get("mainSleep"),
        "is_nap": metadata.get("nap"),
        "is_processed": metadata.get("processed"),
        "is_manually_edited": metadata.get("manuallyEdited"),
        "stages_status": metadata.get("stagesStatus"),
        "minutes_asleep": to_int(summary.get("minutesAsleep")),
        "minutes_awake": to_int(summary.get("minutesAwake")),
        "minutes_in_sleep_period": to_int(summary.get("minutesInSleepPeriod")),
        "minutes_to_fall_asleep": to_int(summary.get("minutesToFallAsleep")),
        "minutes_after_wake_up": to_int(summary.get("minutesAfterWakeUp")),
        "stages": [{"type": s.get("type"), "start_time": s.get("startTime"),
                    "end_time": s.get("endTime")} for s in sleep.get("stages") or []],
        "create_time": to_time(sleep.get("createTime")),
        "update_time": to_time(sleep.get("updateTime")),
    }
    for stage in SLEEP_STAGES:
        row[f"stage_{stage.lower()}_minutes"] = None
        row[f"stage_{stage.lower()}_count"] = None
    for item in summary.get("stagesSummary") or []:
        stage = str(item.get("type", "")).lower()
        if f"stage_{stage}_minutes" in row:
            row[f"stage_{stage}_minutes"] = to_int(item.get("minutes"))
            row[f"stage_{stage}_count"] = to_int(item.get("count"))
    return row


def resting_values(value: dict) -> dict[str, Any]:
    """The resting heart rate columns of a ``dailyRestingHeartRate`` member (date aside)."""
    metadata = value.get("dailyRestingHeartRateMetadata") or {}
    return {"beats_per_minute": to_int(value.get("beatsPerMinute")),
            "calculation_method": metadata.get("calculationMethod")}


def rollup_values(data_type: str, element: dict) -> dict[str, Any]:
    """The activity columns one ``dailyRollUp`` element fills (empty when not worn)."""
    if data_type == "steps" and "steps" in element:
        return {"steps": to_int(element["steps"].get("countSum"))}
    if data_type == "distance" and "distance" in element:
        return {"distance_mm": to_int(element["distance"].get("millimetersSum"))}
    if data_type == "floors" and "floors" in element:
        return {"floors": to_int(element["floors"].get("countSum"))}
    if data_type == "total-calories" and "totalCalories" in element:
        kcal = element["totalCalories"].get("kcalSum")
        return {"calories_total_kcal": None if kcal is None else float(kcal)}
    if data_type == "active-minutes" and "activeMinutes" in element:
        out = {f"active_minutes_{level.lower()}": 0 for level in ACTIVITY_LEVELS}
        for item in element["activeMinutes"].get("activeMinutesRollupByActivityLevel") or []:
            key = f"active_minutes_{str(item.get('activityLevel', '')).lower()}"
            if key in out:
                out[key] = to_int(item.get("activeMinutesSum")) or 0
        return out
    return {}


def rollup_date(element: dict) -> date | None:
    return to_date((element.get("civilStartTime") or {}).get("date"))
