"""The review as Markdown: the file ``review-<ISO week>.md``, the e-mail's text part and the
Actions job summary. Text from the data is escaped (``pipelines.runtime.job_summary.text``),
so a name shows as text and never as Markdown or HTML."""

from __future__ import annotations

from pipelines.review.model import Review, ReviewSection
from pipelines.runtime.job_summary import text


def _table(section: ReviewSection) -> list[str]:
    if not section.rows:
        return []
    lines = ["| " + " | ".join(text(c) for c in section.columns) + " |",
             "|" + "---|" * len(section.columns)]
    lines += ["| " + " | ".join(text(cell) or " " for cell in row) + " |" for row in section.rows]
    return [*lines, ""]


def render_markdown(review: Review) -> str:
    """The whole review: a title, then per section its sentence and small table, then the link."""
    lines = [f"## {text(review.title)}", ""]
    for section in review.sections:
        lines += [f"### {text(section.title)}", "", text(section.sentence), ""]
        lines += _table(section)
    if review.report_url:
        lines += [f"[The full report]({review.report_url})", ""]
    lines.append(f"Made {text(review.generated)} from the marts.")
    return "\n".join(lines) + "\n"
