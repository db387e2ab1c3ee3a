"""The health measurements of ``HealthData`` beyond sleep and activity: what the API can see
of them now, their ground truth and the mutations tests make between runs.

A mixin of ``HealthData`` (``data.py``), which generates them per day (``health.py``); it uses
the day store, the clock and the time helpers there.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sandbox.google import health
from sandbox.google.health import DailyValue, Exercise, Sample


class HealthMeasurements:
    """Vitals, heart-rate zones, exercise and weigh-ins: visible points, truth, mutations."""

    # --- what the API can see now -----------------------------------------------------------

    def visible_daily(self, data_type: str) -> list[DailyValue]:
        """A daily vital's points the API can see now (none for a type never measured)."""
        if data_type in self.unmeasured:
            return []
        now = self.now()
        return [d.health.daily[data_type] for d in self.all_days()
                if data_type in d.health.daily and d.health.daily[data_type].visible_from <= now]

    def visible_exercises(self) -> list[Exercise]:
        if "exercise" in self.unmeasured:
            return []
        now = self.now()
        return [e for d in self.all_days() for e in d.health.exercises if e.visible_from <= now]

    def visible_samples(self, data_type: str) -> list[Sample]:
        if data_type in self.unmeasured:
            return []
        now = self.now()
        return [s for d in self.all_days() for s in d.health.samples
                if s.data_type == data_type and s.visible_from <= now]

    # --- ground truth ----------------------------------------------------------------------

    def truth_daily_vitals(self) -> dict[date, dict]:
        """local date -> the day's vitals that exist, by the staging models' names: hrv_ms,
        spo2_percent, breaths_per_minute, temperature_deviation_celsius (nightly - baseline),
        vo2_max."""
        picks = {"daily-heart-rate-variability": ("hrv_ms",
                                                  "averageHeartRateVariabilityMilliseconds"),
                 "daily-oxygen-saturation": ("spo2_percent", "averagePercentage"),
                 "daily-respiratory-rate": ("breaths_per_minute", "breathsPerMinute"),
                 "daily-vo2-max": ("vo2_max", "vo2Max")}
        out: dict[date, dict] = {}
        for data_type, (name, member) in picks.items():
            for value in self.visible_daily(data_type):
                out.setdefault(value.day, {})[name] = value.values[member]
        for value in self.visible_daily("daily-sleep-temperature-derivations"):
            v = value.values
            out.setdefault(value.day, {})["temperature_deviation_celsius"] = (
                v["nightlyTemperatureCelsius"] - v["baselineTemperatureCelsius"])
        return out

    def truth_heart_rate_zones(self) -> dict[date, dict]:
        """local date -> minutes in each zone (light, moderate, vigorous, peak) and active zone
        minutes (fat_burn, cardio, peak), for days with any zone data."""
        out: dict[date, dict] = {}
        for day in self.all_days():
            zones = self.truth_daily("time-in-heart-rate-zone", day.day)
            azm = self.truth_daily("active-zone-minutes", day.day)
            if zones is None and azm is None:
                continue
            row = {f"{z.lower()}_minutes": None if zones is None else zones[z] / 60
                   for z in health.ZONES}
            row.update({f"azm_{z.lower()}": None if azm is None else azm[z]
                        for z in ("FAT_BURN", "CARDIO", "PEAK")})
            out[day.day] = row
        return out

    def exercise_name(self, e: Exercise) -> str:
        return f"users/{self.health_user_id}/dataTypes/exercise/dataPoints/{e.id}"

    def truth_exercises(self) -> dict[str, dict]:
        """data point name -> the workout as the staging model shows it."""
        return {self.exercise_name(e): {
            "exercise_type": e.exercise_type, "start_at": e.start, "end_at": e.end,
            "exercise_date": e.local_start_date,
            "duration_minutes": (e.end - e.start).total_seconds() / 60,
            "active_minutes": e.active_seconds / 60, "calories": e.calories,
            "distance_km": None if e.distance_mm is None else e.distance_mm / 1e6,
            "average_heart_rate": e.average_heart_rate,
            "active_zone_minutes": e.active_zone_minutes if e.average_heart_rate else None,
        } for e in self.visible_exercises()}

    def truth_body(self) -> dict[date, dict]:
        """local date -> the day's last weigh-in: weight_kg and body_fat_percent (None when the
        day's weigh-in had none)."""
        out: dict[date, dict] = {}
        for kind, name, scale in (("weight", "weight_kg", 1000), ("body-fat", "body_fat_percent", 1)):
            for s in sorted(self.visible_samples(kind), key=lambda s: s.time):
                day = (s.time + timedelta(seconds=s.offset)).date()
                out.setdefault(day, {"weight_kg": None, "body_fat_percent": None})[name] = (
                    s.value / scale)
        return out

    # --- mutations (between runs) ---------------------------------------------------------

    def change_exercise(self, day: date, extra_calories: float = 50.0) -> Exercise:
        """The user edits a workout of ``day``: more calories, a new ``updateTime``."""
        e = self.day(day).health.exercises[0]
        e.calories += extra_calories
        e.update_time = self.now()
        return e

    def delete_exercise(self, day: date) -> Exercise:
        found = self.day(day).health
        return found.exercises.pop(0)

    def set_daily(self, data_type: str, day: date, **values) -> None:
        """Restate one field of a day's vital (a late sync recomputes it)."""
        found = self.day(day).health.daily[data_type]
        found.values.update(values)

    def delete_daily(self, data_type: str, day: date) -> None:
        del self.day(day).health.daily[data_type]

    def add_late_exercise(self, day: date) -> Exercise:
        """A workout on a past day that syncs only now (the watch was offline)."""
        rng = random.Random(f"{self.seed}:late-exercise:{day}")
        zone = self.zone_on(day)
        start = self.local(day, 12, 5)
        workout = health.exercise(rng, str(rng.randrange(10**15, 10**16)), start,
                                  self.offset_at(start, zone),
                                  lambda instant: self.offset_at(instant, zone), self.now())
        self.day(day).health.exercises.append(workout)
        return workout

    def add_late_weight(self, day: date, grams: float = 71500.0) -> Sample:
        """A weigh-in on a past day typed in only now (a manual entry)."""
        at = self.local(day, 21, 30)
        sample = Sample("weight", at, self.offset_at(at, self.zone_on(day)), grams, True,
                        self.now())
        self.day(day).health.samples.append(sample)
        return sample
