"""Behaviours of the real Notion API that the public evidence leaves open, one switch each.

Each defaults to the strictest plausible behaviour; tests flip them at run time
(``app.modes.in_trash = "honour"``) to show a client is correct under every one.
"""

from __future__ import annotations

from dataclasses import dataclass

IN_TRASH_MODES = ("reject", "ignore", "honour")


@dataclass
class NotionModes:
    # `in_trash`/`archived` in a query body: "reject" = 400 validation_error "body.in_trash should be
    # not present" (version 2026-03-11), "ignore" = dropped, live pages come back, "honour" = only
    # trashed pages come back (undocumented; notion-sdk-js #524, notion-sdk-py #272).
    in_trash: str = "reject"
    # A relation cut at 25 references in a page object: False = only the 25 ids come back (as the
    # SDK types show); True = with a sibling `has_more: true` (as the docs' examples show).
    relation_has_more: bool = False

    def check(self) -> None:
        """Fail loudly on a mode name a test mistyped."""
        if self.in_trash not in IN_TRASH_MODES:
            raise ValueError(f"in_trash mode {self.in_trash!r}: one of {IN_TRASH_MODES}")
