"""Seeded health measurements beyond sleep and activity: daily vitals, heart-rate zones,
exercise sessions, weight and body fat.

Each day draws from its own generator (``{seed}:health:{date}``), so adding these kinds left the
sleep and activity of every day as they were. What a day holds, with the discovery document's
member fields:
- daily vitals (``daily-heart-rate-variability``, ``daily-oxygen-saturation``,
  ``daily-respiratory-rate``, ``daily-sleep-temperature-derivations``, ``daily-vo2-max``): one
  value a day each, missing on some days (too little sleep or activity to compute one);
- heart-rate zones: ``time-in-heart-rate-zone`` intervals (LIGHT, MODERATE, VIGOROUS, PEAK) in
  active hours, and ``active-zone-minutes`` intervals for the MODERATE (fat burn, 1 a minute),
  VIGOROUS (cardio, 2) and PEAK (2) time;
- exercise sessions on most Tuesdays, Thursdays and Saturdays (and now and then another day),
  keyed by a long integer id;
- weight on about one day in three (a manual entry or a scale), body fat on most weigh-ins.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

DAILY_VITALS = ("daily-heart-rate-variability", "daily-oxygen-saturation",
                "daily-respiratory-rate", "daily-sleep-temperature-derivations", "daily-vo2-max")
ZONE_TYPES = ("time-in-heart-rate-zone", "active-zone-minutes")
SAMPLE_TYPES = ("weight", "body-fat")
ZONES = ("LIGHT", "MODERATE", "VIGOROUS", "PEAK")
# time-in-zone level -> (active zone minutes zone, zone minutes per minute)
AZM_ZONES = {"MODERATE": ("FAT_BURN", 1), "VIGOROUS": ("CARDIO", 2), "PEAK": ("PEAK", 2)}
EXERCISE_TYPES = {  # type -> (display name, has distance, has heart rate)
    "RUNNING": ("Running", True, True), "WALKING": ("Walking", True, True),
    "BIKING": ("Biking", True, True), "STRENGTH_TRAINING": ("Strength training", False, True),
    "YOGA": ("Yoga", False, True), "SWIMMING": ("Swimming", True, False),
}
# free text a person types when logging (the cloud privacy policy redacts it)
NOTES = ("Knee a bit sore after the hill repeats", "Felt strong, new route by the river",
         "After the holidays at my parents'", "Slept badly, took it easy", "Before breakfast")
FITNESS_LEVELS = ("POOR", "FAIR", "AVERAGE", "GOOD", "VERY_GOOD", "EXCELLENT")


@dataclass
class DailyValue:
    """One point of a daily data type: the member's fields other than ``date``."""

    data_type: str
    day: date
    values: dict[str, Any]
    visible_from: datetime


@dataclass
class Sample:
    """A weight (grams) or body fat (percent) at one instant."""

    data_type: str
    time: datetime
    offset: int
    value: float
    manual: bool
    visible_from: datetime
    notes: str | None = None  # a manual entry's free text


@dataclass
class Exercise:
    id: str
    exercise_type: str
    start: datetime
    end: datetime
    start_offset: int
    end_offset: int
    active_seconds: int
    calories: float
    distance_mm: float | None
    average_heart_rate: int | None
    zone_seconds: dict[str, int]  # LIGHT/MODERATE/VIGOROUS/PEAK -> seconds
    active_zone_minutes: int
    steps: int | None
    visible_from: datetime
    create_time: datetime
    update_time: datetime
    notes: str | None = None  # what the person wrote when logging it

    @property
    def display_name(self) -> str:
        return EXERCISE_TYPES[self.exercise_type][0]

    @property
    def local_start_date(self) -> date:
        return (self.start + timedelta(seconds=self.start_offset)).date()


@dataclass
class HealthDay:
    """The measurements of one local day (zone intervals live with the day's other points)."""

    daily: dict[str, DailyValue] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)


def trend(day: date, period: int, amplitude: float) -> float:
    """A slow wave (fitness and weight drift over weeks, not day to day)."""
    return amplitude * math.sin(day.toordinal() * 2 * math.pi / period)


def daily_vitals(rng: random.Random, day: date, seen: datetime) -> dict[str, DailyValue]:
    """The day's vitals, each missing on some days (not enough sleep or activity to compute)."""
    out: dict[str, DailyValue] = {}

    def add(data_type: str, share: float, values: dict[str, Any]) -> None:
        if rng.random() < share:
            out[data_type] = DailyValue(data_type, day, values, seen)

    hrv = round(48 + trend(day, 45, 6) + rng.gauss(0, 5), 1)
    add("daily-heart-rate-variability", 0.9, {
        "averageHeartRateVariabilityMilliseconds": hrv,
        "deepSleepRootMeanSquareOfSuccessiveDifferencesMilliseconds": round(hrv * 1.15, 1),
        "entropy": round(2.6 + rng.random() * 0.8, 3),
        "nonRemHeartRateBeatsPerMinute": str(rng.randint(50, 62))})
    average = round(95.5 + rng.gauss(0, 0.9), 1)
    add("daily-oxygen-saturation", 0.85, {
        "averagePercentage": min(average, 100.0),
        "lowerBoundPercentage": round(min(average, 100.0) - 2 - rng.random() * 2, 1),
        "upperBoundPercentage": min(round(average + 1 + rng.random() * 2, 1), 100.0),
        "standardDeviationPercentage": round(0.5 + rng.random() * 0.6, 2)})
    add("daily-respiratory-rate", 0.9, {"breathsPerMinute": round(15 + rng.gauss(0, 0.7), 1)})
    baseline = round(34.2 + trend(day, 60, 0.1), 2)
    # now and then a warm night (a cold coming on): well outside the usual range
    deviation = rng.gauss(0, 0.25) + (1.3 if rng.random() < 0.04 else 0.0)
    add("daily-sleep-temperature-derivations", 0.85, {
        "nightlyTemperatureCelsius": round(baseline + deviation, 2),
        "baselineTemperatureCelsius": baseline,
        "relativeNightlyStddev30dCelsius": round(0.25 + rng.random() * 0.1, 3)})
    vo2 = round(44 + trend(day, 120, 2.5) + rng.gauss(0, 0.3), 1)
    add("daily-vo2-max", 0.7, {
        "vo2Max": vo2, "vo2MaxCovariance": round(rng.random() * 2, 3),
        "cardioFitnessLevel": FITNESS_LEVELS[min(5, max(0, int((vo2 - 36) // 3)))],
        "estimated": rng.random() < 0.2})
    return out


def zone_intervals(rng: random.Random, hour_start: datetime,
                   steps: int) -> list[tuple[str, datetime, datetime]]:
    """(zone, start, end) intervals of one hour of ``steps``, one after another."""
    minutes = {"LIGHT": min(30, steps // 60) if steps > 300 else 0,
               "MODERATE": rng.randint(3, 15) if steps > 900 else 0,
               "VIGOROUS": rng.randint(2, 10) if steps > 1400 else 0,
               "PEAK": rng.randint(1, 4) if steps > 1600 and rng.random() < 0.5 else 0}
    out, cursor = [], hour_start
    for zone in ZONES:
        if minutes[zone]:
            end = cursor + timedelta(minutes=minutes[zone])
            out.append((zone, cursor, end))
            cursor = end
    return out


def exercise(rng: random.Random, ident: str, start: datetime, start_offset: int,
             end_offset_at, seen: datetime) -> Exercise:
    """One workout starting at ``start`` (``end_offset_at(instant)`` gives the offset there)."""
    kind = rng.choice(tuple(EXERCISE_TYPES))
    _, has_distance, has_heart_rate = EXERCISE_TYPES[kind]
    minutes = rng.randint(20, 75)
    end = start + timedelta(minutes=minutes)
    active = minutes * 60 - rng.choice((0, 0, 60, 120, 240))
    speed_mm_s = {"RUNNING": 2900, "WALKING": 1400, "BIKING": 6000, "SWIMMING": 700}.get(kind, 0)
    zones = {"LIGHT": 0, "MODERATE": 0, "VIGOROUS": 0, "PEAK": 0}
    if has_heart_rate:
        remaining = active
        for zone, share in (("PEAK", 0.05), ("VIGOROUS", 0.3), ("MODERATE", 0.4)):
            zones[zone] = int(remaining * share * rng.random())
        zones["LIGHT"] = active - sum(zones.values())
    azm = (zones["MODERATE"] + 2 * (zones["VIGOROUS"] + zones["PEAK"])) // 60
    return Exercise(
        id=ident, exercise_type=kind, start=start, end=end, start_offset=start_offset,
        end_offset=end_offset_at(end), active_seconds=active,
        calories=round(minutes * (5 + rng.random() * 7), 1),
        distance_mm=float(active * speed_mm_s) if has_distance else None,
        average_heart_rate=rng.randint(105, 160) if has_heart_rate else None,
        zone_seconds=zones, active_zone_minutes=azm if has_heart_rate else 0,
        steps=int(active * 2.6) if kind in ("RUNNING", "WALKING") else None,
        visible_from=seen, create_time=seen, update_time=seen,
        notes=rng.choice(NOTES) if rng.random() < 0.3 else None)


def body_samples(rng: random.Random, day: date, at: datetime, offset: int,
                 seen: datetime) -> list[Sample]:
    """A weigh-in on about one day in three; a scale adds body fat, a manual entry does not."""
    if rng.random() >= 0.35:
        return []
    manual = rng.random() < 0.3
    grams = round(72500 + trend(day, 90, 1200) + rng.gauss(0, 250), 0)
    notes = rng.choice(NOTES) if manual and rng.random() < 0.5 else None
    out = [Sample("weight", at, offset, grams, manual, seen, notes)]
    if not manual:
        out.append(Sample("body-fat", at, offset, round(19.5 + trend(day, 90, 1.2)
                                                        + rng.gauss(0, 0.3), 1), False, seen))
    return out
