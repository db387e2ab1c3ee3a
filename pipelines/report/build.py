"""``prp report``: read the marts, compute each section, write one self-contained HTML file."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dlt

import pipelines.report.freshness as freshness
import pipelines.report.habits as habits
import pipelines.report.health as health
import pipelines.report.recovery as recovery
import pipelines.report.relationships as relationships
import pipelines.report.week as week
import pipelines.report.workouts as workouts
from pipelines.report.model import Section
from pipelines.report.render import render_html
from pipelines.report.warehouse import MartReader, open_reader
from pipelines.runtime.settings import Settings, load_settings
from pipelines.sources import specs

log = logging.getLogger("prp.report")

DEFAULT_DIR = "data/report"


def report_path(output: Path | None = None) -> Path:
    """Where the report goes: ``output``, else ``[prp] report_dir``/index.html (data/report)."""
    if output:
        return Path(output).resolve()
    configured = dlt.config.get("prp.report_dir")
    return (Path(configured or DEFAULT_DIR) / "index.html").resolve()


def connected_sources(marts: dict[str, list[dict]]) -> set[str]:
    """Sources whose marts (those the report reads) hold rows."""
    return {spec.name for spec in specs() if any(marts.get(mart) for mart in spec.marts)}


def as_of_date(marts: dict[str, list[dict]]) -> str | None:
    """The date the marts were built as of (habit_streaks and dim_contacts carry it); None
    when neither has rows, e.g. only sleep and activity loaded."""
    return max((row["as_of_date"] for name in ("habit_streaks", "dim_contacts") for row in marts[name]
                if row["as_of_date"]), default=None)


def read_marts(reader: MartReader, settings: Settings) -> dict[str, list[dict]]:
    """The mart rows each section needs (an absent mart reads as no rows)."""
    analytics, raw = settings.analytics_dataset, settings.raw_dataset
    return {
        "daily_summary": reader.rows(analytics, "daily_summary", week.COLUMNS),
        "fct_habit_periods": reader.rows(analytics, "fct_habit_periods", habits.PERIOD_COLUMNS),
        "habit_metrics": reader.rows(analytics, "habit_metrics", habits.METRIC_COLUMNS),
        "habit_streaks": reader.rows(analytics, "habit_streaks", habits.STREAK_COLUMNS),
        "fct_sleep_nightly": reader.rows(analytics, "fct_sleep_nightly", health.SLEEP_COLUMNS),
        "fct_activity_daily": reader.rows(analytics, "fct_activity_daily", health.ACTIVITY_COLUMNS),
        "fct_health_daily": reader.rows(analytics, "fct_health_daily", recovery.COLUMNS),
        "fct_workouts": reader.rows(analytics, "fct_workouts", workouts.COLUMNS),
        "fct_engagements": reader.rows(analytics, "fct_engagements", relationships.ENGAGEMENT_COLUMNS),
        "dim_contacts": reader.rows(analytics, "dim_contacts", relationships.CONTACT_COLUMNS),
        "_dlt_loads": reader.rows(raw, "_dlt_loads", freshness.LOAD_COLUMNS, freshness.LOAD_WHERE),
        "_prp_completeness": reader.rows(raw, "_prp_completeness", freshness.COMPLETENESS_COLUMNS),
    }


def compute_sections(marts: dict[str, list[dict]]) -> list[Section]:
    """Every section in page order; one that fails to compute says so instead of the page failing."""
    connected = connected_sources(marts)
    today = as_of_date(marts)  # one "today" for every section that picks a latest week
    builders: list[tuple[str, str, Callable[[], Section]]] = [
        ("this-week", "This week", lambda: week.this_week_section(marts["daily_summary"], connected, today)),
        ("habits", "Habits", lambda: habits.habits_section(
            marts["fct_habit_periods"], marts["habit_metrics"], marts["habit_streaks"], today)),
        ("sleep", "Sleep", lambda: health.sleep_section(marts["fct_sleep_nightly"])),
        ("activity", "Activity", lambda: health.activity_section(marts["fct_activity_daily"], today)),
        ("recovery", "Recovery", lambda: recovery.recovery_section(marts.get("fct_health_daily", []),
                                                                     connected)),
        ("workouts", "Workouts", lambda: workouts.workouts_section(
            marts.get("fct_workouts", []), connected, today)),
        ("relationships", "Relationships", lambda: relationships.relationships_section(
            marts["fct_engagements"], marts["dim_contacts"])),
        ("freshness", "Freshness", lambda: freshness.freshness_section(
            marts["_dlt_loads"], marts["_prp_completeness"])),
    ]
    sections = []
    for section_id, title, build in builders:
        try:
            sections.append(build())
        except Exception as exc:  # one odd mart must not cost the whole morning page
            log.warning("report: the %s section could not be computed: %s", title, exc)
            sections.append(Section(section_id, title, (), error=f"could not be computed ({exc})"))
    return sections


def _source_label(settings: Settings) -> str:
    # no file path or cloud project on a page that may be published
    return f"{settings.destination} dataset {settings.analytics_dataset}"


def load_marts(settings: Settings) -> dict[str, list[dict]]:
    """Open the configured warehouse, read every mart the report needs, close it again."""
    reader = open_reader(settings)
    try:
        return read_marts(reader, settings)
    finally:
        reader.close()


def build_report(output: Path | None = None, settings: Settings | None = None) -> Path:
    """Read the marts, write the report, return its path."""
    settings = settings or load_settings()
    path = report_path(output)
    sections = compute_sections(load_marts(settings))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    docs_link = "docs/index.html" if (path.parent / "docs" / "index.html").exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(sections, generated, _source_label(settings), docs_link), encoding="utf-8")
    log.info("report: wrote %s (%d sections)", path, len(sections))
    return path
