"""The Sleep and Activity sections, from fct_sleep_nightly and fct_activity_daily."""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.report.model import (
    Chart,
    Section,
    change,
    completed_days,
    last_days,
    mean,
    not_connected,
    series,
)
from pipelines.sources import feeding

SLEEP_COLUMNS = ("sleep_date, has_main_sleep, hours_asleep, efficiency, minutes_deep, minutes_light, "
                 "minutes_rem, minutes_wake, sleep_goal_hours, is_sleep_goal_met")
ACTIVITY_COLUMNS = "activity_date, steps, resting_heart_rate, steps_goal, is_steps_goal_met"
DAYS_SHOWN = 90


def rolling_average(rows: list[dict], key: str, value: str, days: int = 7) -> list[float | None]:
    """For each row, the mean of ``value`` over the ``days`` calendar days ending on its date."""
    by_date = {row[key]: row[value] for row in rows}
    averages = []
    for row in rows:
        day = date.fromisoformat(row[key])
        window = [by_date.get((day - timedelta(days=k)).isoformat()) for k in range(days)]
        average = mean(window)
        averages.append(None if average is None else round(average, 2))
    return averages


def sleep_section(nights: list[dict]) -> Section:
    """Hours asleep with a 7-day rolling average and the goal, efficiency, and stages."""
    section = Section("sleep", "Sleep", feeding("fct_sleep_nightly"))
    main = [row for row in nights if row["has_main_sleep"]]
    if not main:
        return not_connected(section, list(section.sources))
    shown = last_days(main, "sleep_date", DAYS_SHOWN)
    labels = [row["sleep_date"] for row in shown]
    goal = float(shown[-1]["sleep_goal_hours"])
    section.charts = [
        Chart("sleep-hours", "Hours asleep per night", "line", labels, [
            series("hours asleep", [_round(row["hours_asleep"]) for row in shown], showLine=False),
            series("7-day average", rolling_average(shown, "sleep_date", "hours_asleep")),
            series(f"goal ({goal:g} h)", [goal] * len(shown), borderDash=[6, 4], pointRadius=0),
        ], "h"),
        Chart("sleep-efficiency", "Efficiency (% of time in bed asleep)", "line", labels,
              [series("efficiency", [row["efficiency"] for row in shown])], "%"),
    ]
    staged = [row for row in last_days(main, "sleep_date", 30) if row["minutes_deep"] is not None]
    if staged:
        section.charts.append(Chart("sleep-stages", "Sleep stages, last 30 nights (minutes)", "stacked",
                                    [row["sleep_date"] for row in staged], [
            series(stage, [row[f"minutes_{stage}"] for row in staged])
            for stage in ("deep", "light", "rem", "wake")], "min"))
    section.takeaway = _sleep_takeaway(main, goal)
    return section


def _sleep_takeaway(main: list[dict], goal: float) -> str:
    week = last_days(main, "sleep_date", 7)
    met = sum(1 for row in week if row["is_sleep_goal_met"])
    average = mean(row["hours_asleep"] for row in week)
    return (f"Last 7 nights: {average:.1f} h asleep on average against a {goal:g} h goal, "
            f"met on {met} of {len(week)} nights.")


def activity_section(days: list[dict], today: str | None = None) -> Section:
    """Daily steps against the goal, and the resting heart rate trend.

    ``today`` (the marts' as-of date) is still under way: the chart shows its steps so far, but
    the takeaway counts the goal over completed days only.
    """
    section = Section("activity", "Activity", feeding("fct_activity_daily"))
    if not any(row["steps"] is not None or row["resting_heart_rate"] is not None for row in days):
        return not_connected(section, list(section.sources))
    shown = last_days(days, "activity_date", DAYS_SHOWN)
    labels = [row["activity_date"] for row in shown]
    goal = int(shown[-1]["steps_goal"])
    section.charts = [
        Chart("activity-steps", "Steps per day", "bar", labels, [
            series("steps", [row["steps"] for row in shown]),
            series(f"goal ({goal:,})", [goal] * len(shown), type="line", borderDash=[6, 4], pointRadius=0),
        ]),
        Chart("activity-heart", "Resting heart rate (bpm)", "line", labels, [
            series("resting heart rate", [row["resting_heart_rate"] for row in shown], showLine=False),
            series("7-day average", rolling_average(shown, "activity_date", "resting_heart_rate")),
        ], "bpm"),
    ]
    section.takeaway = _activity_takeaway(completed_days(days, "activity_date", today) or days, goal)
    return section


def _activity_takeaway(days: list[dict], goal: int) -> str:
    week = last_days(days, "activity_date", 7)
    before = [row for row in last_days(days, "activity_date", 35) if row not in week]
    met = sum(1 for row in week if row["is_steps_goal_met"])
    line = f"Steps goal ({goal:,}) met on {met} of the last {len(week)} days"
    heart, heart_before = (mean(row["resting_heart_rate"] for row in week),
                           mean(row["resting_heart_rate"] for row in before))
    if heart is not None:
        moved = change(heart, heart_before, " bpm", 0)
        line += f"; resting heart rate {heart:.0f} bpm"
        line += f" ({moved} on the 4 weeks before)" if moved else ""
    return line + "."


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)
