"""Trash and restore, found without asking a query for trashed pages.

Whether a query body's ``in_trash`` returns trashed pages is undocumented, and version
2026-03-11 rejects the field, so removals are found by comparison instead: one id-only query
(``filter_properties=title``, 100 pages per request) lists a data source's live pages, the
warehouse says which pages it holds, and each difference is read with ``GET /v1/pages/{id}``:
``in_trash`` tells a trashed page, a 404 a page the integration can no longer see, and a page
the warehouse holds as gone that is listed again was restored. State keeps only the time of the
last sweep (``swept_at``); ``trash_sweep_hours`` spaces sweeps out (0 sweeps on every run,
``pipelines.runtime.dates.sweep_due``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pipelines.runtime.context import RunContext
from pipelines.runtime.warehouse import stored_rows, stored_values
from pipelines.sources.notion.client import NotionClient
from pipelines.sources.notion.rows import PAGES_TABLE, page_row

log = logging.getLogger("prp.notion")

STORED_PAGE_COLUMNS = ("page_id", "data_source_id", "database_id", "title", "created_time",
                       "last_edited_time", "url")


@dataclass
class SweepResult:
    """What one data source's sweep found."""

    gone: list[dict[str, Any]] = field(default_factory=list)      # page rows to mark in_trash
    reread: list[dict[str, Any]] = field(default_factory=list)    # full page objects to load


def sweep(client: NotionClient, data_source_id: str, read_this_run: set[str],
          run: RunContext) -> SweepResult:
    """Compare a data source's live page ids with the warehouse; read each difference."""
    result = SweepResult()
    held_live = stored_values(PAGES_TABLE, "page_id",
                              "data_source_id = %s and not coalesce(in_trash, false)",
                              (data_source_id,))
    held_gone = stored_values(PAGES_TABLE, "page_id",
                              "data_source_id = %s and coalesce(in_trash, false)", (data_source_id,))
    if not held_live and not held_gone:
        return result  # nothing loaded yet: this run's read is complete
    listed = {page["id"] for page in client.query(data_source_id, {}, filter_properties=["title"])}
    # the id scan is the API's own count of live pages: checked against the warehouse after load
    run.expect(PAGES_TABLE, data_source_id, len(listed),
               "data_source_id = %s and not coalesce(in_trash, false)", (data_source_id,))
    for page_id in sorted(held_live - listed - read_this_run):
        _missing(client, page_id, result, run)
    for page_id in sorted((held_gone & listed) - read_this_run):
        page = client.page(page_id)
        if page is not None and not page.get("in_trash"):
            log.info("notion: page %s is back from the trash; loading it again", page_id)
            result.reread.append(page)
    return result


def _missing(client: NotionClient, page_id: str, result: SweepResult, run: RunContext) -> None:
    """A held page no query lists: trashed, hidden from the integration, or moved."""
    page = client.page(page_id)
    if page is None:
        run.warn(log, f"notion: page {page_id} is no longer shared with the integration "
                      "(404); marking it gone")
        result.gone.extend(_lost_row(page_id))
    elif page.get("in_trash"):
        log.info("notion: page %s was moved to the trash", page_id)
        result.gone.append(page_row(page))
    else:
        result.reread.append(page)  # live elsewhere (moved to another data source)


def _lost_row(page_id: str) -> list[dict[str, Any]]:
    """The held row of a page the integration lost access to, marked gone."""
    rows = stored_rows(PAGES_TABLE, ", ".join(STORED_PAGE_COLUMNS), "page_id = %s", (page_id,))
    return [{**dict(zip(STORED_PAGE_COLUMNS, row, strict=True)), "in_trash": True,
             "access_lost": True} for row in rows[:1]]
