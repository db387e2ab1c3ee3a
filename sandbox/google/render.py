"""JSON shapes of Health API data points (interval, daily and session) and their time fields."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sandbox.google.data import DATA_TYPES, HealthData, Point, RestingHeartRate, SleepSession
from sandbox.google.health import DailyValue, Exercise, Sample

DEVICE = {"platform": "FITBIT", "recordingMethod": "PASSIVELY_MEASURED",
          "device": {"displayName": "Charge 6", "formFactor": "FITNESS_BAND",
                     "manufacturer": "Fitbit"}}
SECOND_DEVICE = {"platform": "FITBIT", "recordingMethod": "PASSIVELY_MEASURED",
                 "device": {"displayName": "Pixel Watch 3", "formFactor": "WATCH",
                            "manufacturer": "Google"}}


def rfc3339(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: int) -> str:
    return f"{seconds}s"


def date_json(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def civil(instant: datetime, offset: int) -> dict:
    local = instant + timedelta(seconds=offset)
    return {"date": date_json(local.date()),
            "time": {"hours": local.hour, "minutes": local.minute}}


def interval(start: datetime, end: datetime, start_offset: int, end_offset: int,
             with_civil: bool = True) -> dict:
    out = {"startTime": rfc3339(start), "endTime": rfc3339(end),
           "startUtcOffset": duration(start_offset), "endUtcOffset": duration(end_offset)}
    if with_civil:
        out["civilStartTime"] = civil(start, start_offset)
        out["civilEndTime"] = civil(end, end_offset)
    return out


def render_point(data: HealthData, p: Point) -> dict:
    member = DATA_TYPES[p.data_type][0]
    end_offset = data.offset_at(p.end, p.zone)
    value: dict[str, Any] = {"interval": interval(p.start, p.end, p.offset, end_offset)}
    if p.data_type == "distance":
        value["millimeters"] = str(p.value)
    elif p.data_type == "active-minutes":
        value["activeMinutesByActivityLevel"] = [
            {"activityLevel": level, "activeMinutes": str(minutes)}
            for level, minutes in p.value.items() if minutes]
    elif p.data_type == "time-in-heart-rate-zone":
        value["heartRateZoneType"] = p.value
    elif p.data_type == "active-zone-minutes":
        value["heartRateZone"] = p.value["zone"]
        value["activeZoneMinutes"] = str(p.value["minutes"])
    else:
        value["count"] = str(p.value)
    return {"dataSource": DEVICE, member: value}


def render_resting(r: RestingHeartRate) -> dict:
    return {"dataSource": DEVICE, "dailyRestingHeartRate": {
        "date": date_json(r.day), "beatsPerMinute": str(r.bpm),
        "dailyRestingHeartRateMetadata": {"calculationMethod": r.method}}}


def sleep_name(data: HealthData, s: SleepSession) -> str:
    return f"users/{data.health_user_id}/dataTypes/sleep/dataPoints/{s.id}"


def render_reconciled_sleep(data: HealthData, s: SleepSession) -> dict:
    """A ``ReconciledDataPoint``: ``dataPointName`` instead of ``name``, no ``dataSource``."""
    point = render_sleep(data, s)
    return {"dataPointName": point["name"], "sleep": point["sleep"]}


def render_sleep(data: HealthData, s: SleepSession, device: dict = DEVICE) -> dict:
    stamp = rfc3339
    stages = [{"type": st.type, "startTime": stamp(st.start), "endTime": stamp(st.end),
               "startUtcOffset": duration(data.offset_at(st.start, s.zone)),
               "endUtcOffset": duration(data.offset_at(st.end, s.zone)),
               "createTime": stamp(s.create_time), "updateTime": stamp(s.update_time)}
              for st in s.stages]
    minutes, counts = s.stage_minutes(), s.stage_counts()
    return {
        "name": sleep_name(data, s),
        "dataSource": device,
        "sleep": {
            "type": s.type,
            "interval": interval(s.start, s.end, s.start_offset, s.end_offset),
            "stages": stages, "shortAwakenings": [], "outOfBedSegments": [],
            "summary": {
                "minutesAsleep": str(s.minutes_asleep), "minutesAwake": str(s.minutes_awake),
                "minutesInSleepPeriod": str(s.minutes_in_sleep_period),
                "minutesToFallAsleep": "0", "minutesAfterWakeUp": "0",
                "stagesSummary": [{"type": t, "minutes": str(m), "count": str(counts[t])}
                                  for t, m in sorted(minutes.items())],
            },
            "metadata": {"mainSleep": s.main_sleep, "nap": s.nap, "processed": True,
                         "manuallyEdited": False, "stagesStatus": "SUCCEEDED"
                         if s.type == "STAGES" else "REJECTED_NAP"},
            "createTime": stamp(s.create_time), "updateTime": stamp(s.update_time),
        },
    }


def render_daily(d: DailyValue) -> dict:
    """A daily data type's point: its date and the member's fields."""
    return {"dataSource": DEVICE, DATA_TYPES[d.data_type][0]: {"date": date_json(d.day),
                                                              **d.values}}


def render_sample(s: Sample) -> dict:
    """A weight (``weightGrams``) or body fat (``percentage``) sample, manual or from a scale."""
    source = {"platform": "FITBIT", "recordingMethod": "MANUAL"} if s.manual else {
        "platform": "FITBIT", "recordingMethod": "ACTIVELY_MEASURED",
        "device": {"displayName": "Aria Air", "formFactor": "SCALE", "manufacturer": "Fitbit"}}
    field = "weightGrams" if s.data_type == "weight" else "percentage"
    sample_time = {"physicalTime": rfc3339(s.time), "utcOffset": duration(s.offset),
                   "civilTime": civil(s.time, s.offset)}
    value = {"sampleTime": sample_time, field: s.value}
    if s.notes:
        value["notes"] = s.notes
    return {"dataSource": source, DATA_TYPES[s.data_type][0]: value}


def render_exercise(data: HealthData, e: Exercise) -> dict:
    """An exercise session (identifiable: it has a ``name``), its summary metrics optional."""
    summary: dict[str, Any] = {"caloriesKcal": e.calories}
    if e.distance_mm is not None:
        summary["distanceMillimeters"] = e.distance_mm
        summary["averageSpeedMillimetersPerSecond"] = round(e.distance_mm / e.active_seconds, 1)
    if e.average_heart_rate is not None:
        summary["averageHeartRateBeatsPerMinute"] = str(e.average_heart_rate)
        summary["activeZoneMinutes"] = str(e.active_zone_minutes)
        summary["heartRateZoneDurations"] = {
            f"{zone.lower()}Time": duration(seconds) for zone, seconds in e.zone_seconds.items()}
    if e.steps is not None:
        summary["steps"] = str(e.steps)
    stamp = rfc3339
    return {"name": data.exercise_name(e), "dataSource": DEVICE, "exercise": {
        "exerciseType": e.exercise_type, "displayName": e.display_name,
        "interval": interval(e.start, e.end, e.start_offset, e.end_offset),
        "activeDuration": duration(e.active_seconds), "metricsSummary": summary,
        "exerciseEvents": [
            {"exerciseEventType": "START", "eventTime": stamp(e.start),
             "eventUtcOffset": duration(e.start_offset)},
            {"exerciseEventType": "STOP", "eventTime": stamp(e.end),
             "eventUtcOffset": duration(e.end_offset)}],
        "exerciseMetadata": {"hasGps": e.distance_mm is not None and e.exercise_type != "SWIMMING"},
        **({"notes": e.notes} if e.notes else {}),
        "createTime": stamp(e.create_time), "updateTime": stamp(e.update_time)}}
