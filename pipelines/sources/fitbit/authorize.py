"""``prp auth fitbit``: Google's authorization-code flow with PKCE on a loopback redirect.

It prints the URL to open (and opens a browser unless told not to), waits for Google to
redirect back to ``http://127.0.0.1:<port>/``, exchanges the code (with the PKCE verifier)
for tokens and stores the refresh token where ``sources.fitbit.token_store`` says. The token
itself is never printed or logged.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import sys
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import dlt

from pipelines.runtime.errors import ConfigurationError, PipelineError, missing_setting_message
from pipelines.runtime.http import PacedSession
from pipelines.runtime.logs import register_secret
from pipelines.runtime.token_store import token_store
from pipelines.sources.fitbit.oauth import SCOPE_PREFIX, SCOPES, SECTION, token_grant

log = logging.getLogger("prp.fitbit.auth")

DEFAULT_AUTHORIZATION_URL = "https://accounts.google.com/o/oauth2/v2/auth"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
DONE_PAGE = (b"<html><body><h1>Fitbit access granted</h1><p>You can close this tab and go back "
             b"to the terminal.</p></body></html>")


def pkce_pair() -> tuple[str, str]:
    """A random code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _setting(key: str, *, secret: bool, default: Any = None) -> Any:
    value = (dlt.secrets if secret else dlt.config).get(f"{SECTION}.{key}")
    if value in (None, ""):
        if default is not None:
            return default
        raise ConfigurationError(missing_setting_message(SECTION, key, secret=secret))
    return value


class _Callback(BaseHTTPRequestHandler):
    server: _CallbackServer

    def log_message(self, format: str, *args: Any) -> None:  # the query holds the code
        return

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if "code" not in query and "error" not in query:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.result = query
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(DONE_PAGE)))
        self.end_headers()
        self.wfile.write(DONE_PAGE)
        self.server.received.set()


class _CallbackServer(HTTPServer):
    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _Callback)
        self.result: dict[str, str] = {}
        self.received = threading.Event()


def authorize_fitbit(open_browser: bool = True, timeout: float = 300.0) -> None:
    """Run the consent flow and store the new refresh token; raise on any failure."""
    client_id = str(_setting("client_id", secret=True))
    client_secret = str(_setting("client_secret", secret=True))
    register_secret(client_secret)
    authorization_url = str(_setting("authorization_url", secret=False,
                                     default=DEFAULT_AUTHORIZATION_URL))
    token_url = str(_setting("token_url", secret=False, default=DEFAULT_TOKEN_URL))
    port = int(_setting("redirect_port", secret=False, default=0) or 0)
    store = token_store(str(_setting("token_store", secret=False, default="local")))

    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    server = _CallbackServer(port)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="prp-auth-callback", daemon=True)
    thread.start()
    try:
        url = authorization_url + "?" + urlencode({
            "client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
            "scope": " ".join(SCOPES), "access_type": "offline", "prompt": "consent",
            "code_challenge": challenge, "code_challenge_method": "S256", "state": state,
        })
        print("Open this URL in a browser and allow access to your Fitbit data:", flush=True)
        print(url, flush=True)
        if open_browser:
            webbrowser.open(url)
        if not server.received.wait(timeout):
            raise PipelineError(f"fitbit: no answer from the browser within {timeout:.0f}s; "
                                "run `prp auth fitbit` again")
        result = server.result
    finally:
        server.shutdown()
        server.server_close()
    if result.get("error"):
        raise ConfigurationError(f"fitbit: authorisation was refused ({result['error']}); run "
                                 "`prp auth fitbit` again and allow access")
    if result.get("state") != state:
        raise ConfigurationError("fitbit: the redirect's state does not match this request "
                                 "(a stale or forged redirect); run `prp auth fitbit` again")
    register_secret(result.get("code"))
    session = PacedSession("fitbit-oauth", requests_per_second=5.0)
    tokens = token_grant(session, token_url, {
        "grant_type": "authorization_code", "code": result.get("code", ""),
        "code_verifier": verifier, "redirect_uri": redirect_uri,
        "client_id": client_id, "client_secret": client_secret,
    })
    if not tokens.refresh_token:
        raise ConfigurationError(
            "fitbit: Google returned no refresh token; remove this app's access at "
            "https://myaccount.google.com/permissions and run `prp auth fitbit` again")
    store.save(SECTION, "refresh_token", tokens.refresh_token)
    print(f"Stored the Fitbit refresh token in {store.describe()}.", flush=True)
    missing = sorted(s.removeprefix(SCOPE_PREFIX) for s in SCOPES
                     if tokens.scopes is not None and s not in tokens.scopes)
    if missing:
        print(f"Not granted: {', '.join(missing)}; what needs them is skipped until you run "
              "`prp auth fitbit` again and tick them.", flush=True)
    sys.stdout.flush()
