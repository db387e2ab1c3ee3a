"""``prp doctor`` against the sandbox: everything present, then each secret and scope missing."""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from tests.gcp_sandbox import REFRESH_TOKEN_SECRET, move_secrets_to_secret_manager

pytestmark = pytest.mark.integration

SCOPE = "https://www.googleapis.com/auth/googlehealth."
FITBIT_SCOPES = ("activity_and_fitness.readonly", "health_metrics_and_measurements.readonly",
                 "sleep.readonly", "profile.readonly", "settings.readonly")


@pytest.fixture
def box(start, monkeypatch):
    box = start(apis=("notion", "hubspot", "google", "secretmanager"))
    move_secrets_to_secret_manager(box, monkeypatch)
    return box


def doctor(capsys) -> tuple[int, dict[str, str]]:
    code = prp(["doctor"])
    out = capsys.readouterr().out
    print(out)
    lines = out.splitlines()
    checks = {}
    for line in lines:
        if line.startswith(("ok ", "FAIL ", "skip ")):
            status, rest = line.split(" ", 1)
            name, detail = rest.strip().split(": ", 1)
            checks[name] = f"{status}: {detail}"
    return code, checks


def test_everything_in_place_exits_0(project_dir, box, capsys):
    code, checks = doctor(capsys)
    assert code == 0, checks
    assert set(checks) == {"secrets", "destination", "hubspot", "notion", "fitbit"}
    assert all(v.startswith("ok") for v in checks.values())


@pytest.mark.parametrize("secret, check, named", [
    ("sources-fitbit", "fitbit", "sources.fitbit.client_id"),
    (REFRESH_TOKEN_SECRET, "fitbit", "sources.fitbit.refresh_token"),
])
def test_each_missing_secret_of_a_source_set_up_half_way_is_named(project_dir, box, capsys, secret,
                                                                  check, named):
    del box.app("secretmanager").secrets[secret]
    code, checks = doctor(capsys)
    assert code == 2
    assert checks[check].startswith("FAIL") and named in checks[check]
    assert [name for name, v in checks.items() if v.startswith("FAIL")] == [check]


@pytest.mark.parametrize("secret, check", [("sources-hubspot", "hubspot"),
                                           ("sources-notion", "notion")])
def test_a_source_without_any_secret_is_skipped_not_failed(project_dir, box, capsys, secret, check):
    """A person who uses two of the APIs: `make run` skips the third, so the doctor does too."""
    del box.app("secretmanager").secrets[secret]
    code, checks = doctor(capsys)
    assert code == 0, checks
    assert checks[check].startswith("skip") and f"sources.{check}.api_key" in checks[check]
    assert "not set up" in checks[check] and "to connect it" in checks[check]
    assert all(v.startswith("ok") for name, v in checks.items() if name != check)


def test_no_source_set_up_at_all_fails(project_dir, box, capsys):
    vault = box.app("secretmanager")
    for secret in ("sources-hubspot", "sources-notion", "sources-fitbit", REFRESH_TOKEN_SECRET):
        del vault.secrets[secret]
    code, checks = doctor(capsys)
    assert code == 2 and "no source is set up" in checks["sources"]
    assert all(checks[name].startswith("skip") for name in ("hubspot", "notion", "fitbit"))


def test_a_refused_secret_manager_permission_is_named(project_dir, box, capsys):
    box.app("secretmanager").deny("secretmanager.versions.access", "sources-hubspot")
    code, checks = doctor(capsys)
    assert code == 2 and "sources.hubspot.api_key" in checks["hubspot"]


@pytest.mark.parametrize("scope", ["crm.objects.contacts.read", "crm.objects.companies.read",
                                   "sales-email-read"])
def test_each_missing_hubspot_scope_is_named(project_dir, box, capsys, scope):
    box.app("hubspot").modes.missing_scopes = {scope}
    code, checks = doctor(capsys)
    assert code == 2 and checks["hubspot"].startswith("FAIL") and scope in checks["hubspot"]


@pytest.mark.parametrize("missing", FITBIT_SCOPES)
def test_each_missing_fitbit_scope_is_named(project_dir, box, capsys, missing):
    google, vault = box.app("google"), box.app("secretmanager")
    vault.put(REFRESH_TOKEN_SECRET, google.refresh_token_for(*(s for s in FITBIT_SCOPES if s != missing)))
    code, checks = doctor(capsys)
    assert code == 2 and missing in checks["fitbit"]
    assert [name for name, v in checks.items() if v.startswith("FAIL")] == ["fitbit"]


def test_a_local_token_store_with_gcp_secrets_is_flagged(project_dir, box, capsys, monkeypatch):
    monkeypatch.setenv("SOURCES__FITBIT__TOKEN_STORE", "local")
    code, checks = doctor(capsys)
    assert code == 2 and "SOURCES__FITBIT__TOKEN_STORE=gcp" in checks["secrets"]


def test_no_secret_value_is_printed(project_dir, box, capsys):
    code, checks = doctor(capsys)
    text = "\n".join(checks.values())
    for value in (box.app("hubspot").token, box.app("notion").token, *box.app("google").oauth.issued()):
        assert value not in text


def test_a_service_that_is_down_fails_after_two_quick_retries(project_dir, start, capsys):
    """A run retries a failing API for minutes; the doctor tries three times, briefly."""
    box = start(apis=("google",))
    box.inject("google:server_error:20:/token")
    code, checks = doctor(capsys)
    assert code == 1, checks
    assert checks["fitbit"].startswith("FAIL") and "gave up after 2 retries" in checks["fitbit"]
    assert box.app("google").requests_to("POST /token") == 3
