"""The local token store: atomic, 0600, keeps every other secret, visible to the next run."""

from __future__ import annotations

import os
import stat

import dlt
import pytest
import tomlkit

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.logs import redact
from pipelines.runtime.token_store import LocalSecretsFile, reload_dlt_providers, token_store

pytestmark = pytest.mark.unit

TOKEN = "1//0-rotated-refresh-token-value"


@pytest.fixture(autouse=True)
def forget_secrets_file(project_dir):
    """dlt keeps the TOML it read in memory: leave no secret behind for later tests."""
    yield
    (project_dir / ".dlt" / "secrets.toml").unlink(missing_ok=True)
    reload_dlt_providers()


def test_creates_the_file_with_mode_0600(project_dir):
    path = project_dir / ".dlt" / "secrets.toml"
    LocalSecretsFile(path).save("sources.fitbit", "refresh_token", TOKEN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomlkit.parse(path.read_text())["sources"]["fitbit"]["refresh_token"] == TOKEN
    assert "[sources.fitbit]" in path.read_text()


def test_keeps_other_secrets_and_comments_and_tightens_the_mode(project_dir):
    path = project_dir / ".dlt" / "secrets.toml"
    path.write_text('# mine\n[sources.notion]\napi_key = "ntn_x"  # keep\n\n'
                    '[sources.fitbit]\nclient_id = "id"\nrefresh_token = "old-token-value"\n')
    path.chmod(0o644)
    LocalSecretsFile(path).save("sources.fitbit", "refresh_token", TOKEN)
    text = path.read_text()
    assert "# mine" in text and "# keep" in text
    document = tomlkit.parse(text)
    assert document["sources"]["notion"]["api_key"] == "ntn_x"
    assert document["sources"]["fitbit"]["client_id"] == "id"
    assert document["sources"]["fitbit"]["refresh_token"] == TOKEN
    assert "old-token-value" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(project_dir, monkeypatch):
    path = project_dir / ".dlt" / "secrets.toml"
    path.write_text('[sources.fitbit]\nrefresh_token = "old-token-value"\n')

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        LocalSecretsFile(path).save("sources.fitbit", "refresh_token", TOKEN)
    assert "old-token-value" in path.read_text()
    assert not list(path.parent.glob(".secrets.*"))


def test_the_next_resolution_sees_the_new_value_and_logs_mask_it(project_dir):
    token_store("local").save("sources.fitbit", "refresh_token", TOKEN)
    assert (project_dir / ".dlt" / "secrets.toml").exists()
    assert dlt.secrets.get("sources.fitbit.refresh_token") == TOKEN
    assert redact(f"token {TOKEN}") == "token ***"


def test_unknown_store_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="unknown token store"):
        token_store("carrier-pigeon")
