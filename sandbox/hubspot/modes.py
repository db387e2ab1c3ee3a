"""Switches for real-API behaviour a test turns on at run time (``app.modes.<name> = ...``).

The defaults are the real API's own behaviour; a mode either injects something that happens
in a live account (a user editing a record while a search is being paged) or picks one of
several plausible behaviours where the public evidence is unclear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCOPE_ERROR_KEYS = ("requiredGranularScopes", "requiredScopes")
BATCH_ERROR_STATUSES = (200, 207)


@dataclass
class HubSpotModes:
    """Per-app modes; each field is one behaviour, documented in one line."""

    # True: after answering a search page that has more pages, edit the first record of that
    # page (last-modified = now), as a user might mid-read; `after` offsets then skip a record.
    edit_between_search_pages: bool = False
    # Scopes every key lacks (``app.service_key`` makes one key lack some): any request for an
    # object type that needs one (list, search, associations, properties) answers 403
    # MISSING_SCOPES naming it.
    missing_scopes: set[str] = field(default_factory=set)
    # Where the 403 names the scopes: "requiredGranularScopes" (current answers) or
    # "requiredScopes" (older answers, still seen in SDK issue threads).
    scope_error_key: str = "requiredGranularScopes"
    # Strict (default): legacy /crm/v4 answers 410 from 2027-03-30 and /crm/v3 from 2027-09-01
    # on the sandbox clock (``versions.py``); False keeps serving them ("may still work").
    legacy_sunset: bool = True
    # The status of a 2026-09 association batch read with errors: 200 (its spec, errors in the
    # body) or 207 (what v4 and 2026-03 answer; whether 2026-09 servers still do is unverified).
    batch_errors_status: int = 200
    # Archived records the list endpoint still returns with ``archived=true``; older ones (and
    # GDPR deletions, ``Crm.purge``) are gone without a trace.
    archived_retention_days: int = 90

    def __post_init__(self) -> None:
        if self.scope_error_key not in SCOPE_ERROR_KEYS:
            raise ValueError(f"scope_error_key must be one of {SCOPE_ERROR_KEYS}")
        if self.batch_errors_status not in BATCH_ERROR_STATUSES:
            raise ValueError(f"batch_errors_status must be one of {BATCH_ERROR_STATUSES}")
