"""The Workouts section, from fct_workouts: minutes per week by type, and the recent weeks."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from pipelines.report.model import Chart, Figure, Section, Table, not_connected, series
from pipelines.sources import feeding

COLUMNS = ("workout_id, workout_date, week_start, exercise_type, duration_minutes, calories, "
           "distance_km, average_heart_rate")
WEEKS_SHOWN, RECENT_WEEKS = 12, 4


def _name(row: dict) -> str:
    # the type, not display_name: that can be a person's own free text (redacted in the cloud)
    return str(row["exercise_type"]).replace("_", " ").capitalize()


def _weeks(latest: str, count: int) -> list[str]:
    start = date.fromisoformat(latest)
    return [(start - timedelta(weeks=k)).isoformat() for k in range(count - 1, -1, -1)]


def workouts_section(rows: list[dict], connected: set[str], today: str | None = None) -> Section:
    """Minutes per week by type (a stacked chart), the last weeks in a table, and a takeaway."""
    section = Section("workouts", "Workouts", feeding("fct_workouts"))
    if not any(name in connected for name in section.sources):
        return not_connected(section, list(section.sources))
    if not rows:
        section.takeaway = "No workouts recorded yet."
        return section
    latest = max(row["week_start"] for row in rows)
    if today:  # the week of the as-of date, even when nothing was done in it yet
        this_week = date.fromisoformat(today)
        latest = max(latest, (this_week - timedelta(days=this_week.weekday())).isoformat())
    weeks = _weeks(latest, WEEKS_SHOWN)
    minutes: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(weeks, 0.0))
    for row in rows:
        if row["week_start"] in weeks:
            minutes[_name(row)][row["week_start"]] += float(row["duration_minutes"] or 0)
    section.charts = [Chart("workouts-weekly", "Workout minutes per week, by type", "stacked",
                            weeks, [series(name, [round(by_week[w]) for w in weeks])
                                    for name, by_week in sorted(minutes.items())], "min")]
    recent = _weeks(latest, RECENT_WEEKS)
    table_rows = []
    for week in reversed(recent):
        members = [row for row in rows if row["week_start"] == week]
        types = Counter(_name(row) for row in members)
        table_rows.append([week, len(members),
                           round(sum(float(r["duration_minutes"] or 0) for r in members)),
                           round(sum(float(r["calories"] or 0) for r in members)),
                           ", ".join(f"{name} {n}" for name, n in types.most_common()) or "-"])
    section.tables = [Table(f"The last {RECENT_WEEKS} weeks",
                            ["week", "workouts", "minutes", "calories (kcal)", "by type"],
                            table_rows)]
    in_recent = [row for row in rows if row["week_start"] in recent]
    section.figures = [Figure("workouts_per_week", "Workouts a week (last 4 weeks)",
                              len(in_recent) / RECENT_WEEKS, f"{len(in_recent) / RECENT_WEEKS:.1f}")]
    section.takeaway = takeaway(in_recent, rows, latest)
    return section


def takeaway(in_recent: list[dict], rows: list[dict], latest: str) -> str:
    """The last four weeks: how many, how long, which type most; this week so far."""
    this_week = [row for row in rows if row["week_start"] == latest]
    if not in_recent:
        return f"No workouts in the last {RECENT_WEEKS} weeks."
    hours = sum(float(row["duration_minutes"] or 0) for row in in_recent) / 60
    types = Counter(_name(row) for row in in_recent)
    top, count = types.most_common(1)[0]
    kinds = f"mostly {top} ({count})" if count > 1 and len(types) > 1 else (
        f"all {top}" if len(types) == 1 else f"{len(types)} kinds, one of each")
    return (f"Last {RECENT_WEEKS} weeks: {len(in_recent)} workout{'s' if len(in_recent) > 1 else ''}, "
            f"{hours:.1f} h in all, {kinds}; this week {len(this_week)} so far.")
