"""'This week' from daily_summary: habits, sleep, steps and people, against the four weeks before.

"This week" is the week of the latest completed day with data: the latest date with any data
before today, where today is the marts' as-of date (else the last date in daily_summary, which
ends at the latest date any source has data for). Today is still in progress (a few steps, no
habits ticked yet), so on a Monday the report shows last week in full, and from Tuesday the
current week, today's partial day included. The comparison pools the four calendar weeks before
it. Averages compare day for day; habits compare the share of habit-days that met their target;
people touched compares the week's total with the average week before.
"""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.report.model import Chart, Figure, Section, completed_days, mean, not_connected, series
from pipelines.sources import feeding

COLUMNS = ("summary_date, week_start, daily_habits_tracked, daily_habits_target_met, hours_asleep, "
           "steps, engagements, contacts_touched")
# the marts behind each of the week's topics: a topic shows when a source feeding them is connected
HABITS = ("fct_habit_periods",)
HEALTH = ("fct_sleep_nightly", "fct_activity_daily")
PEOPLE = ("fct_engagements", "dim_contacts")


def shows(topic: tuple[str, ...], connected: set[str]) -> bool:
    """Whether a source feeding the topic's marts is connected."""
    return any(name in connected for name in feeding(*topic))


def week_sources() -> tuple[str, ...]:
    """The sources behind the week's topics, in the order the topics show."""
    return tuple(dict.fromkeys(feeding(*HABITS) + feeding(*HEALTH) + feeding(*PEOPLE)))


def has_data(row: dict) -> bool:
    """Anything recorded that day: a habit tracked, a night's sleep, steps, an engagement."""
    return bool(row["daily_habits_tracked"]) or row["hours_asleep"] is not None \
        or row["steps"] is not None or bool(row["engagements"])


def week_windows(rows: list[dict], today: str | None = None) -> tuple[str, list[str]]:
    """The week_start of "this week" and the four week starts before it (ISO dates).

    ``today`` is the as-of date; without one, the last date in ``rows`` stands in for it.
    """
    today = today or max(row["summary_date"] for row in rows)
    recorded = [row for row in rows if has_data(row)]
    completed = completed_days(recorded, "summary_date", today)
    # nothing before today (a first day of data): today's week rather than no week at all
    chosen = completed or recorded or rows
    latest = max(chosen, key=lambda row: row["summary_date"])["week_start"]
    start = date.fromisoformat(latest)
    return latest, [(start - timedelta(weeks=k)).isoformat() for k in range(1, 5)]


def habit_rate(rows: list[dict]) -> tuple[float | None, int, int]:
    """Share of tracked daily habit-days that met their target, and the two counts."""
    met = sum(int(row["daily_habits_target_met"] or 0) for row in rows)
    tracked = sum(int(row["daily_habits_tracked"] or 0) for row in rows)
    return (met / tracked if tracked else None), met, tracked


def week_figures(rows: list[dict], connected: set[str], today: str | None = None
                 ) -> tuple[list[Figure], str]:
    """The four headline figures for "this week" (see ``week_windows``), and that week's start."""
    latest, previous = week_windows(rows, today)
    this_week = [row for row in rows if row["week_start"] == latest]
    before = [row for row in rows if row["week_start"] in previous]
    weeks_before = len({row["week_start"] for row in before}) or None
    figures = []
    if shows(HABITS, connected):
        rate, met, tracked = habit_rate(this_week)
        before_rate = habit_rate(before)[0]
        figures.append(Figure("habits_target_rate", "Habits on target", rate,
                              f"{rate:.0%}" if rate is not None else "no habits tracked",
                              before_rate, f"{before_rate:.0%}" if before_rate is not None else "",
                              f"{met} of {tracked} habit-days met their target"))
    if shows(HEALTH, connected):
        sleep = mean(r["hours_asleep"] for r in this_week)
        sleep_before = mean(r["hours_asleep"] for r in before)
        figures.append(Figure("average_sleep_hours", "Average sleep", sleep, _hours(sleep), sleep_before,
                              _hours(sleep_before), "hours asleep per night, main sleep"))
        steps, steps_before = mean(r["steps"] for r in this_week), mean(r["steps"] for r in before)
        figures.append(Figure("average_steps", "Steps per day", steps, _count(steps), steps_before,
                              _count(steps_before), "average over days with steps recorded"))
    if shows(PEOPLE, connected):
        people = float(sum(int(r["contacts_touched"] or 0) for r in this_week))
        people_before = (sum(int(r["contacts_touched"] or 0) for r in before) / weeks_before
                         if weeks_before else None)
        figures.append(Figure("people_touched", "People touched", people, _count(people), people_before,
                              _count(people_before), "contacts touched each day, summed over the week"))
    return figures, latest


def _hours(value: float | None) -> str:
    return "no data" if value is None else f"{value:.1f} h"


def _count(value: float | None) -> str:
    return "no data" if value is None else f"{value:,.0f}"


def takeaway(figures: list[Figure], week_start: str) -> str:
    """The biggest rise and the biggest fall against the four weeks before, in one line."""
    moves = [((f.value - f.compare) / f.compare, f) for f in figures
             if f.value is not None and f.compare]
    if not moves:
        return f"Week of {week_start}: the first week with data, nothing to compare with yet."
    moves.sort(key=lambda move: move[0])
    best, worst = moves[-1], moves[0]
    line = f"Week of {week_start}: {best[1].label.lower()} {_direction(best[0])} on the previous four weeks"
    if worst is not best and worst[0] < 0:
        line += f"; {worst[1].label.lower()} {_direction(worst[0])}"
    return line + "."


def _direction(ratio: float) -> str:
    return f"up {ratio:.0%}" if ratio >= 0 else f"down {-ratio:.0%}"


def this_week_section(rows: list[dict], connected: set[str], today: str | None = None) -> Section:
    """The 'This week' section: figures, takeaway and a day-by-day chart of the week."""
    section = Section("this-week", "This week", week_sources())
    if not rows or not connected:
        return not_connected(section, list(section.sources))
    section.figures, latest = week_figures(rows, connected, today)
    section.takeaway = takeaway(section.figures, latest)
    section.missing = [name for name in section.sources if name not in connected]
    days = sorted((row for row in rows if row["week_start"] == latest), key=lambda row: row["summary_date"])
    section.charts.extend(_week_charts(days, connected))
    return section


def _week_charts(days: list[dict], connected: set[str]) -> list[Chart]:
    """One small day-by-day chart per connected source."""
    labels = [row["summary_date"] for row in days]
    charts = []
    if shows(HABITS, connected):
        charts.append(Chart("week-habits", "Habits on target, by day (%)", "bar", labels, [series(
            "on target (%)", [round(100 * r["daily_habits_target_met"] / r["daily_habits_tracked"])
                              if r["daily_habits_tracked"] else None for r in days])], "%"))
    if shows(HEALTH, connected):
        charts.append(Chart("week-sleep", "Hours asleep, by night", "bar", labels,
                            [series("hours asleep", [r["hours_asleep"] for r in days])], "h"))
    if shows(PEOPLE, connected):
        charts.append(Chart("week-people", "People touched, by day", "bar", labels,
                            [series("people touched", [r["contacts_touched"] for r in days])]))
    return charts
