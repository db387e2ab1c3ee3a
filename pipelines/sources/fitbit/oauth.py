"""Google OAuth for the Fitbit source: an auth object that refreshes, rotates and retries a 401.

``GoogleOAuth`` is a requests ``AuthBase``: it puts the access token on every request, refreshes
it when it is about to expire (Google's last an hour) and, when the API still answers 401,
refreshes once and sends the request again. A refresh grant that returns a new refresh token
(Google normally does not; some set-ups rotate) has it persisted through the token store before
the grant returns, so before any data request that follows. The token response's ``scope``
says what the user granted: the source skips what is missing (granular consent).

``fitbit_injections(settings)`` is what the runner injects into ``fitbit_source``: the auth
object (secrets resolved by dlt, so a missing one fails naming its key) and the fallback time
zone. ``invalid_grant`` means the stored refresh token expired or was revoked: re-authorise.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import dlt
import requests
from dlt.common.configuration import with_config
from requests.auth import AuthBase

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.http import PacedSession
from pipelines.runtime.logs import register_secret
from pipelines.runtime.token_store import TokenStore
from pipelines.runtime.token_store import token_store as make_token_store

log = logging.getLogger("prp.fitbit.oauth")

SECTION = "sources.fitbit"
SCOPE_PREFIX = "https://www.googleapis.com/auth/googlehealth."
SCOPES = tuple(SCOPE_PREFIX + s for s in (
    "activity_and_fitness.readonly", "health_metrics_and_measurements.readonly",
    "sleep.readonly", "profile.readonly", "settings.readonly",
))
REAUTHORISE_HINT = ("re-authorise with `prp auth fitbit` (it stores a new refresh token in "
                    "sources.fitbit.refresh_token)")
EXPIRY_MARGIN_SECONDS = 60  # refresh a little early: a token must not expire mid-request


@dataclass
class TokenResponse:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scopes: frozenset[str] | None  # None: the response did not say


def token_grant(session: requests.Session, token_url: str, form: dict[str, str]) -> TokenResponse:
    """POST a grant to Google's token endpoint; OAuth errors become actionable exceptions."""
    response = session.post(token_url, data=form)
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code >= 300 or not isinstance(body, dict) or "access_token" not in body:
        raise _grant_error(response.status_code, body)
    access = str(body["access_token"])
    register_secret(access)
    refresh = body.get("refresh_token")
    if refresh:
        register_secret(str(refresh))
    scope = body.get("scope")
    return TokenResponse(access, str(refresh) if refresh else None,
                         int(body.get("expires_in") or 3600),
                         frozenset(str(scope).split()) if scope else None)


def _grant_error(status: int, body: Any) -> Exception:
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description", "") if isinstance(body, dict) else ""
    if error == "invalid_grant":
        return ConfigurationError(
            f"fitbit: the refresh token was rejected (invalid_grant: {description}); it "
            f"expired or access was revoked: {REAUTHORISE_HINT}")
    if error == "invalid_client":
        return ConfigurationError(
            "fitbit: the OAuth client was rejected (invalid_client): check "
            "sources.fitbit.client_id and sources.fitbit.client_secret")
    return PipelineError(f"fitbit: token request failed ({status}): "
                         f"{error or 'unexpected answer'} {description}".strip())


class GoogleOAuth(AuthBase):
    """Bearer auth for the Google Health API with refresh, rotation and one retry on 401."""

    def __init__(self, client_id: str, client_secret: str, refresh_token: str, token_url: str,
                 store: TokenStore, session: requests.Session):
        for value in (client_secret, refresh_token):
            register_secret(value)
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.token_url = token_url
        self.store = store
        self.session = session  # token requests, and the one re-send after a 401
        self.access_token: str | None = None
        self.expires_at = 0.0
        self.scopes: frozenset[str] | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Get a new access token; a rotated refresh token is stored before this returns."""
        with self._lock:
            response = token_grant(self.session, self.token_url, {
                "grant_type": "refresh_token", "refresh_token": self.refresh_token,
                "client_id": self.client_id, "client_secret": self.client_secret,
            })
            if response.refresh_token and response.refresh_token != self.refresh_token:
                self._persist(response.refresh_token)
            self.access_token = response.access_token
            self.expires_at = time.monotonic() + response.expires_in - EXPIRY_MARGIN_SECONDS
            self.scopes = response.scopes

    def _persist(self, new_token: str) -> None:
        self.store.save(SECTION, "refresh_token", new_token)
        name = "SOURCES__FITBIT__REFRESH_TOKEN"
        if os.environ.get(name) == self.refresh_token:
            # an environment variable outranks the stored token: keep this process consistent
            os.environ[name] = new_token
            log.warning("fitbit: %s is set and takes precedence over the stored refresh token; "
                        "update it (the old value no longer works where tokens rotate)", name)
        self.refresh_token = new_token
        log.info("fitbit: the refresh token was rotated; the new one is stored in %s",
                 self.store.describe())

    def granted(self, scope_suffix: str) -> bool:
        """Whether the grant includes ``googlehealth.<scope_suffix>`` (unknown counts as yes)."""
        return self.scopes is None or SCOPE_PREFIX + scope_suffix in self.scopes

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.access_token is None or time.monotonic() >= self.expires_at:
            self.refresh()
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        request.register_hook("response", self._retry_after_401)
        return request

    def _retry_after_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        """A 401 (token expired or revoked early): refresh once and send the request again."""
        if response.status_code != 401:
            return response
        log.info("fitbit: access token rejected (expired?); refreshing it once")
        self.refresh()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.access_token}"
        retry.hooks = {"response": []}  # the caller's hooks see the retried answer, once
        again = self.session.send(retry, **kwargs)
        again.history.insert(0, response)
        return again


@with_config(sections=("sources", "fitbit"))
def google_oauth(
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    refresh_token: str = dlt.secrets.value,
    token_url: str = dlt.config.value,
    token_store: str = "local",
    requests_per_second: float = 4.5,
) -> GoogleOAuth:
    """The auth object from ``[sources.fitbit]`` (a missing secret fails naming its key)."""
    session = PacedSession("fitbit", requests_per_second=float(requests_per_second))
    return GoogleOAuth(str(client_id), str(client_secret), str(refresh_token), str(token_url),
                       make_token_store(str(token_store)), session)


def fitbit_injections(settings: Any) -> dict[str, Any]:
    """What the runner hands ``fitbit_source``: the auth object and the personal time zone.

    A zone the person configured outranks the account's own; the machine's zone does not.
    """
    return {"auth": google_oauth(), "fallback_time_zone": settings.timezone,
            "configured_time_zone": settings.timezone if settings.timezone_configured else None}
