"""The Notion endpoints the source reads (version 2026-03-11, shaped for 2026-12-01), on dlt's
REST client.

Lists follow ``next_cursor`` with dlt's cursor paginator: in the JSON body of POST queries and
searches, as a query parameter of GET property items. Property ids go into paths exactly as
Notion returns them: they are already URL-encoded, and Notion decodes a path once, so encoding
them again would name a property that does not exist (404).

Every query names the properties it wants (``filter_properties``: from 2026-12-01 a query without
it returns the title only), asks for pages only (``result_type``: a wiki lists its child data
sources too), and reads past the 10,000-result cap of one query in ``created_time`` windows.
Requests are paced to Notion's 60-second window; a 429 says which limit was hit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import requests
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from pipelines.runtime.errors import PipelineError
from pipelines.runtime.http import (
    ApiClient,
    PacedSession,
    RunMetrics,
    WindowPacer,
    cursor_paginator,
)
from pipelines.runtime.logs import register_secret

log = logging.getLogger("prp.notion")

PAGE_SIZE = 100  # Notion's maximum for every list
WINDOW_S = 60.0  # Notion counts requests per connection per 60-second window
SPACE_LIMIT = "public_api_space_request_rate_limit"  # the workspace's limit, shared by connections
BLOCKED = "public_api_request_blocked"  # retrying does not help: Notion support must lift it
OLDEST_FIRST = [{"timestamp": "created_time", "direction": "ascending"}]


class QueryCapError(PipelineError):
    """A query reached Notion's result cap and the rest cannot be read in windows."""


def _body_cursor() -> JSONResponseCursorPaginator:
    return cursor_paginator("next_cursor", cursor_body_path="start_cursor", has_more_path="has_more")


def _param_cursor() -> JSONResponseCursorPaginator:
    return cursor_paginator("next_cursor", cursor_param="start_cursor", has_more_path="has_more")


def _incomplete(page: Any) -> bool:
    """A list response served from a result cut at Notion's cap (``request_status`` is optional)."""
    status = page.response.json().get("request_status") or {}
    return status.get("type") == "incomplete"


def _and(condition: dict[str, Any] | None, extra: dict[str, Any]) -> dict[str, Any]:
    """``condition`` and ``extra`` (one compound level, as Notion nests at most two)."""
    if not condition:
        return extra
    if list(condition) == ["and"]:
        return {"and": [*condition["and"], extra]}
    return {"and": [condition, extra]}


def rate_limit_reason(response: requests.Response) -> str | None:
    """``additional_data.rate_limit_reason`` of a 429, if the body carries it."""
    try:
        body = response.json()
    except ValueError:
        return None
    data = body.get("additional_data") if isinstance(body, dict) else None
    return data.get("rate_limit_reason") if isinstance(data, dict) else None


class NotionClient:
    """Search, data source queries, pages and page property items, paced to Notion's window."""

    def __init__(self, base_url: str, api_key: str, version: str, *, requests_per_minute: int,
                 max_retries: int = 8, retry_after_max: float = 900.0,
                 metrics: RunMetrics | None = None):
        register_secret(api_key)
        # Notion's budget is per 60-second window: spend it as fast as the work allows, then
        # wait for the oldest request to leave the window
        self.pacer = WindowPacer(requests_per_minute, WINDOW_S)
        session = PacedSession("notion", pacer=self.pacer, max_retries=max_retries,
                               retry_after_max=retry_after_max, metrics=metrics,
                               pace_hint=self._on_response, final=self._blocked)
        self.api = ApiClient("notion", base_url, session, headers={
            "Authorization": f"Bearer {api_key}", "Notion-Version": version})

    # rate limits ----------------------------------------------------------------------------
    def _on_response(self, response: requests.Response) -> None:
        """Log which limit a 429 hit; the workspace's limit slows the rest of the run."""
        if response.status_code != 429:
            return None
        reason = rate_limit_reason(response) or "no reason given"
        log.warning("notion: rate limited (%s), Retry-After %s", reason,
                    response.headers.get("Retry-After", "not given"))
        if reason == SPACE_LIMIT and self.pacer.limit > 1:
            # other connections share the workspace's budget: leave them half of ours
            self.pacer.slow_to(max(1, self.pacer.limit // 2))
            log.warning("notion: the workspace's shared limit was hit; sending at most %d "
                        "requests per %.0f s for the rest of the run", self.pacer.limit, WINDOW_S)
        return None

    @staticmethod
    def _blocked(response: requests.Response) -> bool:
        """A 429 that must not be retried: Notion blocked the integration."""
        if response.status_code == 429 and rate_limit_reason(response) == BLOCKED:
            log.error("notion: Notion blocked this integration's requests (%s); not retrying. "
                      "Contact Notion support to lift the block", BLOCKED)
            return True
        return False

    # lists ----------------------------------------------------------------------------------
    def _list(self, method: str, path: str, *, body: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every page of a Notion list (dlt's paginator); each page keeps its response."""
        if method == "POST":
            return self.api.paginate(path, method="POST",
                                     json={**(body or {}), "page_size": PAGE_SIZE},
                                     params=params, paginator=_body_cursor(), data_selector="results")
        return self.api.paginate(path, params={**(params or {}), "page_size": PAGE_SIZE},
                                 paginator=_param_cursor(), data_selector="results")

    def _whole_list(self, method: str, path: str, **options: Any) -> Iterator[Any]:
        """A list that must be whole: a cut one fails instead of loading part of it."""
        for page in self._list(method, path, **options):
            if _incomplete(page):
                raise QueryCapError(f"notion: {path} returned an incomplete result "
                                    "(query_result_limit_reached); nothing of it was loaded")
            yield page

    def data_sources(self) -> list[dict[str, Any]]:
        """Every data source shared with the integration."""
        body = {"filter": {"property": "object", "value": "data_source"},
                "sort": {"timestamp": "last_edited_time", "direction": "ascending"}}
        return [ds for page in self._whole_list("POST", "/v1/search", body=body) for ds in page]

    def data_source(self, data_source_id: str) -> dict[str, Any]:
        """One data source with its whole schema."""
        return self.api.request_json("GET", f"/v1/data_sources/{data_source_id}")

    def query(self, data_source_id: str, body: dict[str, Any],
              filter_properties: list[str]) -> Iterator[dict[str, Any]]:
        """Every page of a data source matching ``body``, with the ``filter_properties`` (ids).

        Oldest first. One query reaches at most Notion's cap (10,000 results); past it the
        response says ``incomplete``, and the rest is read by a new query starting at the last
        ``created_time`` read (pages of that instant read twice are skipped). A window that
        gets no further fails the run: a silently partial table is never loaded.
        """
        path = f"/v1/data_sources/{data_source_id}/query"
        params = {"filter_properties": list(filter_properties)}
        since: str | None = None
        at_boundary: set[str] = set()  # ids read with created_time == since
        while True:
            condition = body.get("filter")
            if since is not None:
                condition = _and(condition, {"timestamp": "created_time",
                                             "created_time": {"on_or_after": since}})
            request = {**body, "sorts": OLDEST_FIRST, "result_type": "page"}
            if condition:
                request["filter"] = condition
            capped, new, last_time, last_ids = False, 0, since, set(at_boundary)
            for page in self._list("POST", path, body=request, params=params):
                capped = capped or _incomplete(page)
                for item in page:
                    if item.get("object") != "page" or item["id"] in at_boundary:
                        continue  # a child data source of a wiki, or read by the last window
                    new += 1
                    created = item["created_time"]
                    last_ids = last_ids | {item["id"]} if created == last_time else {item["id"]}
                    last_time = created
                    yield item
            if not capped:
                return
            if new == 0 or last_time is None:
                raise QueryCapError(
                    f"notion: a query of data source {data_source_id} reached Notion's result cap "
                    f"with every page created at {since or 'one instant'}; the rest cannot be "
                    "read in created_time windows, so nothing of it was loaded")
            log.info("notion: data source %s: a query reached Notion's result cap; reading on "
                     "from pages created on or after %s", data_source_id, last_time)
            since, at_boundary = last_time, last_ids

    def page(self, page_id: str) -> dict[str, Any] | None:
        """One page (trashed ones too), or None when the integration cannot see it (404)."""
        found = self.api.request_json("GET", f"/v1/pages/{page_id}", ok_statuses=(404,))
        return None if not found or found.get("object") == "error" else found

    # property items -------------------------------------------------------------------------
    def _property_path(self, page_id: str, property_id: str) -> str:
        return f"/v1/pages/{page_id}/properties/{property_id}"  # the id as returned: no quoting

    def property_list(self, page_id: str, property_id: str) -> list[dict[str, Any]]:
        """Every item of a relation or people property, past the 25 a page object carries."""
        pages = self._whole_list("GET", self._property_path(page_id, property_id))
        return [item[item["type"]] for page in pages for item in page]

    def rollup(self, page_id: str, property_id: str) -> dict[str, Any] | None:
        """A rollup's value over every reference, as a page object would show it.

        ``show_original`` puts the values in the items of every page (the metadata's array stays
        empty); a computed rollup's value is on the final page only (earlier ones say
        ``incomplete``); ``unsupported`` means the endpoint computes none.
        """
        summary: dict[str, Any] | None = None
        values: list[dict[str, Any]] = []
        for page in self._whole_list("GET", self._property_path(page_id, property_id)):
            summary = (page.response.json().get("property_item") or {}).get("rollup") or summary
            values += [{"type": item["type"], item["type"]: item.get(item["type"])} for item in page]
        if summary is None or summary.get("type") == "incomplete":
            return None  # no final value came: keep the page object's
        if summary.get("type") == "array":
            return {**summary, "array": values}
        return summary

    def formula(self, page_id: str, property_id: str) -> dict[str, Any] | None:
        """A formula's value computed over every reference."""
        item = self.api.request_json("GET", self._property_path(page_id, property_id))
        return (item or {}).get("formula")
