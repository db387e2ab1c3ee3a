"""The review's sections, computed from the marts for one week, each with one sentence.

The week is compared with the four weeks before it, as the report's "This week" does, and the
report's own computations are reused where they exist (the habit-day rate, means and changes,
completeness warnings, the last load per source). A section whose source has nothing says so in
its sentence; a section that fails to compute says that instead of the review failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipelines.report.freshness import completeness_warnings
from pipelines.report.model import change, mean
from pipelines.report.week import habit_rate
from pipelines.review.model import NOT_MEASURED, Review, ReviewSection, count, hours, percent, plural
from pipelines.review.week import WEEKS_BEFORE, Week
from pipelines.sources import feeding, labels

log = logging.getLogger("prp.review")

PEOPLE_SHOWN = 5
UNITS = {"daily": "day", "weekly": "week", "monthly": "month"}


@dataclass(frozen=True)
class Measure:
    """An activity or recovery measure: a column of ``daily_summary``."""

    label: str
    column: str
    unit: str = ""
    total: bool = False  # summed over the week (a count of sessions), not a daily average
    digits: int = 0  # of a change (a resting heart rate moves by tenths)


MEASURES = (
    Measure("Steps per day", "steps"),
    Measure("Resting heart rate", "resting_heart_rate", " bpm", digits=1),
    Measure("Heart-rate variability", "hrv_ms", " ms", digits=1),
    Measure("Workouts", "workouts", total=True),
    Measure("Workout minutes", "workout_minutes", " min", total=True),
)


def _names(sources: tuple[str, ...]) -> list[str]:
    known = labels()
    return [known.get(name, name) for name in sources]


def _not_connected(section: ReviewSection, sources: tuple[str, ...]) -> ReviewSection:
    section.missing = _names(sources)
    section.sentence = f"{' and '.join(section.missing)} not connected yet: nothing to review."
    return section


def _in(rows: list[dict], key: str, days: list[str]) -> list[dict]:
    wanted = set(days)
    return [row for row in rows if row[key] in wanted]


# --- habits -----------------------------------------------------------------------------------

def _run_length(periods: list[dict]) -> int:
    """Consecutive periods on target ending at the last one (a gap in the periods ends a run)."""
    length, following = 0, None  # following: where the later period of the run starts
    for row in reversed(periods):
        if not row["is_target_met"]:
            break
        if following is not None and _next_day(row["period_end"]) != following:
            break
        length, following = length + 1, row["period_start"]
    return length


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def streak_changes(periods: list[dict], week: Week) -> tuple[list[tuple[str, int, str]],
                                                             list[tuple[str, int, str]]]:
    """(gained, broken): habits whose run of periods on target grew over the week (name, length
    at the week's end, unit), and those whose run alive when the week began ended in it (name,
    its length then, unit). Only periods that end within the week count as the week's."""
    start, end = week.start.isoformat(), week.end.isoformat()
    by_habit: dict[str, list[dict]] = {}
    for row in periods:
        by_habit.setdefault(row["habit_id"], []).append(row)
    gained, broken = [], []
    for rows in by_habit.values():
        rows.sort(key=lambda row: row["period_start"])
        in_week = [row for row in rows if start <= row["period_end"] <= end]
        if not in_week:
            continue
        name, unit = rows[-1]["habit_name"], UNITS.get(rows[-1]["period"], "period")
        before = _run_length([row for row in rows if row["period_end"] < start])
        after = _run_length([row for row in rows if row["period_end"] <= end])
        if before and after < before + len(in_week):
            broken.append((name, before, unit))
        elif after > before:
            gained.append((name, after, unit))
    return (sorted(gained, key=lambda s: (-s[1], s[0])), sorted(broken, key=lambda s: (-s[1], s[0])))


def _streaks(items: list[tuple[str, int, str]], word: str, shown: int = 3) -> str:
    words = [f"{name} ({word} {plural(length, unit)})" for name, length, unit in items[:shown]]
    more = len(items) - shown
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")


def habits_section(marts: dict[str, list[dict]], week: Week) -> ReviewSection:
    """Habits on target in the week (habit_metrics), the daily habit-day rate against the four
    weeks before (daily_summary, as the report's "This week"), streaks gained and broken."""
    section = ReviewSection("habits", "Habits", columns=["Habit", "On target", "Target", "Met"])
    sources = feeding("fct_habit_periods")
    if not marts["habit_periods"]:
        return _not_connected(section, sources)
    metrics = sorted((row for row in marts["habit_metrics"]
                      if row["grain"] == "week" and row["window_start"] == week.start.isoformat()),
                     key=lambda row: row["habit_name"])
    if not metrics:
        section.missing = _names(sources)
        section.sentence = f"No habit tracked in the week of {week.start}."
        return section
    met = [row for row in metrics if _on_target(row)]
    section.rows = [[row["habit_name"], percent(_float(row["completion_rate"])),
                     percent(_float(row["target_rate"])), "yes" if _on_target(row) else "no"]
                    for row in metrics]
    summary = marts["daily_summary"]
    rate = habit_rate([row for row in summary if row["week_start"] == week.start.isoformat()])[0]
    rate_before = habit_rate([row for row in summary if row["week_start"] in week.starts_before])[0]
    sentence = f"{len(met)} of {len(metrics)} habits on target in the week of {week.start}"
    if rate is not None:
        sentence += f"; daily habit-days on target {percent(rate)}"
        sentence += f" ({percent(rate_before)} in the four weeks before)" if rate_before is not None else ""
    gained, broken = streak_changes(marts["habit_periods"], week)
    sentence += f"; streaks gained: {_streaks(gained, 'now')}" if gained else "; no streak gained"
    sentence += f"; broken: {_streaks(broken, 'after')}" if broken else "; none broken"
    section.sentence = sentence + "."
    return section


def _float(value) -> float | None:
    return None if value is None else float(value)


def _on_target(row: dict) -> bool:
    """As the report counts it: completion reached the target rate."""
    return (row["completion_rate"] is not None and row["target_rate"] is not None
            and float(row["completion_rate"]) >= float(row["target_rate"]))


# --- sleep ------------------------------------------------------------------------------------

def sleep_section(marts: dict[str, list[dict]], week: Week) -> ReviewSection:
    """Main sleep in the week against the goal, and the average against the four weeks before."""
    section = ReviewSection("sleep", "Sleep", columns=["Measure", "This week",
                                                       f"Previous {WEEKS_BEFORE} weeks"])
    sources = feeding("fct_sleep_nightly")
    main = [row for row in marts["fct_sleep_nightly"] if row["has_main_sleep"]]
    if not main:
        return _not_connected(section, sources)
    nights = _in(main, "sleep_date", week.days)
    before = _in(main, "sleep_date", week.days_before)
    average, average_before = mean(r["hours_asleep"] for r in nights), mean(r["hours_asleep"] for r in before)
    if not nights:
        section.missing = _names(sources)
        section.sentence = f"No night's sleep recorded in the week of {week.start}."
        return section
    goal = float(max(nights, key=lambda row: row["sleep_date"])["sleep_goal_hours"])
    met = sum(1 for row in nights if row["is_sleep_goal_met"])
    section.rows = [["Average sleep", hours(average), hours(average_before)],
                    ["Nights recorded", str(len(nights)), count(len(before) / WEEKS_BEFORE)],
                    [f"Goal ({goal:g} h) met", f"{met} of {len(nights)} nights", ""]]
    sentence = (f"{hours(average)} asleep on average against a {goal:g} h goal, met on {met} of "
                f"{plural(len(nights), 'night')}")
    moved = change(average, average_before, " h")
    if moved:
        sentence += f"; {moved} on the previous four weeks ({hours(average_before)})"
    section.sentence = sentence + "."
    return section


# --- activity and recovery --------------------------------------------------------------------

def _measure_values(measure: Measure, rows: list[dict]) -> list:
    """The week's values; a day without a session counts as none for a total (a connected
    Fitbit that logged no workout did zero), while a missing average stays unmeasured."""
    if measure.total:
        return [row.get(measure.column) or 0 for row in rows]
    return [row[measure.column] for row in rows if row.get(measure.column) is not None]


def _measure(measure: Measure, week_rows: list[dict], before_rows: list[dict]
             ) -> tuple[float | None, float | None]:
    """This week's value and the four weeks before's, as a daily mean or a weekly total."""
    this, before = _measure_values(measure, week_rows), _measure_values(measure, before_rows)
    if measure.total:
        return (float(sum(this)) if this else None,
                float(sum(before)) / WEEKS_BEFORE if before else None)
    return mean(this), mean(before)


def _show(measure: Measure, value: float | None) -> str:
    return NOT_MEASURED if value is None else f"{value:,.0f}{measure.unit}"


def activity_section(marts: dict[str, list[dict]], week: Week) -> ReviewSection:
    """Steps against the goal, resting heart rate and whatever recovery measures the marts hold,
    each against the four weeks before; a measure without values reads "not measured"."""
    section = ReviewSection("activity", "Activity and recovery",
                            columns=["Measure", "This week", f"Previous {WEEKS_BEFORE} weeks", "Change"])
    sources = feeding("fct_activity_daily")
    days = marts["daily_summary_all"]
    if not marts["fct_activity_daily"]:
        return _not_connected(section, sources)
    week_rows, before_rows = _in(days, "summary_date", week.days), _in(days, "summary_date", week.days_before)
    parts = []
    for measure in MEASURES:
        value, before = _measure(measure, week_rows, before_rows)
        moved = change(value, before, measure.unit, measure.digits,
                       percent=measure.label == "Steps per day")
        section.rows.append([measure.label, _show(measure, value), _show(measure, before), moved])
        if measure.label == "Steps per day":
            recorded = [row for row in week_rows if row.get("steps") is not None]
            met = sum(1 for row in recorded if row.get("is_steps_goal_met"))
            if value is None:
                parts.append("no steps recorded")
                continue
            part = f"{_show(measure, value)} steps a day, goal met on {met} of {plural(len(recorded), 'day')}"
        else:
            part = f"{measure.label.lower()} {_show(measure, value)}"
        parts.append(part + (f" ({moved} on the previous four weeks)" if moved else ""))
    if all(row[1] == NOT_MEASURED for row in section.rows):
        section.missing = _names(sources)
        section.sentence = f"No activity recorded in the week of {week.start}."
        return section
    section.sentence = "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + "."
    return section


# --- people -----------------------------------------------------------------------------------

def person_name(row: dict, privacy_mode: str) -> str:
    """A contact's name; without one, the e-mail address only where the policy keeps it
    (under the cloud policy the marts hold a hash, which names no one)."""
    if row["full_name"]:
        return row["full_name"]
    return row["email"] if privacy_mode == "local" and row["email"] else "(no name)"


def people_section(marts: dict[str, list[dict]], week: Week, privacy_mode: str) -> ReviewSection:
    """The contacts most overdue for a touch (dim_contacts, as of the marts' date), with the
    last touch date, and how many people were touched in the week (daily_summary)."""
    section = ReviewSection("people", "People", columns=["Name", "Company", "Last touch", "Days overdue"])
    sources = feeding("fct_engagements", "dim_contacts")
    contacts = marts["dim_contacts"]
    if not contacts and not marts["fct_engagements"]:
        return _not_connected(section, sources)
    overdue = sorted((row for row in contacts if row["is_overdue"]),
                     key=lambda row: (-row["days_overdue"], person_name(row, privacy_mode)))
    section.rows = [[person_name(row, privacy_mode), row["company_name"] or "",
                     row["last_touch_date"] or "never", str(row["days_overdue"])]
                    for row in overdue[:PEOPLE_SHOWN]]
    touched = sum(int(row["contacts_touched"] or 0) for row in marts["daily_summary"]
                  if row["week_start"] == week.start.isoformat())
    as_of = max((row["as_of_date"] for row in contacts if row["as_of_date"]), default=None)
    if overdue:
        worst = overdue[0]
        company = f" ({worst['company_name']})" if worst["company_name"] else ""
        sentence = (f"{len(overdue):,} of {len(contacts):,} contacts overdue for a touch as of {as_of}; "
                    f"longest wait: {person_name(worst, privacy_mode)}{company}, last touched "
                    f"{worst['last_touch_date'] or 'never'}, {worst['days_overdue']} days overdue")
    else:
        sentence = "Nobody is overdue for a touch"
    people = "1 person" if touched == 1 else f"{touched:,} people"
    section.sentence = f"{sentence}; {people} touched in the week."
    return section


# --- unusual ----------------------------------------------------------------------------------

def last_loads(loads: list[dict], timezone: str) -> dict[str, str]:
    """source -> the date (personal zone) of its last successful load."""
    zone = ZoneInfo(timezone)
    out = {}
    for row in loads:
        if row["schema_name"] in labels() and row["last_loaded_at"]:
            stamp = datetime.fromisoformat(row["last_loaded_at"])
            stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            out[row["schema_name"]] = stamp.astimezone(zone).date().isoformat()
    return out


def unusual_section(marts: dict[str, list[dict]], week: Week, timezone: str,
                    failed: list[str]) -> ReviewSection:
    """A source that did not load since the week began, completeness warnings, and sections that
    could not be computed; "nothing unusual" when there is none."""
    section = ReviewSection("unusual", "Anything unusual", columns=["What"])
    loaded = last_loads(marts["_dlt_loads"], timezone)
    items = []
    for name, label in labels().items():
        if name not in loaded:
            items.append(f"{label} did not load: it has never loaded")
            section.missing.append(label)
        elif loaded[name] < week.start.isoformat():
            items.append(f"{label} did not load this week: its last load was on {loaded[name]}")
            section.missing.append(label)
    warnings = completeness_warnings(marts["_prp_completeness"])
    items += [f"completeness warning: {warning}" for warning in warnings]
    items += [f"the {title} section could not be computed" for title in failed]
    section.rows = [[item] for item in items]
    if not items:
        section.sentence = ("Nothing unusual: every source loaded during the week and every "
                            "count checked matches the API.")
    else:
        section.sentence = f"{plural(len(items), 'thing')} to look at: " + "; ".join(items) + "."
    return section


# --- the whole review -------------------------------------------------------------------------

def compute_review(marts: dict[str, list[dict]], week: Week, timezone: str, privacy_mode: str,
                   report_url: str = "") -> Review:
    """Every section in order; one that fails to compute says so instead of the review failing."""
    builders: list[tuple[str, str, Callable[[], ReviewSection]]] = [
        ("habits", "Habits", lambda: habits_section(marts, week)),
        ("sleep", "Sleep", lambda: sleep_section(marts, week)),
        ("activity", "Activity and recovery", lambda: activity_section(marts, week)),
        ("people", "People", lambda: people_section(marts, week, privacy_mode)),
    ]
    sections, failed = [], []
    for section_id, title, build in builders:
        try:
            sections.append(build())
        except Exception as exc:  # one odd mart must not cost the week's review
            log.warning("review: the %s section could not be computed: %s", title, exc)
            failed.append(title)
            sections.append(ReviewSection(section_id, title, sentence=f"Could not be computed ({exc})."))
    sections.append(unusual_section(marts, week, timezone, failed))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Review(week, sections, generated, report_url)
