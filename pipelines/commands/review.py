"""``prp review [--send] [--force] [--week 2026-W23]``: the review of the last completed week.

It is written as ``review-<ISO week>.md`` and ``.html`` beside the report (``[prp]
report_dir``), added to the Actions job summary, and with ``--send`` e-mailed when e-mail is
configured (``pipelines.review.smtp``), once per week: a week already sent is not sent again
unless ``--force``. A review that cannot be sent is logged and the command exits 1; the file
and the job summary are written first, whatever happens to the e-mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import dlt

from pipelines.report.build import report_path
from pipelines.review.compute import compute_review
from pipelines.review.email_html import render_email_html
from pipelines.review.link import report_url
from pipelines.review.markdown import render_markdown
from pipelines.review.marts import load_review_marts
from pipelines.review.message import build_message
from pipelines.review.model import Review
from pipelines.review.sent_record import record_sent, sent_at
from pipelines.review.smtp import send_message, smtp_settings
from pipelines.review.week import last_completed_week, parse_week, today_in
from pipelines.runtime import job_summary
from pipelines.runtime.errors import PipelineError
from pipelines.runtime.privacy import resolve_mode
from pipelines.runtime.secrets_source import use_configured_secrets
from pipelines.runtime.settings import Settings, load_settings

log = logging.getLogger("prp.review")


@dataclass
class Written:
    review: Review
    markdown: str
    html: str
    path: Path


def write_review(settings: Settings, week: str | None = None, output_dir: Path | None = None) -> Written:
    """Compute the review from the marts and write its Markdown and HTML files."""
    today = today_in(settings.timezone)
    chosen = parse_week(week, today) if week else last_completed_week(today)
    privacy_mode = resolve_mode(settings.destination, dlt.config.get("prp.privacy"))
    review = compute_review(load_review_marts(settings), chosen, settings.timezone, privacy_mode,
                            report_url())
    markdown, html = render_markdown(review), render_email_html(review)
    folder = output_dir or report_path().parent
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"review-{chosen.label}.md"
    path.write_text(markdown, encoding="utf-8")
    path.with_suffix(".html").write_text(html, encoding="utf-8")
    log.info("review: wrote %s and its HTML beside it (week %s)", path, chosen.label)
    return Written(review, markdown, html, path)


def deliver(settings: Settings, written: Written, force: bool = False) -> str:
    """E-mail the review unless e-mail is off or this week went out already; what happened, in
    one line. A failure to send raises ``PipelineError``."""
    use_configured_secrets()  # the SMTP secrets may live in Secret Manager
    smtp = smtp_settings()
    label = written.review.week.label
    if smtp is None:
        return ("not sent: e-mail is not configured (set review.to, review.from and the "
                "review.smtp secrets; README, Weekly review)")
    already = None if force else _sent_at(settings, label)
    if already:
        return f"not sent again: the review of {label} went out at {already} (--force sends it again)"
    message = build_message(written.review, written.markdown, written.html, smtp.sender, smtp.recipients)
    send_message(smtp, message)
    try:
        record_sent(settings, label, len(smtp.recipients), message["Message-ID"])
    except Exception as exc:  # noqa: BLE001 - sent is sent; at worst a later run sends it twice
        log.warning("review: sent, but the record of it could not be written (%s): a second run "
                    "this week may send it again", exc)
    return f"sent to {len(smtp.recipients)} recipient(s) through {smtp.server}"


def _sent_at(settings: Settings, label: str) -> str | None:
    """When this week went out; an unreadable record counts as never (sent twice beats never)."""
    try:
        return sent_at(settings, label)
    except Exception as exc:  # noqa: BLE001 - the warehouse said no; the review still goes
        log.warning("review: the record of weeks sent could not be read (%s); sending", exc)
        return None


def run_review(send: bool = False, force: bool = False, week: str | None = None,
               output_dir: Path | None = None) -> Written:
    """``prp review``: write the review, add it to the job summary, send it when asked."""
    settings = load_settings()
    written = write_review(settings, week, output_dir)
    print(f"Review: {written.path}")
    outcome = ""
    try:
        if send:
            outcome = deliver(settings, written, force)
            log.info("review: %s", outcome)
    except PipelineError as exc:
        outcome = f"not sent: {exc}"
        raise
    finally:
        summary = written.markdown + (f"\nE-mail: {job_summary.text(outcome)}\n" if outcome else "")
        job_summary.append(summary)  # only in GitHub Actions
    return written
