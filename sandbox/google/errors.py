"""Google's error answers: ``ApiFailure`` and the ``google.rpc.Status`` body with ErrorInfo."""

from __future__ import annotations

from typing import Any

from sandbox.server import Response

SERVICE = "health.googleapis.com"
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
                502: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
QUOTA_MESSAGE = ("Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per "
                 f"user' of service '{SERVICE}'.")


class ApiFailure(Exception):
    """An error answer in Google's shape, with an optional ErrorInfo reason."""

    def __init__(self, status: int, message: str, reason: str | None = None,
                 grpc_status: str | None = None):
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason
        self.grpc_status = grpc_status or STATUS_NAMES.get(status, "UNKNOWN")


def error_response(status: int, code: str, message: str, reason: str | None = None,
                   method: str | None = None) -> Response:
    """``{"error": {code, message, status, details}}``; ``code`` is used when it is a gRPC name."""
    grpc = code if code.isupper() else STATUS_NAMES.get(status, "UNKNOWN")
    details = []
    if reason:
        metadata = {"service": SERVICE}
        if method:
            metadata["method"] = method
        details.append({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                        "domain": "googleapis.com", "metadata": metadata})
    body: dict[str, Any] = {"code": status, "message": message, "status": grpc}
    if details:
        body["details"] = details
    return Response(status, {"error": body})
