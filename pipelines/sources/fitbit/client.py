"""The Google Health API v4 endpoints the Fitbit source reads, on dlt's REST client.

Facts this relies on (see ``../shared/google-health-facts.md``): list pages come newest first
(``reconcile`` states no order, so nothing here relies on one) and may be empty while still
carrying a ``nextPageToken`` (dlt's cursor paginator keeps going until the token is gone); sleep
pages hold at most 25 sessions; ``dailyRollUp``
spans at most 14 days for active-minutes and total-calories and 90 for the others by the
discovery document, 14 for floors by a field report, and a range error halves the chunk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from requests.auth import AuthBase

from pipelines.runtime.http import (
    ApiClient,
    ApiError,
    PacedSession,
    RunMetrics,
    cursor_paginator,
    window_pacer,
)

log = logging.getLogger("prp.fitbit.client")

USER = "/v4/users/me"
# the discovery document's 14-day types, plus floors, which one field report measured at 14
ROLLUP_MAX_DAYS = {"active-minutes": 14, "total-calories": 14, "heart-rate": 14, "floors": 14}
DEFAULT_ROLLUP_MAX_DAYS = 90
SESSION_PAGE_SIZE = 25
LIST_PAGE_SIZE = 10000


def civil_date(value: date) -> dict[str, Any]:
    """A ``CivilDateTime`` at midnight (the ``date`` wrapper is required)."""
    return {"date": {"year": value.year, "month": value.month, "day": value.day}}


def rfc3339(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_filter_error(exc: ApiError) -> bool:
    """A 400 refusing the request's filter (a member the API does not take for this type)."""
    return exc.status == 400 and "filter" in str(exc).lower()


def is_range_error(exc: ApiError) -> bool:
    """A 400 about the request's range (too long for this type): worth a shorter chunk."""
    return exc.status == 400 and "range" in str(exc).lower()


class HealthClient:
    """Authenticated, paced calls to one Google Health origin."""

    def __init__(self, base_url: str, auth: AuthBase, *, requests_per_second: float = 5.0,
                 metrics: RunMetrics | None = None):
        # Google's quota is per minute: mirror the 60 s window, so the work overlaps the waiting
        session = PacedSession("fitbit", pacer=window_pacer(requests_per_second, 60.0),
                               metrics=metrics)
        self.api = ApiClient("fitbit", base_url, session, auth=auth)
        self.max_days = dict(ROLLUP_MAX_DAYS)  # shrinks when the API refuses a range

    def settings(self) -> dict:
        return self.api.request_json("GET", f"{USER}/settings") or {}

    def profile(self) -> dict:
        return self.api.request_json("GET", f"{USER}/profile") or {}

    def sleep_sessions(self, ends_from: datetime, ends_before: datetime) -> Iterator[list[dict]]:
        """Pages of reconciled sleep sessions, every one ending in ``[ends_from, ends_before)``.

        The read is bounded by the documented end-time filter. A live client saw every sleep
        filter member refused (July 2026); then every session is read, to the last page, since
        ``reconcile`` states no order that would let a read stop early. Either way the pages
        run to their end, so a session not returned is not there.
        """
        filter_ = (f'sleep.interval.end_time >= "{rfc3339(ends_from)}" AND '
                   f'sleep.interval.end_time < "{rfc3339(ends_before)}"')
        served = False
        try:
            for page in self.points("sleep", reconcile=True, filter_=filter_,
                                    page_size=SESSION_PAGE_SIZE):
                served = True
                yield page
            return
        except ApiError as exc:
            if served or not is_filter_error(exc):
                raise
            log.info("fitbit: sleep refused its end-time filter (%s); reading every session",
                     exc)
        yield from self.points("sleep", reconcile=True, page_size=SESSION_PAGE_SIZE)

    def points(self, data_type: str, *, reconcile: bool = False, filter_: str | None = None,
               page_size: int | None = None) -> Iterator[list[dict]]:
        """Pages of data points (``list``: newest first; ``reconcile``: one stream across
        devices, in no stated order)."""
        params: dict[str, Any] = {}
        if filter_:
            params["filter"] = filter_
        if page_size:
            params["pageSize"] = page_size
        action = ":reconcile" if reconcile else ""
        paginator = cursor_paginator("nextPageToken", cursor_param="pageToken")
        for page in self.api.paginate(f"{USER}/dataTypes/{data_type}/dataPoints{action}",
                                      params=params, paginator=paginator,
                                      data_selector="dataPoints"):
            yield list(page)

    def daily_rollup(self, data_type: str, start: date,
                     end_exclusive: date) -> Iterator[tuple[date, list[dict]]]:
        """(chunk end, elements) per request covering ``[start, end_exclusive)``, one element
        per local day; a range the API refuses is halved and asked again."""
        cursor = start
        while cursor < end_exclusive:
            days = self.max_days.get(data_type, DEFAULT_ROLLUP_MAX_DAYS)
            upper = min(end_exclusive, cursor + timedelta(days=days))
            try:
                elements = list(self._rollup_chunk(data_type, cursor, upper))
            except ApiError as exc:
                if not is_range_error(exc) or (upper - cursor).days <= 1:
                    raise
                self.max_days[data_type] = max(1, (upper - cursor).days // 2)
                log.info("fitbit: %s refused %d days at once (%s); asking for %d days",
                         data_type, (upper - cursor).days, exc, self.max_days[data_type])
                continue
            yield upper, elements
            cursor = upper

    def _rollup_chunk(self, data_type: str, start: date, end: date) -> Iterator[dict]:
        body = {"range": {"start": civil_date(start), "end": civil_date(end)},
                "windowSizeDays": 1}
        paginator = cursor_paginator("nextPageToken", cursor_body_path="pageToken")
        for page in self.api.paginate(f"{USER}/dataTypes/{data_type}/dataPoints:dailyRollUp",
                                      method="POST", json=body, paginator=paginator,
                                      data_selector="rollupDataPoints"):
            yield from page
