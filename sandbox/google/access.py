"""Who may call ``/v4/``: the bearer access token and the OAuth scope each path needs."""

from __future__ import annotations

from sandbox.google.errors import error_response
from sandbox.google.oauth import SCOPE_PREFIX, OAuthServer
from sandbox.server import Request, Response

# the data types table of the docs; every other type is activity_and_fitness (VO2 max,
# exercise, heart-rate zones and active zone minutes among them)
SCOPE_FOR = {
    "sleep": "sleep.readonly",
    **dict.fromkeys(("daily-resting-heart-rate", "daily-heart-rate-variability",
                     "daily-oxygen-saturation", "daily-respiratory-rate",
                     "daily-sleep-temperature-derivations", "weight", "body-fat"),
                    "health_metrics_and_measurements.readonly"),
}


def scope_for(request: Request) -> str | None:
    """The scope (without prefix) a request needs; any scope of its family will do."""
    data_type = request.params.get("dataType")
    if data_type:
        return SCOPE_FOR.get(data_type, "activity_and_fitness.readonly")
    if request.path.endswith("/profile"):
        return "profile.readonly"
    if request.path.endswith("/settings"):
        return "settings.readonly"
    return None


def access_denied(request: Request, oauth: OAuthServer) -> Response | None:
    """The 401 (missing, unknown or expired token) or 403 (missing scope), else ``None``."""
    auth = request.header("authorization") or ""
    if not auth.startswith("Bearer "):
        return error_response(401, "UNAUTHENTICATED", "Request is missing required "
                              "authentication credential. Expected OAuth 2 access token, login "
                              "cookie or other valid authentication credential.",
                              reason="CREDENTIALS_MISSING")
    token = oauth.check_access(auth.removeprefix("Bearer ").strip())
    if token is None:
        return error_response(401, "UNAUTHENTICATED", "Request had invalid authentication "
                              "credentials. Expected OAuth 2 access token, login cookie or other "
                              "valid authentication credential.",
                              reason="ACCESS_TOKEN_EXPIRED")
    needed = scope_for(request)
    family = SCOPE_PREFIX + (needed or "").split(".")[0]
    if needed and not any(s.startswith(family) for s in token.scopes):
        return error_response(403, "PERMISSION_DENIED", "Request had insufficient "
                              "authentication scopes.",
                              reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT")
    return None
