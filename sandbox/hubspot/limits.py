"""How the rate limits show: the ``X-HubSpot-RateLimit-*`` headers and the 429 naming the policy.

The limits themselves (burst, search, daily budget) are the app's attributes; ``app.before``
decides which one a request hits.
"""

from __future__ import annotations

import uuid

from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import Response

DAILY_LIMIT = 250_000


def limit_headers(limit: SlidingWindowLimit, daily_limit: int, daily_used: int) -> dict[str, str]:
    """The headers every answer but search's carries: the burst window (its size, its budget,
    what is left of it) and the daily budget.

    With the limits lifted (``set_rate_limits(False)``) the burst headers are left out: the
    stand-in then plays an account without a burst limit, and a client that paces by the
    headers must not take the lifted limit's number for its budget.
    """
    headers = {
        "X-HubSpot-RateLimit-Daily": str(daily_limit),
        "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, daily_limit - daily_used)),
    }
    if not limit.enabled:
        return headers
    remaining = max(0, limit.remaining())
    return {
        **headers,
        "X-HubSpot-RateLimit-Interval-Milliseconds": str(round(limit.window * 1000)),
        "X-HubSpot-RateLimit-Max": str(limit.limit),
        "X-HubSpot-RateLimit-Remaining": str(remaining),
        # deprecated, still sent
        "X-HubSpot-RateLimit-Secondly": str(limit.limit // 10),
        "X-HubSpot-RateLimit-Secondly-Remaining": str(remaining // 10),
    }


def rate_limit_response(search: bool = False, daily: bool = False) -> Response:
    """HubSpot's 429: no Retry-After, the policy in the body (the caller adds headers)."""
    if daily:
        message, policy = "You have reached your daily limit.", "DAILY"
    elif search:
        message, policy = "You have reached your secondly limit.", "SECONDLY"
    else:
        message, policy = ("You have reached your ten_secondly_rolling limit.",
                           "TEN_SECONDLY_ROLLING")
    return Response(429, {"status": "error", "message": message,
                          "errorType": "RATE_LIMIT", "category": "RATE_LIMITS",
                          "correlationId": str(uuid.uuid4()), "policyName": policy})
