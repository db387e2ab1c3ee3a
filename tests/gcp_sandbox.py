"""Secrets served by the Secret Manager stand-in, as production keeps them (see the README).

``move_secrets_to_secret_manager`` takes the credentials the sandbox's APIs put in the environment,
stores them in the stand-in in the documented layout (TOML fragments ``sources-hubspot``,
``sources-notion`` and ``sources-fitbit``, the Fitbit refresh token in its own secret
``sources-fitbit-refresh_token``), removes them from the environment and turns Secret Manager on
as the secrets source and the Fitbit token store.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFRESH_TOKEN_SECRET = "sources-fitbit-refresh_token"
FRAGMENTS = {
    "sources-hubspot": ("hubspot", ("api_key",)),
    "sources-notion": ("notion", ("api_key",)),
    "sources-fitbit": ("fitbit", ("client_id", "client_secret")),
}


def move_secrets_to_secret_manager(box, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Seed the stand-in from the environment and point the pipelines at it; the values moved."""
    app = box.app("secretmanager")
    moved: dict[str, str] = {}
    for secret, (source, keys) in FRAGMENTS.items():
        lines = [f"[sources.{source}]"]
        for key in keys:
            env = f"SOURCES__{source.upper()}__{key.upper()}"
            if env in os.environ:
                moved[env] = os.environ[env]
                lines.append(f'{key} = "{os.environ[env]}"')
                monkeypatch.delenv(env)
        if len(lines) > 1:
            app.put(secret, "\n".join(lines) + "\n")
    token = os.environ.get("SOURCES__FITBIT__REFRESH_TOKEN")
    if token:
        moved["SOURCES__FITBIT__REFRESH_TOKEN"] = token
        app.put(REFRESH_TOKEN_SECRET, token)
        monkeypatch.delenv("SOURCES__FITBIT__REFRESH_TOKEN")
    monkeypatch.setenv("PRP__SECRETS", "gcp")
    monkeypatch.setenv("SOURCES__FITBIT__TOKEN_STORE", "gcp")
    return moved


def files_containing(root: Path, secrets: list[str]) -> list[Path]:
    """Every file under ``root`` that holds one of ``secrets`` (logs, state, artifacts...)."""
    encoded = [s.encode() for s in secrets if len(s) >= 8]
    return [p for p in root.rglob("*") if p.is_file() and any(s in p.read_bytes() for s in encoded)]
