"""The HubSpot endpoints the hubspot source reads, paced under both of HubSpot's limits.

Two pacers share one session: everything but search stays under the per-app burst limit
(``requests_per_10s``, read as a sliding 10-second window), search under its own
requests-per-second limit. 429s and 5xx are retried with backoff by ``ApiClient``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests

from pipelines.common.http import ApiClient, ApiError
from pipelines.common.logs import register_secret

log = logging.getLogger("prp.hubspot")

LIST_PAGE_SIZE = 100
MAX_BATCH_INPUTS = 1_000


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


def _pace_hint(response: requests.Response) -> float | None:
    """Hold back when the burst window is nearly used up (other apps share it)."""
    remaining = response.headers.get("X-HubSpot-RateLimit-Remaining")
    if remaining is None or not remaining.isdigit():
        return None
    if int(remaining) <= 2:
        interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
        return max(0.5, int(interval) / 10_000) if interval.isdigit() else 1.0
    return None


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


class HubSpotClient:
    """List, search, associations and properties for one HubSpot account."""

    def __init__(self, base_url: str, api_key: str, *, requests_per_10s: int = 100,
                 search_requests_per_second: float = 4.0, backoff_base: float = 1.0,
                 max_properties_url_chars: int = 2000):
        register_secret(api_key)
        session = requests.Session()
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        # a token bucket of rate r and burst b sends at most b + 10r in any 10 s window
        rate = max(0.1, requests_per_10s * 0.85 / 10)
        self.api = ApiClient("hubspot", base_url, headers=headers, requests_per_second=rate,
                             burst=max(1, requests_per_10s // 20), retry_hint=_retry_hint,
                             pace_hint=_pace_hint, backoff_base=backoff_base, session=session)
        self.search_api = ApiClient("hubspot", base_url, headers=headers,
                                    requests_per_second=search_requests_per_second, burst=1,
                                    retry_hint=_retry_hint, backoff_base=backoff_base,
                                    session=session)
        self.max_properties_url_chars = max_properties_url_chars

    # list ---------------------------------------------------------------------------------
    def list_pages(self, object_type: str, properties: list[str], *,
                   archived: bool = False) -> Iterator[list[dict[str, Any]]]:
        """Every record of a type (or every archived one), a page at a time, by id.

        A property list too long for one URL is split; each part re-reads the same page and
        the parts are merged by record id.
        """
        groups = split_properties(properties, self.max_properties_url_chars) or [[]]
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": LIST_PAGE_SIZE, "archived": str(archived).lower()}
            if after:
                params["after"] = after
            first = self.api.request_json(
                "GET", f"/crm/v3/objects/{object_type}",
                params={**params, "properties": ",".join(groups[0])})
            records = first.get("results", [])
            by_id = {r["id"]: r for r in records}
            for group in groups[1:]:
                more = self.api.request_json(
                    "GET", f"/crm/v3/objects/{object_type}",
                    params={**params, "properties": ",".join(group)})
                for extra in more.get("results", []):
                    if extra["id"] in by_id:
                        by_id[extra["id"]].setdefault("properties", {}).update(
                            extra.get("properties") or {})
            if records:
                yield records
            after = ((first.get("paging") or {}).get("next") or {}).get("after")
            if not after or not records:
                return

    # search -------------------------------------------------------------------------------
    def search(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.search_api.request_json(
            "POST", f"/crm/v3/objects/{object_type}/search", json_body=body)

    # associations -------------------------------------------------------------------------
    def associations(self, from_type: str, to_type: str, ids: list[str],
                     batch_size: int = MAX_BATCH_INPUTS) -> dict[str, list[str]]:
        """``{from id: [to ids]}`` for every id (empty lists included), <= 1,000 ids a request."""
        batch_size = max(1, min(batch_size, MAX_BATCH_INPUTS))
        found: dict[str, list[str]] = {str(i): [] for i in ids}
        pending = [{"id": str(i)} for i in ids]
        while pending:
            batch, pending = pending[:batch_size], pending[batch_size:]
            body = self.api.request_json(
                "POST", f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                json_body={"inputs": batch}, ok_statuses=(207,)) or {}
            for result in body.get("results", []):
                from_id = str((result.get("from") or {}).get("id"))
                found.setdefault(from_id, []).extend(
                    str(t.get("toObjectId")) for t in result.get("to", []))
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after:  # more than one page of associations for this id
                    pending.append({"id": from_id, "after": after})
            for error in body.get("errors", []):
                if "NO_ASSOCIATIONS" not in str(error.get("subCategory", "")) and \
                        error.get("category") != "OBJECT_NOT_FOUND":
                    log.warning("hubspot: association read %s->%s: %s", from_type, to_type,
                                error.get("message"))
        return {k: sorted(set(v), key=_id_order) for k, v in found.items()}

    # properties ---------------------------------------------------------------------------
    def property_names(self, object_type: str) -> list[str]:
        """Every (non-archived) property HubSpot lists for the type."""
        body = self.api.request_json("GET", f"/crm/v3/properties/{object_type}")
        return [p["name"] for p in body.get("results", []) if p.get("name")]


def _id_order(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (1 << 62, value)
