"""The Google Health API v4 endpoints the Fitbit source reads, on dlt's REST client.

Facts this relies on (see ``../shared/google-health-facts.md``): list and reconcile pages come
newest first and may be empty while still carrying a ``nextPageToken`` (dlt's cursor paginator
keeps going until the token is gone); sleep pages hold at most 25 sessions; ``dailyRollUp``
spans at most 14 days for active-minutes and total-calories and 90 for the others by the
discovery document, 14 for floors by a field report, and a range error halves the chunk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
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

    def points(self, data_type: str, *, reconcile: bool = False, filter_: str | None = None,
               page_size: int | None = None) -> Iterator[list[dict]]:
        """Pages of data points, newest first (``reconcile``: one stream across devices)."""
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
