"""HubSpot's error answers: ``BadRequest`` and the ``{"status": "error", ...}`` body."""

from __future__ import annotations

import uuid

from sandbox.server import Response

CATEGORIES = {400: "VALIDATION_ERROR", 401: "INVALID_AUTHENTICATION", 403: "MISSING_SCOPES",
              404: "OBJECT_NOT_FOUND", 414: "URI_TOO_LONG"}


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, category: str = "VALIDATION_ERROR"):
        super().__init__(message)
        self.status, self.category = status, category


def error_response(status: int, code: str, message: str, category: str | None = None) -> Response:
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
            "category": category or CATEGORIES.get(status, code.upper())}
    return Response(status, body)


SCOPES_LINK = "https://developers.hubspot.com/scopes"


def missing_scopes_response(scopes: list[str], key: str) -> Response:
    """HubSpot's 403 for a token without a scope: the scopes in ``errors[0].context[key]``."""
    body = {"status": "error",
            "message": "This app hasn't been granted all required scopes to make this call. "
                       f"Read more about required scopes here: {SCOPES_LINK}.",
            "correlationId": str(uuid.uuid4()),
            "errors": [{"message": "One or more of the following scopes are required.",
                        "context": {key: scopes}}],
            "links": {"scopes": SCOPES_LINK}, "category": "MISSING_SCOPES"}
    return Response(403, body)
