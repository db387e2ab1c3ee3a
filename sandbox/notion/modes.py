"""Behaviours of the real Notion API that the public evidence leaves open, one switch each.

Each defaults to the strictest plausible behaviour; tests flip them at run time
(``app.modes.in_trash = "honour"``) to show a client is correct under every one.
"""

from __future__ import annotations

from dataclasses import dataclass

IN_TRASH_MODES = ("reject", "ignore", "honour")
RATE_LIMIT_REASONS = ("public_api_request_rate_limit", "public_api_space_request_rate_limit",
                      "public_api_endpoint_rate_limit", "public_api_request_blocked")


@dataclass
class NotionModes:
    # `in_trash`/`archived` in a query body: "reject" = 400 validation_error "body.in_trash should be
    # not present" (version 2026-03-11), "ignore" = dropped, live pages come back, "honour" = only
    # trashed pages come back (undocumented; notion-sdk-js #524, notion-sdk-py #272).
    in_trash: str = "reject"
    # A relation cut at 25 references in a page object: False = only the 25 ids come back (as the
    # SDK types show); True = with a sibling `has_more: true` (as the docs' examples show).
    relation_has_more: bool = False
    # Serve version 2026-12-01's behaviour whatever version is asked for (it can be adopted early):
    # search and query return only the title property unless `filter_properties` is sent (data
    # source schemas in search results too, the strictest reading), and a person's `name` is null.
    serve_2026_12_01: bool = True
    # Results one query (its filter + sort) can reach: past it `has_more` is false and every page
    # of the result says `request_status: incomplete` (10,000 in the API; tests use a small one).
    query_cap: int = 10_000
    # The `additional_data.rate_limit_reason` of an injected 429 (the `rate_limit` fault).
    rate_limit_reason: str = "public_api_request_rate_limit"

    def check(self) -> None:
        """Fail loudly on a mode name a test mistyped."""
        if self.in_trash not in IN_TRASH_MODES:
            raise ValueError(f"in_trash mode {self.in_trash!r}: one of {IN_TRASH_MODES}")
        if self.rate_limit_reason not in RATE_LIMIT_REASONS:
            raise ValueError(f"rate_limit_reason {self.rate_limit_reason!r}: one of "
                             f"{RATE_LIMIT_REASONS}")
        if self.query_cap < 1:
            raise ValueError(f"query_cap {self.query_cap}: at least 1")
