"""The HubSpot endpoints the source reads, on dlt's REST client, paced under both of HubSpot's limits.

Two paced sessions: everything but search stays under the per-app burst limit (a sliding
10-second window: ``requests_per_10s``, the tier, until the ``X-HubSpot-RateLimit-*`` headers
state the account's own budget and what is left of it), search under its own
requests-per-second limit (search answers carry no such headers). Paging is dlt's: the list
endpoint's ``paging.next.after`` cursor, the keyset search paginator (``search.py``) and the
association batch read's per-id continuation (``AssociationPaginator``). Paths are the date-versioned ones of
``api_version`` (``paths.py``). A 403 is ``MissingScopes``, naming the scopes HubSpot says the
key lacks, so the source can skip that object and load the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from dlt.sources.helpers.rest_client.paginators import BasePaginator

from pipelines.runtime.http import (
    ApiClient,
    ApiError,
    AuthError,
    PacedSession,
    RunMetrics,
    StatedWindow,
    WindowPacer,
    cursor_paginator,
    raise_api_error,
    window_pacer,
)
from pipelines.runtime.logs import register_secret
from pipelines.sources.hubspot.objects import id_order
from pipelines.sources.hubspot.paths import ApiPaths, checked_version
from pipelines.sources.hubspot.search import KeysetSearchPaginator

log = logging.getLogger("prp.hubspot")

LIST_PAGE_SIZE = 100
MAX_BATCH_INPUTS = 1_000
# a batch read answers 200 (2026-09: its errors in the same body), 201, or 207 (v4, 2026-03)
BATCH_OK = (200, 201, 207)


class MissingScopes(AuthError):
    """A 403: the Service Key (or legacy private app) lacks a scope this object needs."""

    def __init__(self, method: str, path: str, scopes: list[str], detail: str):
        self.scopes = scopes
        named = f"missing scope(s) {', '.join(scopes)}" if scopes else detail
        super().__init__("hubspot", method, path, 403, named)


def required_scopes(body: Any) -> list[str]:
    """The scopes a HubSpot 403 names (``errors[].context.requiredGranularScopes`` or the
    older ``requiredScopes``), in order, without repeats."""
    found: list[str] = []
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors if isinstance(errors, list) else []:
        context = error.get("context") if isinstance(error, dict) else None
        for key in ("requiredGranularScopes", "requiredScopes"):
            values = context.get(key) if isinstance(context, dict) else None
            found += [str(v) for v in values or [] if str(v) not in found]
    return found


def _retry_hint(response: requests.Response) -> float | None:
    """HubSpot sends no Retry-After; the policy in a 429 body says how long to wait."""
    if response.status_code != 429:
        return None
    try:
        policy = (response.json() or {}).get("policyName", "")
    except ValueError:
        return None
    if policy == "DAILY":  # waiting minutes will not help: it resets at the account's midnight
        request = response.request
        raise ApiError("hubspot", request.method or "?", urlsplit(request.url or "").path, 429,
                       "the account's daily API limit is used up; it resets at midnight in "
                       "the HubSpot account's time zone; run again then")
    return None  # TEN_SECONDLY_ROLLING / secondly: exponential backoff is right


def stated_window(response: requests.Response) -> StatedWindow | None:
    """The burst window as HubSpot states it: ``X-HubSpot-RateLimit-Max`` requests per
    ``-Interval-Milliseconds``, ``-Remaining`` of them left (counting earlier runs' and other
    apps' requests). Search answers carry none of them."""
    limit = response.headers.get("X-HubSpot-RateLimit-Max", "")
    remaining = response.headers.get("X-HubSpot-RateLimit-Remaining", "")
    interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "")
    if not (limit.isdigit() and remaining.isdigit()):
        return None
    window = int(interval) / 1000 if interval.isdigit() and int(interval) > 0 else 10.0
    return StatedWindow(int(limit), window, min(int(remaining), int(limit)))


def split_properties(names: list[str], max_chars: int) -> list[list[str]]:
    """Property names in groups whose comma-joined length stays within ``max_chars``."""
    groups: list[list[str]] = []
    current: list[str] = []
    length = 0
    for name in names:
        extra = len(name) + (3 if current else 0)  # a comma travels as %2C
        if current and length + extra > max_chars:
            groups.append(current)
            current, length = [], 0
            extra = len(name)
        current.append(name)
        length += extra
    if current:
        groups.append(current)
    return groups


class AssociationPaginator(BasePaginator):
    """The association batch read's paging: ids with more than one page of associations come back with
    ``paging.next.after``; the next request asks for exactly those ids from there."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[dict[str, str]] = []

    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        self.pending = [{"id": str((r.get("from") or {}).get("id")), "after": str(after)}
                        for r in data or []
                        if (after := ((r.get("paging") or {}).get("next") or {}).get("after"))]
        self._has_next_page = bool(self.pending)

    def update_request(self, request: requests.Request) -> None:
        request.json = {"inputs": self.pending}


class HubSpotApi(ApiClient):
    """``ApiClient`` whose 403 is ``MissingScopes`` with the scopes the body names."""

    def _error_hook(self, ok_statuses: tuple[int, ...] = ()) -> Callable[..., None]:
        def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            if response.status_code == 403 and 403 not in ok_statuses:
                raise _missing_scopes(response)
            if response.status_code >= 400 and response.status_code not in ok_statuses:
                raise_api_error(self.api, response)
        return check


def _missing_scopes(response: requests.Response) -> MissingScopes:
    try:
        body = response.json()
    except ValueError:
        body = {}
    request = response.request
    detail = str(body.get("message") if isinstance(body, dict) else "")[:200] or "forbidden"
    return MissingScopes(request.method or "?", urlsplit(request.url or "").path,
                         required_scopes(body), detail)


def _next_after(response: requests.Response) -> str | None:
    return ((response.json().get("paging") or {}).get("next") or {}).get("after")


class HubSpotClient:
    """List, search, associations and properties for one HubSpot account."""

    def __init__(self, base_url: str, api_key: str, *, requests_per_10s: int = 100,
                 search_requests_per_second: float = 5.0, backoff_base: float = 1.0,
                 max_properties_url_chars: int = 2000, search_retry_window: float = 1.0,
                 max_retries: int = 8, metrics: RunMetrics | None = None,
                 api_version: str | None = None):
        register_secret(api_key)
        self.paths = ApiPaths(checked_version(api_version))
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        # the burst limit is a sliding 10 s window: mirror it, so the work overlaps the waiting;
        # ``requests_per_10s`` (the tier: 100 Free/Starter, 190 Professional/Enterprise) holds
        # until HubSpot's headers state the account's own budget
        burst = PacedSession("hubspot", pacer=WindowPacer(max(1, requests_per_10s), 10.0),
                             retry_hint=_retry_hint, window_hint=stated_window,
                             backoff_base=backoff_base, max_retries=max_retries, metrics=metrics)
        # search has its own per-second limit and sends no rate-limit headers
        search = PacedSession("hubspot", pacer=window_pacer(search_requests_per_second, 1.0),
                              retry_hint=_retry_hint, backoff_base=backoff_base,
                              retry_window=search_retry_window, max_retries=max_retries,
                              metrics=metrics)
        self.api = HubSpotApi("hubspot", base_url, burst, headers=headers)
        self.search_api = HubSpotApi("hubspot", base_url, search, headers=headers)
        self.max_properties_url_chars = max_properties_url_chars
        self._property_types: dict[str, dict[str, str]] = {}

    def list_pages(self, object_type: str, properties: list[str], *,
                   archived: bool = False) -> Iterator[list[dict[str, Any]]]:
        """Every record of a type (or every archived one), a page at a time, by id.

        A property list too long for one URL is split; each further part re-reads the same
        page (same ``after``) and the parts are merged by record id.
        """
        groups = split_properties(properties, self.max_properties_url_chars) or [[]]
        path = self.paths.objects(object_type)
        params = {"limit": LIST_PAGE_SIZE, "archived": str(archived).lower()}
        paginator = cursor_paginator("paging.next.after", cursor_param="after")
        after: str | None = None
        for page in self.api.paginate(path, params={**params, "properties": ",".join(groups[0])},
                                      paginator=paginator, data_selector="results"):
            records = list(page)
            for group in groups[1:]:
                self._add_properties(path, {**params, **({"after": after} if after else {}),
                                            "properties": ",".join(group)}, records)
            if records:
                yield records
            after = _next_after(page.response)

    def list_ids(self, object_type: str) -> set[str]:
        """Every live record id of a type: the list endpoint asked for ``hs_object_id`` only."""
        return {str(r["id"]) for page in self.list_pages(object_type, ["hs_object_id"])
                for r in page}

    def _add_properties(self, path: str, params: dict[str, Any],
                        records: list[dict[str, Any]]) -> None:
        by_id = {r["id"]: r for r in records}
        more = self.api.request_json("GET", path, params=params) or {}
        for extra in more.get("results", []):
            if extra["id"] in by_id:
                by_id[extra["id"]].setdefault("properties", {}).update(
                    extra.get("properties") or {})

    def search_total(self, object_type: str) -> int:
        """How many live records of a type HubSpot holds: search's ``total`` (one request)."""
        body = self.search_api.request_json("POST", self.paths.search(object_type),
                                            json={"limit": 1, "properties": ["hs_object_id"]})
        return int((body or {}).get("total") or 0)

    def search_pages(self, object_type: str, cursor_property: str, properties: list[str],
                     since_ms: int, until_ms: int | None, page_size: int
                     ) -> Iterator[list[dict[str, Any]]]:
        """Records with ``since_ms <= last-modified (< until_ms)``, oldest first, each version
        once, paged by key (``search.KeysetSearchPaginator``)."""
        paginator = KeysetSearchPaginator(cursor_property, since_ms, until_ms)
        body = {"properties": properties, "limit": page_size}
        for page in self.search_api.paginate(self.paths.search(object_type),
                                             method="POST", json=body, paginator=paginator,
                                             data_selector="results"):
            if page:
                yield list(page)

    def associations(self, from_type: str, to_type: str,
                     ids: list[str]) -> dict[str, list[str]]:
        """``{from id: [to ids]}`` for up to 1,000 ids (every id, empty lists included)."""
        if len(ids) > MAX_BATCH_INPUTS:
            raise ValueError(f"at most {MAX_BATCH_INPUTS} ids per association batch read")
        found: dict[str, list[str]] = {str(i): [] for i in ids}
        path = self.paths.association_batch_read(from_type, to_type)
        for page in self.api.paginate(path, method="POST",
                                      json={"inputs": [{"id": str(i)} for i in ids]},
                                      paginator=AssociationPaginator(), data_selector="results",
                                      ok_statuses=BATCH_OK):
            for result in page:
                from_id = str((result.get("from") or {}).get("id"))
                found.setdefault(from_id, []).extend(
                    [str(t.get("toObjectId")) for t in result.get("to") or ()])
            _log_association_errors(page.response, from_type, to_type)
        # most records have one association or none: nothing to order or repeat
        return {k: v if len(v) < 2 else sorted(set(v), key=id_order) for k, v in found.items()}

    def property_types(self, object_type: str) -> dict[str, str]:
        """Every (non-archived) property HubSpot lists for the type, name -> type (``datetime``,
        ``string``...); one request per type and client."""
        if object_type not in self._property_types:
            body = self.api.request_json("GET", self.paths.properties(object_type)) or {}
            self._property_types[object_type] = {
                str(p["name"]): str(p.get("type") or "") for p in body.get("results", [])
                if p.get("name")}
        return self._property_types[object_type]

    def property_names(self, object_type: str) -> list[str]:
        """Every (non-archived) property HubSpot lists for the type."""
        return list(self.property_types(object_type))


def _log_association_errors(response: requests.Response, from_type: str, to_type: str) -> None:
    """Errors come in a 207's body or, from 2026-09, in a 200's: ids without associations are
    expected; anything else is worth a line."""
    for error in (response.json() or {}).get("errors") or []:
        if "NO_ASSOCIATIONS" not in str(error.get("subCategory", "")) and \
                error.get("category") != "OBJECT_NOT_FOUND":
            log.warning("hubspot: association read %s->%s: %s", from_type, to_type,
                        error.get("message"))
