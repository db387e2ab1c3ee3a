"""Expected mart figures computed from the sandbox's ground truth, never from the warehouse.

The rules are the marts' documented ones (dbt/models/marts/**/_*__models.yml), written again
in plain Python so a mistake in the SQL cannot hide behind the same mistake here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt" / "dbt_project.yml"
SINGULAR = {"calls": "call", "meetings": "meeting", "notes": "note", "tasks": "task",
            "emails": "email", "communications": "communication"}


def dbt_vars() -> dict:
    """The project's var defaults (goals, cadence, targets) from dbt_project.yml."""
    return yaml.safe_load(DBT_PROJECT.read_text())["vars"]


# --- calendar ---------------------------------------------------------------------------------

def week_start(day: date, first_weekday: int = 1) -> date:
    """First day of the week containing ``day``; 1 = Monday ... 7 = Sunday."""
    return day - timedelta(days=(day.isoweekday() - first_weekday) % 7)


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_start(period: str, day: date) -> date:
    return {"daily": day, "weekly": week_start(day), "monthly": month_start(day)}[period]


def period_index(period: str, start: date) -> int:
    if period == "monthly":
        return start.year * 12 + start.month
    if period == "weekly":
        return (start - date(1970, 1, 1)).days // 7
    return (start - date(1970, 1, 1)).days


# --- habits -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HabitPeriod:
    habit: str
    habit_type: str
    period: str
    period_start: date
    is_done: bool
    value: float | None
    target_value: float | None
    target_rate: float
    is_target_met: bool


def habit_periods(workspace, habit_targets: dict, variables: dict) -> list[HabitPeriod]:
    """One per habit per period, from ``Workspace.habit_values()`` and the reference targets."""
    default_rate = float(variables["habit_default_target_rate"])
    default_value = variables.get("habit_default_target_value")
    out = []
    for row in workspace.habit_values():
        period, habit, kind = row["period"], row["habit"], row["habit_type"]
        reference = habit_targets.get(habit)
        target = reference[1] if reference and reference[0] == period else None
        if kind == "checkbox":
            is_done = bool(row["value"])
            value = 1.0 if is_done else 0.0
            target_value, target_rate = None, default_rate if target is None else float(target)
            met = is_done
        else:
            value = None if row["value"] is None else float(row["value"])
            is_done = (value or 0) > 0
            target_value = target if target is not None else default_value
            target_value = None if target_value is None else float(target_value)
            target_rate = default_rate
            met = is_done if target_value is None else value is not None and value >= target_value
        out.append(HabitPeriod(habit, kind, period,
                               period_start(period, date.fromisoformat(row["date"])),
                               is_done, value, target_value, target_rate, met))
    return out


def habit_metrics(periods: list[HabitPeriod]) -> dict[tuple[str, str, date], dict]:
    """(habit, grain, window start) -> tracked, done, met, rate, on target."""
    windows: dict[tuple[str, str, date], list[HabitPeriod]] = defaultdict(list)
    for p in periods:
        if p.period in ("daily", "weekly"):
            windows[(p.habit, "week", week_start(p.period_start))].append(p)
        windows[(p.habit, "month", month_start(p.period_start))].append(p)
    out = {}
    for key, members in windows.items():
        met = sum(p.is_target_met for p in members)
        rate = met / len(members)
        out[key] = {"periods_tracked": len(members), "periods_done": sum(p.is_done for p in members),
                    "periods_target_met": met, "completion_rate": rate,
                    "is_on_target": rate >= members[0].target_rate}
    return out


def habit_streaks(periods: list[HabitPeriod], as_of: date) -> dict[str, dict]:
    """habit -> current and longest streak in its own period (a missing period breaks a run).

    The current streak is the run alive on ``as_of``: it reaches the period containing that
    date or the one before it, counted up to the current period.
    """
    by_habit: dict[str, list[HabitPeriod]] = defaultdict(list)
    for p in periods:
        by_habit[p.habit].append(p)
    out = {}
    for habit, members in by_habit.items():
        members.sort(key=lambda p: p.period_start)
        period = members[0].period
        runs: list[tuple[int, int]] = []  # (first index, last index) of met runs
        for p in members:
            if not p.is_target_met:
                continue
            index = period_index(period, p.period_start)
            if runs and runs[-1][1] == index - 1:
                runs[-1] = (runs[-1][0], index)
            else:
                runs.append((index, index))
        now = period_index(period, period_start(period, as_of))
        current = next((min(last, now) - first + 1 for first, last in runs
                        if first <= now and last >= now - 1), 0)
        out[habit] = {"current_streak": current,
                      "longest_streak": max((last - first + 1 for first, last in runs), default=0),
                      "periods_tracked": len(members),
                      "last_tracked_period_start": members[-1].period_start}
    return out


# --- relationship health ----------------------------------------------------------------------

def parse_hubspot_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def contact_health(crm, tz: ZoneInfo, as_of: date, variables: dict) -> dict[str, dict]:
    """contact id -> the dim_contacts relationship-health columns, from the CRM's records."""
    touch_types = set(variables["touch_engagement_types"])
    synchronous = set(variables["synchronous_engagement_types"])
    default_cadence = int(variables["contact_cadence_days"])
    out = {}
    for contact_id in crm.live_ids("contacts"):
        record = crm.get("contacts", contact_id)
        touches = []
        for _, kind, stamp in crm.contact_engagements(contact_id):
            kind = SINGULAR[kind]
            if kind not in touch_types or not stamp:
                continue
            day = parse_hubspot_time(stamp).astimezone(tz).date()
            if day <= as_of:
                touches.append((day, kind))
        ages = [(as_of - day).days for day, _ in touches]
        last = max((day for day, _ in touches), default=None)
        raw_cadence = record.properties.get("contact_cadence_days")
        cadence = int(float(raw_cadence)) if raw_cadence not in (None, "") else None
        cadence = cadence if cadence and cadence > 0 else default_cadence
        created = datetime.fromtimestamp(record.created_ms / 1000, UTC).astimezone(tz).date()
        due = (last or created) + timedelta(days=cadence)
        out[contact_id] = {
            "last_touch_date": last,
            "touches_total": len(touches),
            "touches_last_30_days": sum(age < 30 for age in ages),
            "touches_last_90_days": sum(age < 90 for age in ages),
            "touches_last_365_days": sum(age < 365 for age in ages),
            "synchronous_touches": sum(kind in synchronous for _, kind in touches),
            "asynchronous_touches": sum(kind not in synchronous for _, kind in touches),
            "days_since_last_touch": None if last is None else (as_of - last).days,
            "cadence_days": cadence,
            "is_overdue": due < as_of,
            "days_overdue": max((as_of - due).days, 0),
        }
    return out


def engagements(crm, tz: ZoneInfo) -> dict[str, tuple[str, date, int]]:
    """engagement id -> (type, local date, number of live contacts)."""
    contacts = defaultdict(int)
    for engagement_id, _ in crm.pairs("engagements", "contacts"):
        contacts[engagement_id] += 1
    return {eid: (SINGULAR[kind], parse_hubspot_time(stamp).astimezone(tz).date(), contacts[eid])
            for eid, (kind, stamp) in crm.live_engagements().items()}


# --- health -------------------------------------------------------------------------------------

def sleep_nightly(health, variables: dict) -> dict[date, dict]:
    """sleep date -> the main sleep's figures, the goal and the naps kept apart."""
    goal_minutes = float(variables["sleep_goal_hours"]) * 60
    nights: dict[date, dict] = {}
    for s in health.truth_sleep_sessions():
        night = nights.setdefault(s["sleep_date"], {"main": None, "nap_count": 0,
                                                    "nap_minutes_asleep": 0})
        if s["is_main_sleep"]:
            if night["main"] is None or s["minutes_asleep"] > night["main"]["minutes_asleep"]:
                night["main"] = s
        else:
            night["nap_count"] += 1
            night["nap_minutes_asleep"] += s["minutes_asleep"]
    out = {}
    for day, night in nights.items():
        main = night["main"] or {}
        asleep = main.get("minutes_asleep")
        out[day] = {
            "minutes_asleep": asleep, "minutes_in_bed": main.get("minutes_in_bed"),
            "minutes_deep": main.get("minutes_deep"), "minutes_light": main.get("minutes_light"),
            "minutes_rem": main.get("minutes_rem"),
            "is_sleep_goal_met": asleep is not None and asleep >= goal_minutes,
            "nap_count": night["nap_count"], "nap_minutes_asleep": night["nap_minutes_asleep"],
        }
    return out


def activity_daily(health, variables: dict) -> dict[date, dict]:
    """date -> steps, distance, floors, active minutes, calories, resting HR, active zone
    minutes, goal met."""
    goal = int(variables["steps_goal"])
    activity = health.truth_daily_activity()
    resting = health.truth_resting_heart_rate()
    zones = health.truth_heart_rate_zones()
    out = {}
    for day in set(activity) | set(resting) | set(zones):
        a, z = activity.get(day, {}), zones.get(day, {})
        steps = a.get("steps")
        azm = [z.get(f"azm_{k}") for k in ("fat_burn", "cardio", "peak")]
        out[day] = {
            "steps": steps, "distance_meters": a.get("distance_meters"), "floors": a.get("floors"),
            "active_minutes": a.get("active_minutes"), "calories_total": a.get("calories_total"),
            "resting_heart_rate": resting.get(day),
            "active_zone_minutes": None if None in azm else sum(azm),
            "is_steps_goal_met": steps is not None and steps >= goal,
        }
    return out


HEALTH_COLUMNS = ("resting_heart_rate", "hrv_ms", "spo2_percent", "breaths_per_minute",
                  "temperature_deviation_celsius", "vo2_max", "weight_kg", "body_fat_percent")


def health_daily(health) -> dict[date, dict]:
    """date -> every fct_health_daily measure (None when not measured that day)."""
    resting = health.truth_resting_heart_rate()
    vitals = health.truth_daily_vitals()
    body = health.truth_body()
    out = {}
    for day in set(resting) | set(vitals) | set(body):
        row = dict.fromkeys(HEALTH_COLUMNS)
        row.update(vitals.get(day, {}), **body.get(day, {}))
        row["resting_heart_rate"] = resting.get(day)
        out[day] = row
    return out


def workouts(health) -> dict[str, dict]:
    """workout id -> fct_workouts' type, date, week, duration, calories, distance, heart rate."""
    return {workout_id: {"exercise_type": w["exercise_type"], "workout_date": w["exercise_date"],
                         "week_start": week_start(w["exercise_date"]),
                         "duration_minutes": w["duration_minutes"], "calories": w["calories"],
                         "distance_km": w["distance_km"],
                         "average_heart_rate": w["average_heart_rate"],
                         "active_zone_minutes": w["active_zone_minutes"]}
            for workout_id, w in health.truth_exercises().items()}
