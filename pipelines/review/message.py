"""The review as an e-mail: the Markdown as the plain-text part and its HTML alternative, the
subject naming the week. The Markdown goes as ``text/plain``: it reads well as it is, and mail
programs that do not render HTML show ``text/plain`` inline where they would offer a
``text/markdown`` part as an attachment."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipelines.review.model import Review

WEEK_HEADER = "X-PRP-Review-Week"


def build_message(review: Review, markdown: str, html: str, sender: str,
                  recipients: tuple[str, ...]) -> EmailMessage:
    """A multipart/alternative message: the Markdown (plain text) first, the HTML as the richer part."""
    message = EmailMessage()
    message["Subject"] = review.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2].strip(">") or None
    message["Message-ID"] = make_msgid("review", domain=domain)
    message[WEEK_HEADER] = review.week.label
    message.set_content(markdown, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
