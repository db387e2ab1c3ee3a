"""Seeded health data for one Google Health user, its ground truth and mutation helpers.

Every local day is generated on demand from ``(seed, date)``, so a day looks the same however
long the sandbox has been running. A point becomes visible when the device has synced it
(``visible_from``, on the sandbox clock): most days sync minutes after the fact, a few only
a day or two later ("late data"). Tests change data between runs with the mutation helpers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.clock import Clock
from sandbox.google import health
from sandbox.google.health import HealthDay
from sandbox.google.measurements import HealthMeasurements

HISTORY_DAYS = {"small": 40, "demo": 400, "heavy": 1500}
# one trip in every profile: these days (counted back from the first today) happen in Tokyo,
# where a night ends on another calendar date than it does at home
TRIP_DAYS_AGO, TRIP_LENGTH, TRIP_ZONE = 20, 4, "Asia/Tokyo"
# a night away wakes by this hour, local time: 07:30 in Tokyo is still the evening before in
# London (UTC+0 or +1), so every trip night ends on another calendar date than it does at home,
# whatever the date the sandbox starts on
TRIP_WAKE_BY = time(7, 30)
SECOND_DEVICE_SHARE = 0.4  # of nights a second device records as well
SECOND_DEVICE = "Pixel Watch 3"

# URL spelling -> (JSON member, filter spelling, kind)
DATA_TYPES = {
    "steps": ("steps", "steps", "interval"),
    "distance": ("distance", "distance", "interval"),
    "floors": ("floors", "floors", "interval"),
    "active-minutes": ("activeMinutes", "active_minutes", "interval"),
    "total-calories": ("totalCalories", "total_calories", "interval"),
    "daily-resting-heart-rate": ("dailyRestingHeartRate", "daily_resting_heart_rate", "daily"),
    "sleep": ("sleep", "sleep", "session"),
    "daily-heart-rate-variability": ("dailyHeartRateVariability", "daily_heart_rate_variability",
                                     "daily"),
    "daily-oxygen-saturation": ("dailyOxygenSaturation", "daily_oxygen_saturation", "daily"),
    "daily-respiratory-rate": ("dailyRespiratoryRate", "daily_respiratory_rate", "daily"),
    "daily-sleep-temperature-derivations": ("dailySleepTemperatureDerivations",
                                            "daily_sleep_temperature_derivations", "daily"),
    "daily-vo2-max": ("dailyVo2Max", "daily_vo2_max", "daily"),
    "time-in-heart-rate-zone": ("timeInHeartRateZone", "time_in_heart_rate_zone", "interval"),
    "active-zone-minutes": ("activeZoneMinutes", "active_zone_minutes", "interval"),
    "exercise": ("exercise", "exercise", "session"),
    "weight": ("weight", "weight", "sample"),
    "body-fat": ("bodyFat", "body_fat", "sample"),
}
INTERVAL_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories")
LEVELS = ("LIGHT", "MODERATE", "VIGOROUS")


@dataclass
class Point:
    """One interval point: ``value`` is an int, a float (kcal) or {level: minutes}."""

    data_type: str
    start: datetime
    end: datetime
    offset: int  # seconds east of UTC when observed
    value: int | float | dict[str, int]
    visible_from: datetime
    zone: ZoneInfo | None = None  # where it was observed (None: the user's home zone)

    @property
    def civil_date(self) -> date:
        return (self.start + timedelta(seconds=self.offset)).date()


@dataclass
class Stage:
    type: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class SleepSession:
    id: str
    type: str  # STAGES or CLASSIC
    start: datetime
    end: datetime
    start_offset: int
    end_offset: int
    stages: list[Stage]
    main_sleep: bool
    nap: bool
    visible_from: datetime
    create_time: datetime
    update_time: datetime
    zone: ZoneInfo | None = None  # where it was slept (None: the user's home zone)

    @property
    def local_end_date(self) -> date:
        """The date the session ends on the clock where it was slept (its own offset)."""
        return (self.end + timedelta(seconds=self.end_offset)).date()

    @property
    def minutes_in_sleep_period(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def stage_minutes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for stage in self.stages:
            out[stage.type] = out.get(stage.type, 0) + stage.minutes
        return out

    def stage_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for stage in self.stages:
            out[stage.type] = out.get(stage.type, 0) + 1
        return out

    @property
    def minutes_awake(self) -> int:
        minutes = self.stage_minutes()
        return minutes.get("AWAKE", 0) + minutes.get("RESTLESS", 0)

    @property
    def minutes_asleep(self) -> int:
        return sum(self.stage_minutes().values()) - self.minutes_awake


@dataclass
class RestingHeartRate:
    day: date
    bpm: int
    method: str
    visible_from: datetime


@dataclass
class Day:
    day: date
    points: dict[str, list[Point]] = field(default_factory=dict)
    resting: RestingHeartRate | None = None
    sleeps: list[SleepSession] = field(default_factory=list)  # sessions that END on this day
    # the same nights as recorded by a second device (other point names, slightly other times)
    other_sleeps: list[SleepSession] = field(default_factory=list)
    health: HealthDay = field(default_factory=HealthDay)  # vitals, exercise, weight


@dataclass(frozen=True)
class Trip:
    """Local days ``first``..``last`` (inclusive) lived in another time zone."""

    first: date
    last: date
    zone: str

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


class HealthData(HealthMeasurements):
    """The user's data: generated lazily per local day up to the clock's today."""

    def __init__(self, profile: str, seed: int, clock: Clock, time_zone: str = "Europe/London",
                 scale: int = 1):
        self.seed = seed
        self.clock = clock
        self.time_zone = time_zone
        self.zone = ZoneInfo(time_zone)
        self.health_user_id = str(random.Random(f"{seed}:user").randrange(10**17, 10**18))
        # ``scale``: the benchmark's volume series, as many times the days of history (the API
        # documents no limit on how far back it serves data)
        self.first_day = self.today() - timedelta(days=HISTORY_DAYS[profile] * scale - 1)
        trip_start = self.today() - timedelta(days=TRIP_DAYS_AGO)
        self.trips: list[Trip] = [
            Trip(trip_start, trip_start + timedelta(days=TRIP_LENGTH - 1), TRIP_ZONE)]
        self.days: dict[date, Day] = {}
        # data types the user's devices do not measure at all (the API returns none of them)
        self.unmeasured: set[str] = set()

    # --- time helpers ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def zone_on(self, day: date) -> ZoneInfo:
        """The zone the user lives ``day`` in: a trip's, else the home zone."""
        for trip in reversed(self.trips):  # a trip added later wins
            if trip.covers(day):
                return ZoneInfo(trip.zone)
        return self.zone

    def local(self, day: date, hour: int = 0, minute: int = 0) -> datetime:
        """A wall-clock time of ``day`` (where the user was that day) as an aware UTC datetime."""
        return datetime.combine(day, time(hour, minute), self.zone_on(day)).astimezone(UTC)

    def offset_at(self, instant: datetime, zone: ZoneInfo | None = None) -> int:
        """Seconds east of UTC at ``instant`` in ``zone`` (default: the home zone)."""
        return int(instant.astimezone(zone or self.zone).utcoffset().total_seconds())

    # --- generation -----------------------------------------------------------------------

    def day(self, day: date) -> Day | None:
        """The data of one local day (None outside the account's history)."""
        if day < self.first_day or day > self.today():
            return None
        if day not in self.days:
            self.days[day] = self._generate(day)
        return self.days[day]

    def all_days(self) -> list[Day]:
        out = []
        current = self.first_day
        while current <= self.today():
            out.append(self.day(current))
            current += timedelta(days=1)
        return out

    def _generate(self, day: date) -> Day:
        rng = random.Random(f"{self.seed}:{day.isoformat()}")
        zone = self.zone_on(day)
        result = Day(day)
        away = zone != self.zone
        # off the wrist all day: nothing at all (never on a trip, whose nights tests look for)
        if rng.random() < 0.04 and not away:
            return result
        late = rng.random() < 0.06
        sync_at = self.local(day + timedelta(days=2), 8) if late else None

        def visible(end: datetime) -> datetime:
            return sync_at or end + timedelta(minutes=rng.randint(1, 20))

        stride = rng.randint(690, 820)  # mm per step
        off_hours = set(rng.sample(range(7, 23), rng.randint(0, 2)))
        points: dict[str, list[Point]] = {t: [] for t in INTERVAL_TYPES}
        for hour in range(24):
            start = self.local(day, hour)
            end = start + timedelta(hours=1)
            offset = self.offset_at(start, zone)
            seen = visible(end)
            awake = 7 <= hour <= 22
            if awake and hour in off_hours:
                continue
            steps = 0
            if awake:
                steps = 0 if rng.random() < 0.15 else rng.randint(40, 1800)
                points["steps"].append(Point("steps", start, end, offset, steps, seen, zone))
                points["distance"].append(
                    Point("distance", start, end, offset, steps * stride, seen, zone))
                floors = rng.randint(1, 4) if rng.random() < 0.2 else 0
                points["floors"].append(Point("floors", start, end, offset, floors, seen, zone))
                if steps > 900:
                    levels = {"LIGHT": rng.randint(0, 12), "MODERATE": rng.randint(0, 15),
                              "VIGOROUS": rng.randint(0, 10) if steps > 1400 else 0}
                    points["active-minutes"].append(
                        Point("active-minutes", start, end, offset, levels, seen, zone))
            kcal = round(58.5 + rng.random() * 8 + steps * 0.045, 2)
            points["total-calories"].append(
                Point("total-calories", start, end, offset, kcal, seen, zone))
        result.points = points

        # the night before is slept where the user wakes up (a trip's first night included)
        night_start = datetime.combine(day - timedelta(days=1), time(22), zone).astimezone(
            UTC) + timedelta(
            minutes=rng.randint(0, 150))
        night_end = night_start + timedelta(minutes=rng.randint(330, 560))
        if away:
            night_end = min(night_end, datetime.combine(day, TRIP_WAKE_BY, zone).astimezone(UTC))
        night = self._session(rng, night_start, night_end, "STAGES", True, visible(night_end),
                              zone)
        result.sleeps.append(night)
        result.other_sleeps = self._second_device(day, night)
        if rng.random() < 0.12:
            nap_start = self.local(day, 13) + timedelta(minutes=rng.randint(0, 180))
            nap_end = nap_start + timedelta(minutes=rng.randint(20, 90))
            result.sleeps.append(self._session(rng, nap_start, nap_end, "CLASSIC", False,
                                               visible(nap_end), zone))
        result.resting = RestingHeartRate(day, rng.randint(51, 66), "WITH_SLEEP",
                                          visible(self.local(day, 10)))
        self._generate_health(day, result, sync_at)
        return result

    def _generate_health(self, day: date, result: Day, sync_at: datetime | None) -> None:
        """Vitals, heart-rate zones, exercise and weigh-ins from the day's own generator."""
        rng = random.Random(f"{self.seed}:health:{day.isoformat()}")
        zone = self.zone_on(day)

        def visible(end: datetime) -> datetime:
            return sync_at or end + timedelta(minutes=rng.randint(1, 20))

        found = result.health
        found.daily = health.daily_vitals(rng, day, visible(self.local(day, 9)))
        zones, azm = [], []
        for p in result.points.get("steps", []):
            for level, start, end in health.zone_intervals(rng, p.start, p.value):
                seen = visible(end)
                zones.append(Point("time-in-heart-rate-zone", start, end, p.offset, level, seen,
                                   zone))
                if level in health.AZM_ZONES:
                    azm_zone, per_minute = health.AZM_ZONES[level]
                    minutes = int((end - start).total_seconds() // 60) * per_minute
                    azm.append(Point("active-zone-minutes", start, end, p.offset,
                                     {"zone": azm_zone, "minutes": minutes}, seen, zone))
        result.points["time-in-heart-rate-zone"] = zones
        result.points["active-zone-minutes"] = azm
        # a weekly habit: most Tuesdays, Thursdays and Saturdays, now and then another day
        if rng.random() < (0.7 if day.weekday() in (1, 3, 5) else 0.12):
            start = self.local(day, rng.choice((7, 18))) + timedelta(minutes=rng.randint(0, 50))
            ident = str(rng.randrange(10**15, 10**16))
            found.exercises.append(health.exercise(
                rng, ident, start, self.offset_at(start, zone),
                lambda instant: self.offset_at(instant, zone), visible(start + timedelta(hours=2))))
        weigh_in = self.local(day, 7) + timedelta(minutes=rng.randint(0, 40))
        found.samples = health.body_samples(rng, day, weigh_in, self.offset_at(weigh_in, zone),
                                            visible(weigh_in))

    def _second_device(self, day: date, night: SleepSession) -> list[SleepSession]:
        """Some nights a second watch records too; its own generator keeps the first unchanged."""
        rng = random.Random(f"{self.seed}:second:{day.isoformat()}")
        if rng.random() >= SECOND_DEVICE_SHARE:
            return []
        start = night.start + timedelta(minutes=rng.randint(-12, 12))
        end = night.end + timedelta(minutes=rng.randint(-12, 12))
        return [self._session(rng, start, end, "STAGES", True, night.visible_from, night.zone)]

    def _session(self, rng: random.Random, start: datetime, end: datetime, kind: str,
                 main: bool, seen: datetime, zone: ZoneInfo | None = None) -> SleepSession:
        stages: list[Stage] = []
        cursor = start
        cycle = ("LIGHT", "DEEP", "LIGHT", "REM", "AWAKE") if kind == "STAGES" else (
            "ASLEEP", "RESTLESS", "ASLEEP", "AWAKE")
        i = 0
        while cursor < end:
            kind_now = cycle[i % len(cycle)]
            length = rng.randint(2, 6) if kind_now in ("AWAKE", "RESTLESS") else rng.randint(10, 45)
            stage_end = min(end, cursor + timedelta(minutes=length))
            stages.append(Stage(kind_now, cursor, stage_end))
            cursor = stage_end
            i += 1
        ident = str(rng.randrange(10**18, 10**19))
        return SleepSession(
            id=ident, type=kind, start=start, end=end, start_offset=self.offset_at(start, zone),
            end_offset=self.offset_at(end, zone), stages=stages, main_sleep=main, nap=not main,
            visible_from=seen, create_time=seen, update_time=seen, zone=zone,
        )

    # --- what the API can see now -----------------------------------------------------------

    def visible_points(self, data_type: str) -> list[Point]:
        if data_type in self.unmeasured:
            return []
        now = self.now()
        out = []
        for day in self.all_days():
            out.extend(p for p in day.points.get(data_type, ()) if p.visible_from <= now)
        return out

    def visible_points_on(self, data_type: str, day: date) -> list[Point]:
        found = self.day(day)
        if found is None or data_type in self.unmeasured:
            return []
        now = self.now()
        return [p for p in found.points.get(data_type, ()) if p.visible_from <= now]

    def visible_sleeps(self) -> list[SleepSession]:
        now = self.now()
        return [s for day in self.all_days() for s in day.sleeps if s.visible_from <= now]

    def visible_other_sleeps(self) -> list[SleepSession]:
        """The second device's sessions the API can see now."""
        now = self.now()
        return [s for day in self.all_days() for s in day.other_sleeps if s.visible_from <= now]

    def visible_resting(self) -> list[RestingHeartRate]:
        now = self.now()
        return [d.resting for d in self.all_days() if d.resting and d.resting.visible_from <= now]

    # --- ground truth -----------------------------------------------------------------------

    def truth_sleep_sessions(self) -> list[dict]:
        """Every visible sleep session, oldest first (see the package docstring)."""
        out = []
        for s in sorted(self.visible_sleeps(), key=lambda s: s.start):
            minutes = s.stage_minutes()
            out.append({
                "id": f"users/{self.health_user_id}/dataTypes/sleep/dataPoints/{s.id}",
                "start": s.start, "end": s.end,
                "sleep_date": s.local_end_date,
                "start_local": (s.start + timedelta(seconds=s.start_offset)).replace(tzinfo=None),
                "end_local": (s.end + timedelta(seconds=s.end_offset)).replace(tzinfo=None),
                "type": s.type, "is_main_sleep": s.main_sleep, "is_nap": s.nap,
                "minutes_asleep": s.minutes_asleep, "minutes_awake": s.minutes_awake,
                "minutes_in_bed": s.minutes_in_sleep_period,
                "minutes_deep": minutes.get("DEEP") if s.type == "STAGES" else None,
                "minutes_light": minutes.get("LIGHT") if s.type == "STAGES" else None,
                "minutes_rem": minutes.get("REM") if s.type == "STAGES" else None,
                "minutes_wake": minutes.get("AWAKE", 0),
                "stages": minutes,
            })
        return out

    def truth_daily(self, data_type: str, day: date) -> int | float | dict[str, int] | None:
        """What dailyRollUp says for one type and local day (None: no worn data)."""
        points = self.visible_points_on(data_type, day)
        if not points:
            return None
        if data_type == "active-minutes":
            totals = dict.fromkeys(LEVELS, 0)
            for p in points:
                for level, minutes in p.value.items():
                    totals[level] += minutes
            return totals
        if data_type == "total-calories":
            return sum(p.value for p in points)
        if data_type == "time-in-heart-rate-zone":  # zone -> seconds
            seconds = dict.fromkeys(health.ZONES, 0)
            for p in points:
                seconds[p.value] += int((p.end - p.start).total_seconds())
            return seconds
        if data_type == "active-zone-minutes":  # FAT_BURN/CARDIO/PEAK -> zone minutes
            totals = {"FAT_BURN": 0, "CARDIO": 0, "PEAK": 0}
            for p in points:
                totals[p.value["zone"]] += p.value["minutes"]
            return totals
        return sum(p.value for p in points)

    def truth_daily_activity(self) -> dict[date, dict]:
        """Per local date with any activity value: the staging model's columns."""
        out: dict[date, dict] = {}
        for day in self.all_days():
            steps = self.truth_daily("steps", day.day)
            distance = self.truth_daily("distance", day.day)
            floors = self.truth_daily("floors", day.day)
            active = self.truth_daily("active-minutes", day.day)
            calories = self.truth_daily("total-calories", day.day)
            if all(v is None for v in (steps, distance, floors, active, calories)):
                continue
            out[day.day] = {
                "steps": steps,
                "distance_meters": None if distance is None else distance / 1000,
                "floors": floors,
                "active_minutes": None if active is None else active["MODERATE"]
                + active["VIGOROUS"],
                "active_minutes_by_level": active,
                "calories_total": calories,
            }
        return out

    def truth_resting_heart_rate(self) -> dict[date, int]:
        return {r.day: r.bpm for r in self.visible_resting()}

    # --- mutations (between runs) -------------------------------------------------------------

    def add_late_steps(self, day: date, steps: int = 1234) -> None:
        """A late sync adds a steps (and distance) point to a past day, visible now."""
        found = self.day(day)
        start = self.local(day, 3, 7)
        now = self.now()
        offset = self.offset_at(start, self.zone_on(day))
        found.points.setdefault("steps", []).append(
            Point("steps", start, start + timedelta(minutes=1), offset, steps, now))
        found.points.setdefault("distance", []).append(
            Point("distance", start, start + timedelta(minutes=1), offset, steps * 700, now))

    def change_steps(self, day: date, factor: float = 2.0) -> None:
        """Restate a past day's steps (every point scaled)."""
        for p in self.day(day).points.get("steps", []):
            p.value = int(p.value * factor)

    def delete_day(self, day: date) -> None:
        """Every activity point, the resting heart rate and the sleeps of a day vanish."""
        found = self.day(day)
        found.points = {}
        found.resting = None
        found.sleeps = []
        found.other_sleeps = []
        found.health = HealthDay()

    def set_resting_heart_rate(self, day: date, bpm: int) -> None:
        found = self.day(day)
        found.resting = RestingHeartRate(day, bpm, "WITH_SLEEP", self.now())

    def delete_resting_heart_rate(self, day: date) -> None:
        self.day(day).resting = None

    def sessions_ending_on(self, day: date) -> list[SleepSession]:
        return list(self.day(day).sleeps)

    def change_sleep(self, day: date, extra_minutes: int = 30) -> SleepSession:
        """Restate the main sleep ending on ``day``: it ends later (same id)."""
        session = next(s for s in self.day(day).sleeps if s.main_sleep)
        last = session.stages[-1]
        session.stages.append(Stage("LIGHT", last.end, last.end + timedelta(minutes=extra_minutes)))
        session.end = session.stages[-1].end
        session.update_time = self.now()
        return session

    def delete_sleep(self, day: date) -> SleepSession:
        """The main sleep ending on ``day`` is deleted by the user."""
        found = self.day(day)
        session = next(s for s in found.sleeps if s.main_sleep)
        found.sleeps.remove(session)
        found.other_sleeps = []  # the night is gone from every device
        return session

    def add_trip(self, first: date, last: date, zone: str) -> None:
        """The user lived ``first``..``last`` in ``zone``: those days are generated anew there."""
        self.trips.append(Trip(first, last, zone))
        for day in list(self.days):
            if first <= day <= last:
                del self.days[day]

    def add_late_nap(self, day: date, minutes: int = 45) -> SleepSession:
        """A nap on a past day that syncs only now."""
        rng = random.Random(f"{self.seed}:nap:{day}")
        start = self.local(day, 15, 10)
        session = self._session(rng, start, start + timedelta(minutes=minutes), "CLASSIC",
                                False, self.now(), self.zone_on(day))
        self.day(day).sleeps.append(session)
        return session
