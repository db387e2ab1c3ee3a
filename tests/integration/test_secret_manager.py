"""Secrets from GCP Secret Manager (the stand-in, through the official client): the documented
layout feeds every source, and a rotated Fitbit refresh token becomes a new secret version
before any data request, with older versions disabled."""

from __future__ import annotations

import logging

import pytest

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.secret_manager import SecretManager, secret_manager_settings
from pipelines.sources.fitbit import refresh_fitbit
from pipelines.sources.hubspot import refresh_hubspot
from tests.conftest import duckdb_rows
from tests.gcp_sandbox import REFRESH_TOKEN_SECRET, files_containing, move_secrets_to_secret_manager

pytestmark = pytest.mark.integration


@pytest.fixture
def log_lines():
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    logging.getLogger("prp").addHandler(handler)
    yield lines
    logging.getLogger("prp").removeHandler(handler)


def test_rotated_token_is_a_new_version_before_any_data_request(project_dir, start, monkeypatch,
                                                                 log_lines):
    box = start(apis=("google", "secretmanager"))
    google, vault = box.app("google"), box.app("secretmanager")
    google.oauth.rotate = google.oauth.reject_used = True
    move_secrets_to_secret_manager(box, monkeypatch)
    stored_at_first_request: list[str | None] = []
    google.observers.append(lambda request: stored_at_first_request.append(
        vault.value(REFRESH_TOKEN_SECRET)) if not stored_at_first_request else None)

    refresh_fitbit()
    live = [t for t, g in google.oauth.refresh_tokens.items() if not g.used]
    assert len(live) == 1 and live[0] != google.refresh_token
    assert stored_at_first_request == live  # the new version came before the first data request

    refresh_fitbit()  # a second run reads the newest version (the first token is now rejected)
    live = [t for t, g in google.oauth.refresh_tokens.items() if not g.used]
    assert google.oauth.grants == 2 and vault.value(REFRESH_TOKEN_SECRET) == live[0]
    versions = vault.secrets[REFRESH_TOKEN_SECRET].versions
    assert [v.state for v in versions] == ["DISABLED", "DISABLED", "ENABLED"]
    assert duckdb_rows(project_dir / "warehouse.duckdb",
                       "select count(*) from dev_raw_data.fitbit__sleep")[0][0] > 0

    tokens = [t for t in google.oauth.issued() if len(t) >= 8]
    assert not [line for line in log_lines if any(t in line for t in tokens)]
    assert not files_containing(project_dir, tokens)  # state, warehouse, anything on disk


LIST = "GET /v1/projects/{project}/secrets"
ACCESS = "GET /v1/projects/{project}/secrets/{secret}/versions/{version}:access"


def test_every_source_reads_its_fragment(project_dir, start, monkeypatch):
    box = start(apis=("hubspot", "secretmanager"))
    move_secrets_to_secret_manager(box, monkeypatch)
    refresh_hubspot()
    assert duckdb_rows(project_dir / "warehouse.duckdb",
                       "select count(*) from dev_raw_data.hubspot__contacts")[0][0] > 0
    # the names are listed once, and only secrets that exist are read (dlt asks for ~75 names)
    vault = box.app("secretmanager")
    assert vault.counts[LIST] == 1
    assert 0 < vault.counts[ACCESS] <= len(vault.secrets)


def test_without_the_right_to_list_every_name_is_looked_up(project_dir, start, monkeypatch, log_lines):
    box = start(apis=("hubspot", "secretmanager"))
    move_secrets_to_secret_manager(box, monkeypatch)
    vault = box.app("secretmanager")
    vault.deny("secretmanager.secrets.list")  # the accessor role alone
    refresh_hubspot()
    assert duckdb_rows(project_dir / "warehouse.duckdb",
                       "select count(*) from dev_raw_data.hubspot__contacts")[0][0] > 0
    assert vault.counts[LIST] == 1  # refused once, not asked again for every name
    assert vault.counts[ACCESS] > len(vault.secrets)
    assert [line for line in log_lines if "roles/secretmanager.viewer" in line]


def test_a_missing_fragment_names_the_key(project_dir, start, monkeypatch):
    box = start(apis=("hubspot", "secretmanager"))
    move_secrets_to_secret_manager(box, monkeypatch)
    del box.app("secretmanager").secrets["sources-hubspot"]
    with pytest.raises(ConfigurationError, match="sources.hubspot.api_key"):
        refresh_hubspot()


def test_a_refused_add_version_names_the_secret_and_role(project_dir, start, monkeypatch):
    box = start(apis=("secretmanager",))
    box.app("secretmanager").put(REFRESH_TOKEN_SECRET, "1//0-first-token-value")
    box.app("secretmanager").deny("secretmanager.versions.add")
    manager = SecretManager(secret_manager_settings())
    with pytest.raises(ConfigurationError, match=r"sources-fitbit-refresh_token.*secretVersionManager"):
        manager.add_version(REFRESH_TOKEN_SECRET, "1//0-second-token-value")


def test_an_unknown_secrets_source_is_a_configuration_error(project_dir, start, monkeypatch):
    start(apis=("hubspot",))
    monkeypatch.setenv("PRP__SECRETS", "vault")
    with pytest.raises(ConfigurationError, match="prp.secrets must be one of local, gcp"):
        refresh_hubspot()
