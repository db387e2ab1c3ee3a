"""dataPoints.dailyRollUp: request validation, per-type maximum range, civil-day windows, sums."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sandbox.google.data import DATA_TYPES, LEVELS, HealthData
from sandbox.google.errors import ApiFailure
from sandbox.google.paging import decode_token, encode_token
from sandbox.google.render import date_json
from sandbox.server import Request

SHORT_RANGE_TYPES = (
    "heart-rate", "active-minutes", "total-calories", "calories-in-heart-rate-zone")
ROLLUP_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories",
                "time-in-heart-rate-zone", "active-zone-minutes")
REQUEST_FIELDS = {"range", "windowSizeDays", "pageSize", "pageToken", "dataSourceFamily"}


def max_range_days(data_type: str, overrides: dict[str, int] | None = None) -> int:
    """The longest range one request may span: a mode's override, else the discovery doc's."""
    if overrides and data_type in overrides:
        return overrides[data_type]
    return 14 if data_type in SHORT_RANGE_TYPES else 90


def daily_roll_up(data: HealthData, data_type: str, request: Request,
                  max_days_overrides: dict[str, int] | None = None) -> dict[str, Any]:
    """The response body for one dailyRollUp request; a 400 ``ApiFailure`` if it is invalid."""
    if data_type not in ROLLUP_TYPES:
        raise ApiFailure(400, f"Data type {data_type} does not support dailyRollUp here.",
                         "UNSUPPORTED_DATA_TYPE_ACTION")
    try:
        body = request.json()
    except ValueError:
        raise ApiFailure(400, "Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise ApiFailure(400, "Invalid JSON payload received. Expected an object.")
    for key in body:
        if key not in REQUEST_FIELDS:
            raise ApiFailure(400, f'Invalid JSON payload received. Unknown name "{key}": '
                             "Cannot find field.")
    start = civil_date(body.get("range"), "start")
    end = civil_date(body.get("range"), "end")
    if end <= start:
        raise ApiFailure(400, "range.end must be after range.start.")
    max_days = max_range_days(data_type, max_days_overrides)
    if (end - start).days > max_days:
        raise ApiFailure(400, f"The maximum range for {data_type} is {max_days} days.",
                         "INVALID_RANGE")
    window = body.get("windowSizeDays", 1)
    if not isinstance(window, int) or window < 1:
        raise ApiFailure(400, "window_size_days must be a positive integer.")
    page_max = 14 if data_type in SHORT_RANGE_TYPES else 90
    page_size = body.get("pageSize") or page_max
    if not isinstance(page_size, int) or page_size < 0:
        raise ApiFailure(400, "page_size must be a positive integer.")
    page_size = min(page_size, page_max)
    fields = {k: v for k, v in body.items() if k != "pageToken"}
    query_key = f"{data_type}|{json.dumps(fields, sort_keys=True)}"
    offset = decode_token(body.get("pageToken"), query_key)
    windows = day_windows(start, end, window, data.today())
    page = windows[offset:offset + page_size]
    out: dict[str, Any] = {"rollupDataPoints": [rollup(data, data_type, a, b) for a, b in page]}
    if offset + page_size < len(windows):
        out["nextPageToken"] = encode_token(offset + page_size, query_key)
    return out


def day_windows(start: date, end: date, window: int, today: date) -> list[tuple[date, date]]:
    """``[start, end)`` cut into ``window``-day windows, none starting after ``today``."""
    windows = []
    cursor = start
    while cursor < end and cursor <= today:
        window_end = min(end, cursor + timedelta(days=window))
        windows.append((cursor, window_end))
        cursor = window_end
    return windows


def civil_date(range_: Any, key: str) -> date:
    """``range.start`` or ``range.end``: a civil date at midnight (the window alignment)."""
    if not isinstance(range_, dict) or not isinstance(range_.get(key), dict):
        raise ApiFailure(400, f"range.{key} is required.")
    value = range_[key]
    if "date" not in value:
        bad = next(iter(value), key)
        raise ApiFailure(400, f'Invalid JSON payload received. Unknown name "{bad}" at '
                         f"'range.{key}': Cannot find field.")
    try:
        d = value["date"]
        day = date(int(d["year"]), int(d["month"]), int(d["day"]))
    except (KeyError, TypeError, ValueError):
        raise ApiFailure(400, f"range.{key}.date is not a valid date.") from None
    time_of_day = value.get("time") or {}
    if any(time_of_day.get(k) for k in ("hours", "minutes", "seconds", "nanos")):
        raise ApiFailure(400, "The range must be aligned with the aggregation window.")
    return day


def rollup(data: HealthData, data_type: str, start: date, end: date) -> dict:
    """One roll-up data point: the type's sum over the days of ``[start, end)``."""
    out: dict[str, Any] = {"civilStartTime": {"date": date_json(start)},
                           "civilEndTime": {"date": date_json(end)}}
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    values = [data.truth_daily(data_type, d) for d in days]
    values = [v for v in values if v is not None]
    if not values:
        return out  # no worn data: the member is missing (a 0 would mean worn and idle)
    member = DATA_TYPES[data_type][0]
    if data_type == "active-minutes":
        totals = dict.fromkeys(LEVELS, 0)
        for v in values:
            for level, minutes in v.items():
                totals[level] += minutes
        out[member] = {"activeMinutesRollupByActivityLevel": [
            {"activityLevel": level, "activeMinutesSum": str(m)}
            for level, m in totals.items()]}
    elif data_type == "total-calories":
        out[member] = {"kcalSum": sum(values)}
    elif data_type == "time-in-heart-rate-zone":
        out[member] = {"timeInHeartRateZones": [
            {"heartRateZone": zone, "duration": f"{sum(v[zone] for v in values)}s"}
            for zone in values[0]]}
    elif data_type == "active-zone-minutes":
        out[member] = {f"sumIn{name}HeartZone": str(sum(v[zone] for v in values))
                       for zone, name in (("FAT_BURN", "FatBurn"), ("CARDIO", "Cardio"),
                                          ("PEAK", "Peak"))}
    elif data_type == "distance":
        out[member] = {"millimetersSum": str(sum(values))}
    else:
        out[member] = {"countSum": str(sum(values))}
    return out
