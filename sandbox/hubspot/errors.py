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
