"""What the review reads: the report's marts (``pipelines.report.build.read_marts``) plus the
few columns only the review needs, through the same reader.

``daily_summary`` is read whole (``select *``): the review's measures are its columns
(``compute.MEASURES``), and a warehouse built before one of them existed reads "not measured".
"""

from __future__ import annotations

from pipelines.report.build import read_marts
from pipelines.report.warehouse import MartReader, open_reader
from pipelines.runtime.settings import Settings

PERIOD_COLUMNS = "habit_id, habit_name, period, period_start, period_end, is_target_met"


def read_review_marts(reader: MartReader, settings: Settings) -> dict[str, list[dict]]:
    """The report's mart rows, the whole of ``daily_summary`` and habit periods with their ends."""
    marts = read_marts(reader, settings)
    analytics = settings.analytics_dataset
    marts["daily_summary_all"] = reader.rows(analytics, "daily_summary", "*")
    marts["habit_periods"] = reader.rows(analytics, "fct_habit_periods", PERIOD_COLUMNS)
    return marts


def load_review_marts(settings: Settings) -> dict[str, list[dict]]:
    """Open the configured warehouse, read what the review needs, close it again."""
    reader = open_reader(settings)
    try:
        return read_review_marts(reader, settings)
    finally:
        reader.close()
