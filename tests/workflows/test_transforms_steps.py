"""The transforms job's ``run:`` steps, run in order on a warehouse every source has loaded.

The job is reached as GitHub reaches it on its daily schedule: from ``run-transforms.yml``'s
calling job, which must grant what the reusable workflow's jobs need; an expression reading a
context GitHub does not offer where it stands fails the test (``tests/workflows/github.py``).
Publishing is on, so the report site is built too, and the job summary's takeaways are checked
against the report a person would open. DuckDB stands in for BigQuery.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import duckdb_rows, refresh_every_source
from tests.smtp_inbox import Inbox, free_port
from tests.workflows.github import called_job, environment, load, run_steps

pytestmark = [pytest.mark.workflows, pytest.mark.integration]

MARTS = {"Notion": ("fct_habit_periods",),
         "HubSpot": ("fct_engagements", "dim_contacts"),
         "Fitbit": ("fct_sleep_nightly", "fct_activity_daily")}


def plain(markdown: str) -> str:
    """Markdown text with its escapes undone (the job summary escapes text from the data)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_transforms_job_builds_publishes_and_summarises(project_dir, start, monkeypatch):
    box = start(apis=None)  # every API and Secret Manager
    ws = box.app("notion").ws
    tracker = ws.data_source("Daily Habits")
    title = next(p.name for p in tracker.properties.values() if p.type == "title")
    ws.add_page(tracker.title, {title: "forgot the date", "Meditate": True})  # left out: a warning
    refresh_every_source()

    job, _ = called_job("run-transforms.yml", "transforms", "transform")
    runner_temp = project_dir / "runner"
    contexts = {"vars.GCP_PROJECT_ID": box.app("secretmanager").project_id,
                "vars.PUBLISH_REPORT == 'true'": "true", "inputs.review": "false"}
    run = run_steps(job, contexts, environment(), overrides={"PRP__DESTINATION": "duckdb"},
                    runner_temp=runner_temp)
    assert run.succeeded, run.output[-4000:]
    assert [s.name for s in run.steps] == ["Working directory", "Install", "dbt build",
                                           "Source freshness", "dbt docs", "Report and dbt docs site"]
    site = runner_temp / "site"
    assert (site / "index.html").is_file() and (site / "docs" / "index.html").is_file()
    # the site's docs start from the parse the steps before saved: dbt parses only what changed
    assert "Unable to do partial parsing" not in run.steps[-1].output, run.steps[-1].output[-3000:]

    summary = plain(run.summary)
    assert summary.startswith("### Transforms: dbt build on duckdb dataset dev_analytics\n")
    assert "Marts fed by: **Notion, HubSpot, Fitbit**" in summary
    for source, marts in MARTS.items():
        for mart in marts:
            rows = duckdb_rows(project_dir / "warehouse.duckdb",
                               f"select count(*) from dev_analytics.{mart}")[0][0]
            assert rows > 0 and f"| {source} | {mart} | {rows:,} |" in summary
    assert "- 1 habit-tracker pages without a date left out of the marts" in summary
    # the takeaways are the report's: each one the published page shows, in the page's order
    page = (site / "index.html").read_text()
    shown = [html.unescape(t) for t in re.findall(r"<p class='takeaway'>(.*?)</p>", page)]
    assert len(shown) >= 5
    listed = re.findall(r"^- [^:\n]+: (.*)$", summary.split("**Takeaways**", 1)[1], re.MULTILINE)
    assert listed == shown


def test_sunday_transforms_send_the_weekly_review(project_dir, start, monkeypatch):
    """The job as the Sunday Notion refresh calls it (``review: true``): after the build, the
    week's review is in the job summary, as written to its file, and arrives by e-mail, the
    SMTP server's address read from Secret Manager."""
    from aiosmtpd.controller import Controller

    # only the Sunday refresh asks for the review; the daily transforms leave it out
    assert load("refresh-notion.yml")["jobs"]["transforms"]["with"] == {"review": True}
    assert "with" not in load("run-transforms.yml")["jobs"]["transforms"]
    assert "with" not in load("refresh-hubspot.yml")["jobs"]["transforms"]
    box = start(apis=None)
    refresh_every_source()
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    secrets = box.app("secretmanager")
    secrets.put("review-smtp-host", "127.0.0.1")
    secrets.put("review-smtp-port", str(server.port))
    job, _ = called_job("refresh-notion.yml", "transforms", "transform")
    contexts = {"vars.GCP_PROJECT_ID": secrets.project_id, "vars.PUBLISH_REPORT == 'true'": "false",
                "inputs.review": "true", "vars.PUBLISH_REPORT": "false",
                "vars.REVIEW_TO": "me@prp.example", "vars.REVIEW_FROM": "review@prp.example"}
    try:
        run = run_steps(job, contexts, environment(), runner_temp=project_dir / "runner", overrides={
            "PRP__DESTINATION": "duckdb", "PRP__REPORT_DIR": str(project_dir / "report"),
            "REVIEW__SMTP__SECURITY": "none"})  # a relay on this machine
    finally:
        server.stop()
    assert run.succeeded, run.output[-4000:]
    assert run.steps[-1].name == "Weekly review"
    written = list((project_dir / "report").glob("review-*.md"))
    assert len(written) == 1
    label = written[0].stem.removeprefix("review-")
    review_summary = run.steps[-1].summary
    assert review_summary.startswith(written[0].read_text())
    # the server's address came from Secret Manager: a secret, masked like every other one
    assert "E-mail: sent to 1 recipient(s) through ***:" in plain(review_summary)
    # the job summary shows the build's part, then the review
    assert run.summary.index("### Transforms: dbt build") < run.summary.index("## Weekly review")
    assert len(inbox.messages) == 1
    _, recipients, message, _ = inbox.messages[0]
    assert recipients == ["me@prp.example"] and message["X-PRP-Review-Week"] == label
