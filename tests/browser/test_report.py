"""The report in a real browser: built from the demo profile, every section and chart drawn with
data, no console errors, the latest week's figures equal to the marts; and a report from a
warehouse holding only Notion says "not connected yet" where the other sources would be.

The reports read a copy of the session's demo warehouse (``demo_warehouse`` in tests/conftest.py:
the demo-profile sandbox -> the three pipelines -> DuckDB -> ``dbt build``, the warehouse
tests/dbt/test_marts_truth.py checks against the truth). The one-source warehouse is a copy
with every Fitbit and HubSpot row taken out, which is what dbt builds when only Notion is loaded
(tests/dbt/test_any_subset_of_sources.py checks that side).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import isolate_project

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ANALYTICS = "dev_analytics"
SECTIONS = ["this-week", "habits", "sleep", "activity", "recovery", "workouts", "relationships",
            "freshness"]
# a screenshot for people (README's docs/report.png is made the same way); also kept per run
SCREENSHOT_ENV = "PRP_REPORT_SCREENSHOT"


@dataclass
class Reports:
    warehouse: Path
    demo: Path
    notion_only: Path
    no_health_scope: Path


def _only_notion(source: Path, target: Path) -> None:
    """A copy of the warehouse as dbt leaves it when only Notion was ever loaded."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        for table in ("fct_sleep_nightly", "fct_activity_daily", "fct_engagements", "dim_contacts",
                      "dim_companies", "fct_health_daily", "fct_workouts"):
            con.execute(f"delete from {ANALYTICS}.{table}")
        con.execute(f"update {ANALYTICS}.daily_summary set hours_asleep = null, minutes_asleep = null, "
                    "steps = null, resting_heart_rate = null, engagements = 0, touches = 0, "
                    "contacts_touched = 0, hrv_ms = null, workouts = 0, workout_minutes = 0")
        con.execute("delete from dev_raw_data._dlt_loads where schema_name <> 'notion'")


def _without_health_scope(source: Path, target: Path) -> None:
    """A copy of the warehouse as dbt leaves it when the Fitbit grant lacks
    health_metrics_and_measurements: none of its tables loaded, everything else there."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        con.execute(f"delete from {ANALYTICS}.fct_health_daily")
        con.execute(f"update {ANALYTICS}.fct_activity_daily set resting_heart_rate = null")
        con.execute(f"update {ANALYTICS}.daily_summary set resting_heart_rate = null, hrv_ms = null")


@pytest.fixture(scope="module")
def reports(demo_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """Both reports, written by `prp report` from copies of the session's demo warehouse."""
    work = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, work)  # the warehouse is work/warehouse.duckdb
        mp.setenv("PRP__TIMEZONE", "Europe/London")
        shutil.copy(demo_warehouse.path, work / "warehouse.duckdb")

        from pipelines.cli import main

        # `prp report --docs` (make docs): the report and the dbt docs site beside it
        demo = work / "demo" / "index.html"
        assert main(["report", "--docs", "--output", str(demo)]) == 0
        _only_notion(work / "warehouse.duckdb", work / "notion_only.duckdb")
        mp.setenv("PRP__DUCKDB_PATH", str(work / "notion_only.duckdb"))
        notion_only = work / "notion_only" / "index.html"
        assert main(["report", "--output", str(notion_only)]) == 0
        _without_health_scope(work / "warehouse.duckdb", work / "no_health.duckdb")
        mp.setenv("PRP__DUCKDB_PATH", str(work / "no_health.duckdb"))
        no_health = work / "no_health" / "index.html"
        assert main(["report", "--output", str(no_health)]) == 0
    return Reports(work / "warehouse.duckdb", demo, notion_only, no_health)


def _open(browser, path: Path, width: int = 1100):
    """The report in a new page, charts drawn; the errors the page logged, kept as it runs."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-charts-ready]")
    return page, errors, requests


POINTS_PER_CHART = """() => Object.fromEntries(Array.from(document.querySelectorAll('canvas')).map(c => {
  const chart = Chart.getChart(c);
  const points = chart ? chart.data.datasets.reduce(
      (n, d) => n + d.data.filter(v => v !== null && v !== undefined).length, 0) : 0;
  return [c.id, points];
}))"""


FIGURES = ["habits_target_rate", "average_sleep_hours", "average_steps", "people_touched"]
# how the page writes each figure, and what it writes when there is nothing to show
SHOWN = {"habits_target_rate": ("{:.0%}", "no habits tracked"),
         "average_sleep_hours": ("{:.1f} h", "no data"),
         "average_steps": ("{:,.0f}", "no data"),
         "people_touched": ("{:,.0f}", "no data")}


def _number(value) -> float | None:
    return None if value is None else float(value)


def _shown(metric: str, value: float | None) -> str:
    form, nothing = SHOWN[metric]
    return nothing if value is None else form.format(value)


def _week_from_marts(warehouse: Path) -> dict:
    """The figures of "this week" straight from the marts, and the four weeks before it.

    This week is the week of the latest day with data before today (the marts' as-of date, else
    the last date in daily_summary): today is unfinished, so a Monday shows last week. A figure
    with nothing to average is None.
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        latest = con.execute(f"""
            with recorded as (
                select summary_date, week_start from {ANALYTICS}.daily_summary
                where daily_habits_tracked > 0 or hours_asleep is not null or steps is not null
                   or engagements > 0
            ),
            today as (
                select coalesce(
                    (select max(as_of_date) from (
                        select as_of_date from {ANALYTICS}.habit_streaks
                        union all select as_of_date from {ANALYTICS}.dim_contacts)),
                    (select max(summary_date) from {ANALYTICS}.daily_summary)) as day
            )
            select coalesce(
                (select max(week_start) from recorded where summary_date < (select day from today)),
                (select max(week_start) from recorded))""").fetchone()[0]
        row = con.execute(f"""
            select sum(daily_habits_target_met) / nullif(sum(daily_habits_tracked), 0),
                   avg(hours_asleep), avg(steps), sum(contacts_touched)
            from {ANALYTICS}.daily_summary where week_start = ?""", [latest]).fetchone()
        before = con.execute(f"""
            select sum(daily_habits_target_met) / nullif(sum(daily_habits_tracked), 0),
                   avg(hours_asleep), avg(steps), sum(contacts_touched) / count(distinct week_start)
            from {ANALYTICS}.daily_summary
            where week_start >= ? - interval 28 day and week_start < ?""", [latest, latest]).fetchone()
    return {"week_start": latest.isoformat(), **dict(zip(FIGURES, map(_number, row), strict=True)),
            "before": dict(zip(FIGURES, map(_number, before), strict=True))}


def test_demo_report_draws_every_section_and_chart_with_data(browser, reports, tmp_path):
    page, errors, requests = _open(browser, reports.demo)
    for section in SECTIONS:
        assert page.locator(f"section[data-section='{section}'] .takeaway").inner_text().strip(), section
    points = page.evaluate(POINTS_PER_CHART)
    declared = page.locator("figure.chart").count()
    assert len(points) == declared >= 12, points
    assert all(n > 0 for n in points.values()), {k: n for k, n in points.items() if n == 0}
    for section in ("habits", "sleep", "activity", "relationships", "recovery"):
        assert page.locator(f"section[data-section='{section}'] canvas").count() >= 2, section
    assert page.locator("section[data-section='workouts'] canvas").count() == 1
    assert page.locator("section[data-section='workouts'] tbody tr").count() == 4
    assert page.locator(".not-connected").count() == 0
    # the dbt docs written beside it, one static page, linked from the footer
    assert page.locator("footer a[href='docs/index.html']").count() == 1
    assert (reports.demo.parent / "docs" / "index.html").stat().st_size > 100_000
    assert page.locator("section[data-section='relationships'] tbody tr").count() > 1
    # hover values: the pointer over the sleep chart brings up its tooltip with that night's values
    canvas = page.locator("#chart-sleep-hours")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    canvas.hover(position={"x": box["width"] * 0.6, "y": box["height"] * 0.5})
    hovered = page.evaluate("() => Chart.getChart(document.getElementById('chart-sleep-hours'))"
                            ".tooltip.getActiveElements().length")
    assert hovered > 0
    assert errors == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    import os

    if os.environ.get(SCREENSHOT_ENV):
        page.set_viewport_size({"width": 1000, "height": 1500})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=os.environ[SCREENSHOT_ENV])
    page.close()


def test_latest_week_figures_equal_the_marts(browser, reports):
    expected = _week_from_marts(reports.warehouse)
    page, errors, _ = _open(browser, reports.demo)
    shown = {el.get_attribute("data-metric"): el
             for el in page.locator("section[data-section='this-week'] .figure").element_handles()}
    assert set(shown) == set(FIGURES)
    for metric, element in shown.items():
        value = element.get_attribute("data-value")
        if expected[metric] is None:
            assert value == "", metric
        else:
            assert float(value) == pytest.approx(expected[metric], rel=1e-5), metric
    text = {metric: element.inner_text() for metric, element in shown.items()}
    for metric in FIGURES:
        assert _shown(metric, expected[metric]) in text[metric], metric
    for metric in ("average_sleep_hours", "average_steps"):
        assert f"previous 4 weeks: {_shown(metric, expected['before'][metric])}" in text[metric], metric
    assert expected["week_start"] in page.locator("section[data-section='this-week'] .takeaway").inner_text()
    assert errors == []
    page.close()


def test_recovery_and_workouts_equal_the_marts(browser, reports):
    """HRV over the last 7 days against the 30 days before, and this week's workouts, as the
    marts say."""
    with duckdb.connect(str(reports.warehouse), read_only=True) as con:
        hrv, baseline = con.execute(f"""
            with latest as (
                select max(health_date) as day from {ANALYTICS}.fct_health_daily
                where hrv_ms is not null or resting_heart_rate is not null
                   or spo2_percent is not null or breaths_per_minute is not null
                   or temperature_deviation_celsius is not null)
            select avg(case when health_date > day - 7 then hrv_ms end),
                   avg(case when health_date <= day - 7 and health_date > day - 37 then hrv_ms end)
            from {ANALYTICS}.fct_health_daily, latest""").fetchone()
        weeks = dict(con.execute(f"""
            select cast(week_start as varchar), count(*) from {ANALYTICS}.fct_workouts
            group by 1""").fetchall())
    page, errors, _ = _open(browser, reports.demo)
    figure = page.locator("section[data-section='recovery'] .figure[data-metric='hrv']")
    assert float(figure.get_attribute("data-value")) == pytest.approx(hrv, rel=1e-6)
    assert f"{hrv:.0f} ms" in figure.inner_text() and f"{baseline:.0f} ms" in figure.inner_text()
    takeaway = page.locator("section[data-section='recovery'] .takeaway").inner_text()
    assert takeaway.startswith(f"Last 7 days: heart-rate variability {hrv:.0f} ms")
    for row in page.locator("section[data-section='workouts'] tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        assert int(cells[1]) == weeks.get(cells[0], 0), cells
    assert errors == []
    page.close()


def test_report_with_only_notion_says_not_connected_yet(browser, reports):
    page, errors, _ = _open(browser, reports.notion_only, width=390)  # a phone's width
    for section in ("sleep", "activity", "recovery", "workouts"):
        note = page.locator(f"section[data-section='{section}'] .not-connected").inner_text()
        assert "Fitbit not connected yet" in note and "prp auth fitbit" in note
    note = page.locator("section[data-section='relationships'] .not-connected").inner_text()
    assert "HubSpot not connected yet" in note and "SOURCES__HUBSPOT__API_KEY" in note
    assert page.locator("section[data-section='sleep'] canvas").count() == 0
    points = page.evaluate(POINTS_PER_CHART)
    habit_charts = [k for k in points if k.startswith("chart-habit")]
    assert habit_charts and all(points[k] > 0 for k in habit_charts)
    figures = page.locator("section[data-section='this-week'] .figure").evaluate_all(
        "els => els.map(e => e.dataset.metric)")
    assert figures == ["habits_target_rate"]
    assert json.loads(page.locator("#chart-specs").inner_text())  # charts still drawn
    assert errors == []
    page.close()


def test_without_the_health_scope_recovery_says_not_measured(browser, reports):
    page, errors, _ = _open(browser, reports.no_health_scope)
    recovery = page.locator("section[data-section='recovery']")
    assert "not measured" in recovery.locator(".takeaway").inner_text()
    assert recovery.locator(".not-connected").count() == 0  # connected, just not measured
    assert recovery.locator("canvas").count() == 0 and recovery.locator(".figure").count() == 0
    assert " 0 ms" not in recovery.inner_text()
    workouts = page.locator("section[data-section='workouts']")  # activity scope: still there
    assert workouts.locator("canvas").count() == 1
    assert errors == []
    page.close()

