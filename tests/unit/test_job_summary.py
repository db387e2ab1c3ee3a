"""The GitHub Actions job summary: written only where GitHub asks for one, never failing a run,
and showing text from the data or an API as text (rendered here by markdown-it, a CommonMark
renderer like GitHub's, with tables)."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from pipelines.report.job_summary import transform_markdown
from pipelines.runtime import job_summary
from pipelines.runtime.summary import RunSummary
from pipelines.transform.summary import TransformSummary

pytestmark = pytest.mark.unit

HOSTILE = "Ann <img src=x onerror=alert(1)> [click](https://example.com) **bold** | pipe_name"


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def summary(**changes) -> RunSummary:
    values = {"source": "hubspot", "mode": "incremental", "destination": "bigquery",
              "dataset": "raw_data", "rows": {"hubspot__contacts": 1200, "hubspot__companies": 30},
              "requests": 41, "retries": 2, "seconds": 12.34, "warnings": []}
    return RunSummary(**(values | changes))


def test_nothing_is_written_outside_github_actions(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    job_summary.write_refresh(summary())
    job_summary.write_failure("prp refresh", RuntimeError("boom"))
    assert list(tmp_path.iterdir()) == []


def test_a_refresh_appends_its_rows_requests_and_warnings(tmp_path, monkeypatch):
    path = tmp_path / "step_summary"
    path.write_text("### before\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    job_summary.write_refresh(summary(warnings=["hubspot: skipped emails: grant sales-email-read"]))
    html = render(path.read_text())
    assert html.startswith("<h3>before</h3>")  # appended: earlier steps' summaries stay
    assert "<h3>Refresh hubspot: incremental, 1,230 rows into bigquery dataset raw_data</h3>" in html
    assert "<td>hubspot__contacts</td>" in html and '<td style="text-align:right">1,200</td>' in html
    assert "41 requests (2 retried) in 12.3 s." in html
    assert "<li>hubspot: skipped emails: grant sales-email-read</li>" in html


def test_text_from_the_data_shows_as_text(tmp_path, monkeypatch):
    path = tmp_path / "step_summary"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    job_summary.write_refresh(summary(rows={HOSTILE: 1}, warnings=[HOSTILE + "\nsecond line"]))
    html = render(path.read_text())
    assert "<img" not in html and "<a " not in html and "<strong>bold" not in html
    assert html.count("Ann &lt;img src=x onerror=alert(1)&gt; [click](https://example.com) "
                      "**bold** | pipe_name") == 2  # the table cell and the warning, whole
    assert "<td>" in html and "second line</li>" in html  # the table kept its shape, one line


def test_a_summary_that_cannot_be_written_does_not_fail_the_run(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "summary"))
    job_summary.write_refresh(summary())
    assert "job summary not written" in caplog.text


def test_a_failure_names_the_command_and_the_error():
    html = render(job_summary.failure_markdown("prp transform", RuntimeError("dbt build failed")))
    assert html.startswith("<h3>prp transform failed</h3>\n<p>dbt build failed</p>")


def test_a_transforms_run_shows_marts_warnings_and_takeaways():
    dbt = TransformSummary(left_out={"habit-tracker pages without a date": 2},
                           warnings=["some_warning_test: 3 rows"])
    html = render(transform_markdown(
        "bigquery dataset analytics", {"notion": {"fct_habit_periods": 0},
                                       "hubspot": {"fct_engagements": 1500}},
        ["hubspot"], dbt, [("Relationships", f"longest wait: {HOSTILE}")]))
    assert "<h3>Transforms: dbt build on bigquery dataset analytics</h3>" in html
    assert "Marts fed by: <strong>HubSpot</strong>" in html
    assert "<td>HubSpot</td>\n<td>fct_engagements</td>" in html
    assert "<li>2 habit-tracker pages without a date left out of the marts</li>" in html
    assert "<li>some_warning_test: 3 rows</li>" in html
    assert "<li>Relationships: longest wait: Ann &lt;img" in html and "<img" not in html


def test_a_skipped_build_says_so_and_claims_no_test_results():
    markdown = transform_markdown("duckdb dataset dev_analytics", {}, [],
                                  TransformSummary(skipped_since="2026-06-08T04:51:02"), [])
    html = render(markdown)
    assert "dbt build skipped, nothing changed since the build at 2026-06-08T04:51:02" in html
    assert "Marts fed by: <strong>none (no source has data yet)</strong>" in html
    assert "Warnings" not in html and "No warnings" not in html
    assert "No takeaways: the marts could not be read" in html
