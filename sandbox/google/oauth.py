"""Google OAuth 2.0 as the pipeline meets it: refresh grants, the code + PKCE flow, 1-hour tokens.

Google normally returns no new refresh token on a refresh grant and lets a refresh token be
reused; ``rotate`` makes every refresh grant return a new one (as some providers do) and
``reject_used`` makes a rotated-away token fail with ``invalid_grant``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from sandbox.clock import Clock

ACCESS_TOKEN_SECONDS = 3600
SCOPE_PREFIX = "https://www.googleapis.com/auth/googlehealth."
READ_SCOPES = tuple(SCOPE_PREFIX + s for s in (
    "activity_and_fitness.readonly", "health_metrics_and_measurements.readonly",
    "sleep.readonly", "profile.readonly", "settings.readonly",
))


class OAuthError(Exception):
    """An OAuth error response: ``{"error": code, "error_description": ...}``."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@dataclass
class Grant:
    scopes: tuple[str, ...]
    revoked: bool = False
    used: bool = False  # rotated away


@dataclass
class AccessToken:
    scopes: tuple[str, ...]
    expires_at: datetime


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str
    scopes: tuple[str, ...]
    offline: bool
    used: bool = False


@dataclass
class OAuthServer:
    clock: Clock
    client_id: str
    client_secret: str
    rotate: bool = False
    reject_used: bool = False
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants: int = 0  # successful token responses

    def new_refresh_token(self, scopes: tuple[str, ...] = READ_SCOPES) -> str:
        token = "1//0" + secrets.token_urlsafe(72)
        self.refresh_tokens[token] = Grant(scopes)
        return token

    def _new_access_token(self, scopes: tuple[str, ...]) -> str:
        token = "ya29." + secrets.token_urlsafe(1500)  # Google's are about 2 KB
        expires = self.clock.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS)
        self.access_tokens[token] = AccessToken(scopes, expires)
        return token

    def issued(self) -> list[str]:
        """Every secret this server ever handed out (for leak checks)."""
        return [self.client_secret, *self.refresh_tokens, *self.access_tokens, *self.codes]

    def revoke(self, refresh_token: str | None = None) -> None:
        """Revoke one refresh token (or all): the next refresh grant gets invalid_grant."""
        for token, grant in self.refresh_tokens.items():
            if refresh_token in (None, token):
                grant.revoked = True

    def expire_access_tokens(self) -> None:
        for token in self.access_tokens.values():
            token.expires_at = self.clock.now() - timedelta(seconds=1)

    def check_access(self, token: str) -> AccessToken | None:
        found = self.access_tokens.get(token)
        if found is None or found.expires_at <= self.clock.now():
            return None
        return found

    # --- endpoints ------------------------------------------------------------------------

    def _check_client(self, form: dict[str, str], basic: tuple[str, str] | None) -> None:
        client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
        if client_id != self.client_id or secret != self.client_secret:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict:
        """The token endpoint's answer for a form body, or raise ``OAuthError``."""
        self._check_client(form, basic)
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            return self._refresh(form.get("refresh_token", ""))
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _refresh(self, refresh_token: str) -> dict:
        grant = self.refresh_tokens.get(refresh_token)
        if grant is None or grant.revoked or (grant.used and self.reject_used):
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        body = self._token_body(grant.scopes)
        if self.rotate:
            grant.used = True
            body["refresh_token"] = self.new_refresh_token(grant.scopes)
        return body

    def _exchange_code(self, form: dict[str, str]) -> dict:
        code = self.codes.get(form.get("code", ""))
        if code is None or code.used:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if digest.rstrip(b"=").decode() != code.challenge:
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
        code.used = True
        body = self._token_body(code.scopes)
        if code.offline:
            body["refresh_token"] = self.new_refresh_token(code.scopes)
        return body

    def _token_body(self, scopes: tuple[str, ...]) -> dict:
        self.grants += 1
        return {"access_token": self._new_access_token(scopes),
                "expires_in": ACCESS_TOKEN_SECONDS - 1, "scope": " ".join(scopes),
                "token_type": "Bearer"}

    def authorize(self, query: dict[str, str], unticked: tuple[str, ...] = ()) -> str:
        """Consent is given at once: the redirect location carrying the code, or raise.

        ``unticked`` lists scope suffixes the user leaves unticked (granular consent): the
        code grants only the other requested scopes.
        """
        if query.get("client_id") != self.client_id:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        redirect = query.get("redirect_uri", "")
        parts = urlsplit(redirect)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise OAuthError(400, "redirect_uri_mismatch",
                             "Only loopback redirect URIs are registered for this client.")
        if query.get("response_type") != "code":
            raise OAuthError(400, "unsupported_response_type", "response_type must be code.")
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or len(challenge) < 43:
            raise OAuthError(400, "invalid_request", "PKCE with code_challenge_method=S256 is "
                             "required for this client.")
        scopes = tuple(s for s in query.get("scope", "").split() if s)
        unknown = [s for s in scopes if s not in READ_SCOPES]
        if not scopes or unknown:
            raise OAuthError(400, "invalid_scope", f"Some requested scopes were invalid: {unknown}")
        scopes = tuple(s for s in scopes if s.removeprefix(SCOPE_PREFIX) not in unticked)
        code = "4/0" + secrets.token_urlsafe(40)
        self.codes[code] = AuthCode(self.client_id, redirect, challenge, scopes,
                                    query.get("access_type") == "offline")
        params = {"code": code, "scope": " ".join(scopes)}
        if "state" in query:
            params["state"] = query["state"]
        return f"{redirect}?{urlencode(params)}"
