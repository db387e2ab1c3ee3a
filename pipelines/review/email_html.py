"""The review as a self-contained HTML e-mail body: inline styles only (mail clients drop
``<style>`` blocks and block remote content), no image, font or script, so it renders the
same offline and asks the network for nothing."""

from __future__ import annotations

from html import escape

from pipelines.review.model import Review, ReviewSection

PAGE = "max-width:680px;box-sizing:border-box;margin:0 auto;padding:24px 20px;background:#ffffff"
FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"
CELL = "padding:4px 10px;border-bottom:1px solid #e3e6ea;text-align:left;font-size:14px"
MISSING = "color:#8a5a00"


def _table(section: ReviewSection) -> str:
    if not section.rows:
        return ""
    head = "".join(f"<th style=\"{CELL};color:#555;font-weight:600\">{escape(c)}</th>"
                   for c in section.columns)
    body = "".join("<tr>" + "".join(f"<td style=\"{CELL}\">{escape(str(cell))}</td>" for cell in row)
                   + "</tr>" for row in section.rows)
    return (f"<table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\" "
            f"style=\"border-collapse:collapse;margin:8px 0 0 0\"><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _section(section: ReviewSection) -> str:
    style = f"margin:6px 0;font-size:15px;line-height:1.45{';' + MISSING if section.missing else ''}"
    return (f"<section id=\"{escape(section.id)}\" style=\"margin:0 0 22px 0\">"
            f"<h2 style=\"font-size:17px;margin:0 0 4px 0;color:#1d2733\">{escape(section.title)}</h2>"
            f"<p class=\"sentence\" style=\"{style}\">{escape(section.sentence)}</p>"
            f"{_table(section)}</section>")


def render_email_html(review: Review) -> str:
    """One HTML document, every style inline."""
    link = (f"<p style=\"margin:18px 0 0 0;font-size:15px\"><a href=\"{escape(review.report_url)}\" "
            f"style=\"color:#1f6feb\">The full report</a></p>" if review.report_url else "")
    sections = "".join(_section(s) for s in review.sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(review.title)}</title></head>"
        f"<body style=\"margin:0;padding:0;background:#f5f6f8;{FONT};color:#1d2733\">"
        f"<div style=\"{PAGE}\">"
        f"<h1 style=\"font-size:21px;margin:0 0 18px 0\">{escape(review.title)}</h1>"
        f"{sections}{link}"
        f"<p style=\"margin:22px 0 0 0;font-size:12px;color:#6a737d\">Made {escape(review.generated)} "
        "from the marts.</p></div></body></html>\n")
