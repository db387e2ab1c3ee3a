"""Where the full report is published, for the review's link.

``review.report_url`` when set (``REVIEW__REPORT_URL``); else, in GitHub Actions with
publishing on (``PUBLISH_REPORT=true``), the repository's GitHub Pages address, where
``publish-report.yml`` deploys the report; else no link.
"""

from __future__ import annotations

import logging
import os

import dlt

log = logging.getLogger("prp.review")


def report_url() -> str:
    """The published report's address, or '' when it is not published."""
    configured = str(dlt.config.get("review.report_url") or "").strip()
    if configured:
        if not configured.startswith(("https://", "http://")):
            log.warning("review: review.report_url %r is not a web address; the review has no link",
                        configured)
            return ""
        return configured
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if os.environ.get("PUBLISH_REPORT", "").lower() == "true" and "/" in repository:
        owner, name = repository.split("/", 1)
        if name.lower() == f"{owner.lower()}.github.io":  # a user site is served at the root
            return f"https://{name.lower()}/"
        return f"https://{owner.lower()}.github.io/{name}/"
    return ""
