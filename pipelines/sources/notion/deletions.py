"""Pages that dropped out of a data source's default query: trashed, archived, hidden, restored.

Whether a query body's ``in_trash`` returns trashed pages is undocumented, and version
2026-03-11 rejects the field, so removals are found by comparison instead: one id-only query
(``filter_properties=title``, 100 pages per request) lists a data source's live pages, the
warehouse says which pages it holds, and each difference is read with ``GET /v1/pages/{id}``:
``in_trash`` tells a trashed page, a 404 a page the integration can no longer see, and a page
the warehouse holds as gone that is listed again was restored.

Archived is not trashed: an archived page (``is_archived``) leaves default queries but stays in
Notion. One query of the archive partition (``is_archived: true``) lists them with their values,
so they are told apart without a request per page, loaded flagged ``is_archived`` (the marts keep
them in the history) and never taken for trashed. State keeps only the time of the last sweep
(``swept_at``); ``trash_sweep_hours`` spaces sweeps out (0 sweeps on every run,
``pipelines.runtime.dates.sweep_due``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pipelines.runtime.context import RunContext
from pipelines.runtime.warehouse import stored_records
from pipelines.sources.notion.client import NotionClient
from pipelines.sources.notion.rows import PAGE_COLUMNS, PAGES_TABLE, page_row

log = logging.getLogger("prp.notion")

TITLE_ONLY = ["title"]  # a title property's id is always "title": the smallest page objects


@dataclass
class SweepResult:
    """What one data source's sweep found."""

    gone: list[dict[str, Any]] = field(default_factory=list)      # page rows to mark in_trash
    reread: list[dict[str, Any]] = field(default_factory=list)    # full page objects to load


@dataclass
class Held:
    """A data source's pages as the warehouse holds them, by state."""

    rows: dict[str, dict[str, Any]]

    def ids(self, *, trashed: bool = False, archived: bool = False) -> set[str]:
        return {pid for pid, row in self.rows.items()
                if bool(row.get("in_trash")) == trashed
                and (trashed or bool(row.get("is_archived")) == archived)}

    @property
    def knows_archive(self) -> bool:
        """Whether the stored table has the ``is_archived`` column (older ones do not)."""
        return any("is_archived" in row for row in self.rows.values())


def archived_pages(client: NotionClient, data_source_id: str, property_ids: list[str],
                   held: Held | None) -> tuple[set[str], list[dict[str, Any]]]:
    """The ids in a data source's archive, and the archived pages to load (all without ``held``)."""
    listed = list(client.query(data_source_id, {"is_archived": True}, property_ids))
    known = held.ids(archived=True) if held is not None else set()
    return {page["id"] for page in listed}, [page for page in listed if page["id"] not in known]


def held_pages(data_source_id: str) -> Held:
    rows = stored_records(PAGES_TABLE, "data_source_id = %s", (data_source_id,))
    return Held({row["page_id"]: row for row in rows})


def sweep(client: NotionClient, data_source_id: str, property_ids: list[str],
          read_this_run: set[str], run: RunContext) -> SweepResult:
    """Read the archive, compare the live page ids with the warehouse, read each difference."""
    result = SweepResult()
    held = held_pages(data_source_id)
    archived, to_load = archived_pages(client, data_source_id, property_ids, held)
    for page in to_load:
        if page["id"] in held.rows:
            log.info("notion: page %s was archived; kept, flagged archived", page["id"])
        result.reread.append(page)
    if not held.rows:
        return result  # nothing loaded yet: this run's read is complete
    listed = {page["id"] for page in client.query(data_source_id, {}, TITLE_ONLY)}
    # the id scan is the API's own count of live pages: checked against the warehouse after load
    live_where = "data_source_id = %s and not coalesce(in_trash, false)"
    if held.knows_archive:
        live_where += " and not coalesce(is_archived, false)"
    run.expect(PAGES_TABLE, data_source_id, len(listed), live_where, (data_source_id,))
    # held live or archived, yet in neither list: trashed, hidden or moved
    unexplained = (held.ids() | held.ids(archived=True)) - listed - archived - read_this_run
    for page_id in sorted(unexplained):
        _missing(client, page_id, held, result, run)
    back = (held.ids(trashed=True) | held.ids(archived=True)) & listed
    for page_id in sorted(back - read_this_run):
        page = client.page(page_id)
        if page is not None and not page.get("in_trash") and not page.get("is_archived"):
            log.info("notion: page %s is back from the trash or the archive; loading it again",
                     page_id)
            result.reread.append(page)
    return result


def _missing(client: NotionClient, page_id: str, held: Held, result: SweepResult,
             run: RunContext) -> None:
    """A held page neither query lists: trashed, hidden from the integration, or moved."""
    page = client.page(page_id)
    if page is None:
        run.warn(log, f"notion: page {page_id} is no longer shared with the integration "
                      "(404); marking it gone")
        result.gone.append(_lost_row(held.rows[page_id]))
    elif page.get("in_trash"):
        log.info("notion: page %s was moved to the trash", page_id)
        result.gone.append(page_row(page))
    else:
        result.reread.append(page)  # live (or archived) elsewhere: moved to another data source


def _lost_row(stored: dict[str, Any]) -> dict[str, Any]:
    """The held row of a page the integration lost access to, marked gone."""
    row = {column: stored.get(column) for column in PAGE_COLUMNS if column in stored}
    return {**row, "in_trash": True, "access_lost": True}
