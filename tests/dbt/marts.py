"""What every `prp transform` must leave, whichever sources are loaded (shared by the any-subset
and transform-skip tests)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import duckdb_reader

SOURCES = ("notion", "hubspot", "fitbit")
ANALYTICS = "dev_analytics"
MARTS = ("fct_habit_periods", "habit_metrics", "habit_streaks", "fct_engagements", "dim_contacts",
         "dim_companies", "fct_sleep_nightly", "fct_activity_daily", "fct_health_daily",
         "fct_workouts", "daily_summary")
# a mart per source that has rows whenever the source is loaded
FED_BY = {"notion": "fct_habit_periods", "hubspot": "fct_engagements", "fitbit": "fct_sleep_nightly"}
# daily_summary is the one model that reads every source: what each one adds to it
SUMMARY_FED_BY = {"notion": "sum(daily_habits_tracked)", "hubspot": "sum(engagements)",
                  "fitbit": "count(minutes_asleep)"}


def assert_every_mart_fed_by(subset: tuple[str, ...], warehouse: Path, output: str) -> None:
    """Every mart exists; those of the loaded sources have rows, the others none; the daily
    summary carries what each loaded source adds and nothing of the others; the transform's
    output names the sources that fed the marts."""
    with duckdb_reader(warehouse) as con:
        tables = {row[0] for row in con.execute(
            "select table_name from information_schema.tables "
            f"where table_schema = '{ANALYTICS}'").fetchall()}
        assert set(MARTS) <= tables
        for name, mart in FED_BY.items():
            rows = con.execute(f"select count(*) from {ANALYTICS}.{mart}").fetchone()[0]
            assert (rows > 0) == (name in subset), (name, mart, rows)
        for name, measure in SUMMARY_FED_BY.items():
            value = con.execute(f"select {measure} from {ANALYTICS}.daily_summary").fetchone()[0]
            assert (value > 0) == (name in subset), (name, measure, value)
    assert f"marts fed by {', '.join(s for s in SOURCES if s in subset)}" in output
