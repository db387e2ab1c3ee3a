"""Google OAuth for the Fitbit source: refresh grants, rotation, and the code + PKCE flow.

Access tokens last an hour; a refresh grant may (for some providers, always) return a new
refresh token, which is persisted through the configured token store before the caller makes
any data request. ``invalid_grant`` means the stored refresh token is expired or revoked:
the fix is to re-authorise with ``prp auth fitbit``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from pipelines.common.errors import ConfigurationError, PipelineError
from pipelines.common.http import ApiClient
from pipelines.common.logs import register_secret
from pipelines.common.token_store import TokenStore

log = logging.getLogger("prp.fitbit.oauth")

SECTION = "sources.fitbit"
SCOPE_PREFIX = "https://www.googleapis.com/auth/googlehealth."
SCOPES = tuple(SCOPE_PREFIX + s for s in (
    "activity_and_fitness.readonly", "health_metrics_and_measurements.readonly",
    "sleep.readonly", "profile.readonly", "settings.readonly",
))
REAUTHORISE_HINT = ("re-authorise with `prp auth fitbit` (it stores a new refresh token in "
                    "sources.fitbit.refresh_token)")


@dataclass
class TokenResponse:
    access_token: str
    refresh_token: str | None
    expires_in: int


def token_request(client: ApiClient, token_url: str, form: dict[str, str]) -> TokenResponse:
    """POST a grant to the token endpoint; OAuth errors become actionable exceptions."""
    body = client.request_json("POST", token_url, data=form, ok_statuses=(400, 401))
    if not isinstance(body, dict) or "access_token" not in body:
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description", "") if isinstance(body, dict) else ""
        if error == "invalid_grant":
            raise ConfigurationError(
                f"fitbit: the refresh token was rejected (invalid_grant: {description}); "
                f"it expired or access was revoked: {REAUTHORISE_HINT}")
        if error == "invalid_client":
            raise ConfigurationError(
                "fitbit: the OAuth client was rejected (invalid_client): check "
                "sources.fitbit.client_id and sources.fitbit.client_secret")
        raise PipelineError(f"fitbit: token request failed: {error or 'unexpected answer'} "
                            f"{description}".strip())
    access = str(body["access_token"])
    register_secret(access)
    refresh = body.get("refresh_token")
    if refresh:
        register_secret(str(refresh))
    return TokenResponse(access, str(refresh) if refresh else None,
                         int(body.get("expires_in") or 3600))


class TokenManager:
    """Holds the current access token and refreshes it, persisting rotated refresh tokens."""

    def __init__(self, client: ApiClient, token_url: str, client_id: str, client_secret: str,
                 refresh_token: str, store: TokenStore):
        for value in (client_secret, refresh_token):
            register_secret(value)
        self.client = client
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.store = store
        self.access_token: str | None = None

    def refresh(self) -> str:
        """A fresh access token; a rotated refresh token is stored before this returns."""
        response = token_request(self.client, self.token_url, {
            "grant_type": "refresh_token", "refresh_token": self.refresh_token,
            "client_id": self.client_id, "client_secret": self.client_secret,
        })
        if response.refresh_token and response.refresh_token != self.refresh_token:
            self.store.save(SECTION, "refresh_token", response.refresh_token)
            self._warn_if_environment_shadows(response.refresh_token)
            self.refresh_token = response.refresh_token
            log.info("fitbit: the refresh token was rotated; the new one is stored in %s",
                     self.store.describe())
        self.access_token = response.access_token
        return self.access_token

    def _warn_if_environment_shadows(self, new_token: str) -> None:
        """An environment variable outranks the secrets file: keep this process consistent."""
        name = "SOURCES__FITBIT__REFRESH_TOKEN"
        if os.environ.get(name) == self.refresh_token:
            os.environ[name] = new_token
            log.warning("fitbit: %s is set and takes precedence over the stored refresh token; "
                        "update it (the old value no longer works where tokens rotate)", name)

    def header(self) -> dict[str, str]:
        if self.access_token is None:
            self.refresh()
        return {"Authorization": f"Bearer {self.access_token}"}
