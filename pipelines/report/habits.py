"""The Habits section: a calendar heatmap per habit, weekly and monthly completion against
target (habit_metrics), and current and longest streaks (habit_streaks)."""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.report.model import Chart, Section, Table, not_connected, series
from pipelines.sources import feeding

PERIOD_COLUMNS = "habit_id, habit_name, period, period_start, is_done, is_target_met"
METRIC_COLUMNS = "habit_id, habit_name, grain, window_start, completion_rate, target_rate"
STREAK_COLUMNS = ("habit_id, habit_name, period, current_streak, longest_streak, longest_streak_start, "
                  "longest_streak_end, as_of_date")
HEATMAP_WEEKS = 26
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _cell_value(row: dict) -> float:
    """1 met the target, 0.5 done but short of it, 0 not done."""
    if row["is_target_met"]:
        return 1.0
    return 0.5 if row["is_done"] else 0.0


def heatmap(habit_id: str, name: str, period: str, rows: list[dict], index: int) -> Chart:
    """A calendar heatmap of one habit: weeks across; weekdays down for a daily habit."""
    latest = date.fromisoformat(max(row["period_start"] for row in rows))
    first = latest - timedelta(weeks=HEATMAP_WEEKS)
    points, weeks = [], set()
    for row in rows:
        day = date.fromisoformat(row["period_start"])
        if day <= first:
            continue
        week = (day - timedelta(days=day.weekday())).isoformat()
        weeks.add(week)
        row_label = WEEKDAYS[day.weekday()] if period == "daily" else period
        points.append({"x": week, "y": row_label, "v": _cell_value(row), "d": row["period_start"]})
    y_labels = WEEKDAYS if period == "daily" else [period]
    return Chart(f"habit-calendar-{index}", f"{name} ({period})", "calendar", sorted(weeks),
                 [series(name, points)], y_labels=y_labels)


def completion_charts(metrics: list[dict]) -> list[Chart]:
    """Weekly completion per habit over 12 weeks, and the latest month against each target."""
    weekly = [row for row in metrics if row["grain"] == "week"]
    weeks = sorted({row["window_start"] for row in weekly})[-12:]
    names = sorted({row["habit_name"] for row in weekly})
    by_key = {(row["habit_name"], row["window_start"]): row for row in weekly}
    weekly_series = [series(name, [_percent(by_key.get((name, week), {}).get("completion_rate"))
                                   for week in weeks]) for name in names]
    monthly = [row for row in metrics if row["grain"] == "month"]
    charts = [Chart("habits-weekly", "Weekly completion (% of periods on target)", "line", weeks,
                    weekly_series, "%")]
    if monthly:
        month = max(row["window_start"] for row in monthly)
        latest = sorted((row for row in monthly if row["window_start"] == month),
                        key=lambda row: row["habit_name"])
        charts.append(Chart("habits-monthly", f"Month of {month[:7]}: completion against target", "bar",
                            [row["habit_name"] for row in latest],
                            [series("completion (%)", [_percent(row["completion_rate"]) for row in latest]),
                             series("target (%)", [_percent(row["target_rate"]) for row in latest],
                                    type="line", showLine=False, pointStyle="line", pointRadius=14)],
                            "%"))
    return charts


def _percent(rate) -> float | None:
    return None if rate is None else round(100 * float(rate), 1)


def streak_table(streaks: list[dict]) -> Table:
    """Current and longest streak per habit, longest current run first."""
    ordered = sorted(streaks, key=lambda row: (-(row["current_streak"] or 0), row["habit_name"]))
    return Table("Streaks", ["Habit", "Counted in", "Current", "Longest", "Longest run"], [
        [row["habit_name"], row["period"], row["current_streak"], row["longest_streak"],
         _run(row)]
        for row in ordered])


def _run(row: dict) -> str:
    start, end = row["longest_streak_start"], row["longest_streak_end"]
    return f"{start} to {end}" if start else ""


def takeaway(streaks: list[dict], metrics: list[dict], today: str | None = None) -> str:
    """The longest current run, and how many habits are on target in the latest week that began
    before ``today`` (the as-of date): on a Monday, last week, as 'This week' shows."""
    parts = []
    running = [row for row in streaks if row["current_streak"]]
    if running:
        best = max(running, key=lambda row: (row["current_streak"], row["habit_name"]))
        unit = {"daily": "days", "weekly": "weeks", "monthly": "months"}.get(best["period"], "periods")
        parts.append(f"{best['habit_name']} leads with a {best['current_streak']}-{unit[:-1]} streak")
    else:
        parts.append("No habit has a streak running")
    weekly = [row for row in metrics if row["grain"] == "week"]
    if weekly:
        # a week that begins today holds only today's unfinished day
        begun = [row for row in weekly if today is None or row["window_start"] < today] or weekly
        week = max(row["window_start"] for row in begun)
        latest = [row for row in weekly if row["window_start"] == week]
        on_target = sum(1 for row in latest
                        if row["completion_rate"] is not None and row["target_rate"] is not None
                        and float(row["completion_rate"]) >= float(row["target_rate"]))
        parts.append(f"{on_target} of {len(latest)} habits on target in the week of {week}")
    return "; ".join(parts) + "."


def habits_section(periods: list[dict], metrics: list[dict], streaks: list[dict],
                   today: str | None = None) -> Section:
    """The Habits section, or a note on connecting its source when no habit is tracked."""
    section = Section("habits", "Habits", feeding("fct_habit_periods"))
    if not periods:
        return not_connected(section, list(section.sources))
    by_habit: dict[str, list[dict]] = {}
    for row in periods:
        by_habit.setdefault(row["habit_id"], []).append(row)
    names = {row["habit_id"]: (row["habit_name"], row["period"]) for row in periods}
    ordered = sorted(by_habit, key=lambda habit: names[habit])
    section.charts = [heatmap(habit, *names[habit], by_habit[habit], i) for i, habit in enumerate(ordered)]
    section.charts += completion_charts(metrics)
    section.tables.append(streak_table(streaks))
    section.takeaway = takeaway(streaks, metrics, today)
    return section
