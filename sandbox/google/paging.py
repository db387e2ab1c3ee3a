"""Page tokens: an opaque offset bound to the query that produced it."""

from __future__ import annotations

import base64
import binascii
import json

from sandbox.google.errors import ApiFailure


def encode_token(offset: int, query_key: str) -> str:
    raw = json.dumps({"o": offset, "q": query_key}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, query_key: str) -> int:
    """The offset in ``token`` (0 without one); a 400 when it is garbled or for another query."""
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, key = int(decoded["o"]), decoded["q"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ApiFailure(400, "Invalid page token.", "INVALID_PAGE_TOKEN") from None
    if key != query_key:
        raise ApiFailure(400, "The page token does not match the request parameters.",
                         "INVALID_PAGE_TOKEN")
    return offset
