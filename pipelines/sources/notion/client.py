"""The Notion endpoints the source reads (API version 2025-09-03), on dlt's REST client.

Lists follow ``next_cursor`` with dlt's cursor paginator: in the JSON body of POST queries and
searches, as a query parameter of GET property items. Property ids go into paths exactly as
Notion returns them: they are already URL-encoded, and Notion decodes a path once, so encoding
them again would name a property that does not exist (404).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from pipelines.runtime.http import (
    ApiClient,
    PacedSession,
    RunMetrics,
    cursor_paginator,
    window_pacer,
)
from pipelines.runtime.logs import register_secret

log = logging.getLogger("prp.notion")

PAGE_SIZE = 100  # Notion's maximum for every list
NOTION_WINDOW_S = 10.0  # the window "an average of 3 requests/s" is averaged over (as the sandbox has it)


def _body_cursor() -> JSONResponseCursorPaginator:
    return cursor_paginator("next_cursor", cursor_body_path="start_cursor", has_more_path="has_more")


def _param_cursor() -> JSONResponseCursorPaginator:
    return cursor_paginator("next_cursor", cursor_param="start_cursor", has_more_path="has_more")


class NotionClient:
    """Search, data source queries, pages and page property items, paced under 3 requests/s."""

    def __init__(self, base_url: str, api_key: str, version: str, *, requests_per_second: float,
                 max_retries: int = 8, retry_after_max: float = 900.0,
                 metrics: RunMetrics | None = None):
        register_secret(api_key)
        # "an average of 3 requests/s, bursts allowed": the average over a 10 s window (as the
        # sandbox enforces it), so the work between requests overlaps the waiting
        session = PacedSession("notion", pacer=window_pacer(requests_per_second, NOTION_WINDOW_S),
                               max_retries=max_retries, retry_after_max=retry_after_max,
                               metrics=metrics)
        self.api = ApiClient("notion", base_url, session, headers={
            "Authorization": f"Bearer {api_key}", "Notion-Version": version})

    def _list(self, method: str, path: str, *, body: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every page of a Notion list (dlt's paginator); each page keeps its response."""
        if method == "POST":
            pages = self.api.paginate(path, method="POST", json={**(body or {}), "page_size": PAGE_SIZE},
                                      params=params, paginator=_body_cursor(), data_selector="results")
        else:
            pages = self.api.paginate(path, params={**(params or {}), "page_size": PAGE_SIZE},
                                      paginator=_param_cursor(), data_selector="results")
        for page in pages:
            status = page.response.json().get("request_status") or {}
            if status.get("type") == "incomplete":
                log.warning("notion: %s returned an incomplete result (%s)", path,
                            status.get("incomplete_reason"))
            yield page

    def data_sources(self) -> list[dict[str, Any]]:
        """Every data source shared with the integration."""
        body = {"filter": {"property": "object", "value": "data_source"},
                "sort": {"timestamp": "last_edited_time", "direction": "ascending"}}
        return [ds for page in self._list("POST", "/v1/search", body=body) for ds in page]

    def query(self, data_source_id: str, body: dict[str, Any],
              filter_properties: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Pages of a data source matching ``body``; only ``filter_properties`` (ids) when given."""
        params = {"filter_properties": filter_properties} if filter_properties else None
        for page in self._list("POST", f"/v1/data_sources/{data_source_id}/query", body=body,
                               params=params):
            yield from page

    def page(self, page_id: str) -> dict[str, Any] | None:
        """One page (trashed ones too), or None when the integration cannot see it (404)."""
        found = self.api.request_json("GET", f"/v1/pages/{page_id}", ok_statuses=(404,))
        return None if not found or found.get("object") == "error" else found

    def _property_path(self, page_id: str, property_id: str) -> str:
        return f"/v1/pages/{page_id}/properties/{property_id}"  # the id as returned: no quoting

    def property_list(self, page_id: str, property_id: str) -> list[dict[str, Any]]:
        """Every item of a relation or people property, past the 25 a page object carries."""
        pages = self._list("GET", self._property_path(page_id, property_id))
        return [item[item["type"]] for page in pages for item in page]

    def rollup(self, page_id: str, property_id: str) -> dict[str, Any] | None:
        """A rollup's value over every reference: the one on its last page (has_more false)."""
        value = None
        for page in self._list("GET", self._property_path(page_id, property_id)):
            value = (page.response.json().get("property_item") or {}).get("rollup", value)
        return value

    def formula(self, page_id: str, property_id: str) -> dict[str, Any] | None:
        """A formula's value computed over every reference."""
        item = self.api.request_json("GET", self._property_path(page_id, property_id))
        return (item or {}).get("formula")
