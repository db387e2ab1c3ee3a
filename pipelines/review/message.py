"""The review as an e-mail: a Markdown part (``text/markdown``, RFC 7763) and its HTML
alternative, the subject naming the week."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipelines.review.model import Review

WEEK_HEADER = "X-PRP-Review-Week"


def build_message(review: Review, markdown: str, html: str, sender: str,
                  recipients: tuple[str, ...]) -> EmailMessage:
    """A multipart/alternative message: the Markdown first, the HTML as the richer part."""
    message = EmailMessage()
    message["Subject"] = review.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2].strip(">") or None
    message["Message-ID"] = make_msgid("review", domain=domain)
    message[WEEK_HEADER] = review.week.label
    message.set_content(markdown, subtype="markdown", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
