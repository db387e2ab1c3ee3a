"""HubSpot's API generations as the stand-in serves them (``api-facts.md`` §7.1-7.2).

- Legacy ``/crm/v3/...`` and ``/crm/v4/associations/...``: records may carry ``warnings``;
  an association batch read with misses answers 207 with ``errors``.
- Date versions ``/crm/<api>/<YYYY-MM>/...``: ``2026-03`` keeps the legacy shapes; ``2026-09``
  (the latest GA) drops ``warnings``, sends every requested property (``null`` when it has no
  value, never ``""``) and declares only 200/201 for batch reads, ``errors`` in the 200 body
  (``HubSpotModes.batch_errors_status`` serves 207 instead: the evidence is a spec, not a trace).
- End of support, on the sandbox's own clock: ``/crm/v4`` from 2027-03-30 (HubSpot's changelog)
  and ``/crm/v3`` from 2027-09-01 (the changelog says "September 2027" with no day: the first
  day is taken). HubSpot says an unsupported API "may still work" and has not published what it
  answers once it stops; the strict mode (``HubSpotModes.legacy_sunset``, on by default) takes
  the strictest reading, HTTP 410 Gone in HubSpot's generic error shape (below), so a client
  still on a legacy path fails loudly instead of working by luck.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sandbox.server import Response

LEGACY = "legacy"
DATE_VERSIONS = ("2026-03", "2026-09")
# versions with the 2026-09 shapes (no warnings, null values, batch errors in a 200)
NULLABLE_VERSIONS = ("2026-09",)

SUNSETS = (  # path prefix -> first day it answers as unsupported
    ("/crm/v4/", datetime(2027, 3, 30, tzinfo=UTC)),
    ("/crm/v3/", datetime(2027, 9, 1, tzinfo=UTC)),
)
VERSIONING_LINK = "https://developers.hubspot.com/docs/developer-tooling/platform/versioning"


def version_of(params: dict[str, str]) -> str:
    """The generation a matched route serves: its ``{version}`` or ``legacy``."""
    return params.get("version", LEGACY)


def sunset_of(path: str, now: datetime) -> datetime | None:
    """The end-of-support day of a legacy path when ``now`` is past it."""
    for prefix, day in SUNSETS:
        if path.startswith(prefix) and now >= day:
            return day
    return None


def unsupported_response(path: str, day: datetime) -> Response:
    """410 Gone for a legacy path after its end of support (the assumed shape, see above)."""
    return Response(410, {
        "status": "error",
        "message": f"{path.split('/')[2]} CRM APIs are no longer supported since "
                   f"{day.date().isoformat()}. Use a date-based version such as "
                   f"/crm/objects/{DATE_VERSIONS[-1]}/{{objectType}}.",
        "correlationId": str(uuid.uuid4()), "category": "API_VERSION_UNSUPPORTED",
        "links": {"versioning": VERSIONING_LINK}})


def unknown_version_response(version: str) -> Response:
    return Response(404, {"status": "error", "message": f"Unknown API version {version!r}.",
                          "correlationId": str(uuid.uuid4()), "category": "OBJECT_NOT_FOUND"})
