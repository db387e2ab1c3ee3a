"""The Google Health API v4 as the Fitbit source reads it: paging, daily rollups, 401 retry.

Facts this relies on (see ``../shared/google-health-facts.md``): list pages come newest
first and may be empty while still carrying a ``nextPageToken``; sleep pages hold at most
25 sessions; ``dailyRollUp`` spans at most 14 days for active-minutes and total-calories
and 90 for the others; int64 values are JSON strings; access tokens last one hour.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from pipelines.common.http import ApiClient, AuthError
from pipelines.fitbit_oauth import REAUTHORISE_HINT, TokenManager

log = logging.getLogger("prp.fitbit.api")

ROLLUP_MAX_DAYS = {"active-minutes": 14, "total-calories": 14, "heart-rate": 14}
DEFAULT_ROLLUP_MAX_DAYS = 90
USER = "/v4/users/me"


def civil_date(value: date) -> dict[str, Any]:
    """A ``CivilDateTime`` at midnight (the ``date`` wrapper is required)."""
    return {"date": {"year": value.year, "month": value.month, "day": value.day}}


def chunks(start: date, end_exclusive: date, max_days: int) -> Iterator[tuple[date, date]]:
    """Closed-open ranges of at most ``max_days`` covering ``[start, end_exclusive)``."""
    cursor = start
    while cursor < end_exclusive:
        upper = min(end_exclusive, cursor + timedelta(days=max_days))
        yield cursor, upper
        cursor = upper


class HealthApi:
    """Authenticated calls to one Google Health origin; a 401 refreshes the token once."""

    def __init__(self, client: ApiClient, tokens: TokenManager):
        self.client = client
        self.tokens = tokens

    def call(self, method: str, path: str, *, params: Any = None, json_body: Any = None) -> Any:
        for attempt in range(2):
            try:
                return self.client.request_json(method, path, params=params, json_body=json_body,
                                                headers=self.tokens.header())
            except AuthError as exc:
                if exc.status == 403:
                    detail = str(exc).rsplit("): ", 1)[-1]
                    raise AuthError("fitbit", method, path, 403,
                                    f"{detail} The stored grant lacks a scope this source "
                                    f"needs: {REAUTHORISE_HINT}") from None
                if exc.status != 401 or attempt:
                    raise
                log.info("fitbit: access token rejected (expired?); refreshing it once")
                self.tokens.refresh()
        raise AssertionError("unreachable")

    def settings(self) -> dict:
        return self.call("GET", f"{USER}/settings") or {}

    def profile(self) -> dict:
        return self.call("GET", f"{USER}/profile") or {}

    def list_points(self, data_type: str, *, filter_: str | None = None,
                    page_size: int | None = None) -> Iterator[list[dict]]:
        """Pages of data points, newest first; follows tokens through empty pages."""
        params: dict[str, Any] = {}
        if filter_:
            params["filter"] = filter_
        if page_size:
            params["pageSize"] = page_size
        while True:
            body = self.call("GET", f"{USER}/dataTypes/{data_type}/dataPoints", params=params) or {}
            yield body.get("dataPoints") or []
            token = body.get("nextPageToken")
            if not token:
                return
            params = {**params, "pageToken": token}

    def daily_rollup(self, data_type: str, start: date, end_exclusive: date) -> Iterator[dict]:
        """One rollup element per local day in ``[start, end_exclusive)``, in few requests."""
        max_days = ROLLUP_MAX_DAYS.get(data_type, DEFAULT_ROLLUP_MAX_DAYS)
        path = f"{USER}/dataTypes/{data_type}/dataPoints:dailyRollUp"
        for lower, upper in chunks(start, end_exclusive, max_days):
            body: dict[str, Any] = {"range": {"start": civil_date(lower), "end": civil_date(upper)},
                                    "windowSizeDays": 1}
            while True:
                answer = self.call("POST", path, json_body=body) or {}
                yield from answer.get("rollupDataPoints") or []
                token = answer.get("nextPageToken")
                if not token:
                    break
                body = {**body, "pageToken": token}
