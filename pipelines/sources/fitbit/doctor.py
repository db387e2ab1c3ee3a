"""``prp doctor`` for Fitbit: refresh the access token and compare the granted scopes; and where
a rotated refresh token goes, which in production must be where the next runner reads it."""

from __future__ import annotations

from pipelines.runtime.checks import setting
from pipelines.runtime.errors import ConfigurationError


def check_fitbit() -> str:
    """Refresh the access token (storing a rotated refresh token) and compare the scopes."""
    from pipelines.sources.fitbit.oauth import REAUTHORISE_HINT, SCOPE_PREFIX, SCOPES, google_oauth

    auth = google_oauth()
    auth.refresh()
    missing = [s.removeprefix(SCOPE_PREFIX) for s in SCOPES if not auth.granted(s.removeprefix(SCOPE_PREFIX))]
    if missing:
        raise ConfigurationError(f"the Fitbit grant lacks scope(s) {', '.join(missing)}: "
                                 f"{REAUTHORISE_HINT} and tick every box")
    return f"refresh token accepted, all scopes granted, new tokens go to {auth.store.describe()}"


def check_token_store(secrets_from: str) -> str:
    """In production the rotated Fitbit token must go where the next runner reads it."""
    store = setting("sources.fitbit", "token_store", "local")
    if secrets_from == "gcp" and store != "gcp":
        raise ConfigurationError(
            "prp.secrets is gcp but sources.fitbit.token_store is local: a rotated refresh token "
            "would be lost with the runner's disk; set SOURCES__FITBIT__TOKEN_STORE=gcp")
    return f"Fitbit tokens stored in {store}"
