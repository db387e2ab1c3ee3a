"""`prp doctor`'s HubSpot line with Service Keys (issue 27, item 1), against the sandbox.

A Service Key with a scope left unticked is named with the box to tick on the key; an existing
legacy private-app token (same Bearer header, same `pat-` look) is still accepted; a refused
key says how to create a Service Key. The other sources are not served here: only the
`hubspot` line is read.
"""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp

pytestmark = pytest.mark.integration


def hubspot_line(capsys) -> str:
    prp(["doctor"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines()
             if line.split(":")[0].split() in (["ok", "hubspot"], ["FAIL", "hubspot"])]
    assert len(lines) == 1, out
    return lines[0]


@pytest.fixture
def app(start):
    return start(apis=("hubspot",)).app("hubspot")


def test_a_service_key_without_the_email_scope_is_told_which_box_to_tick(project_dir, app,
                                                                        capsys, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", app.service_key(without={"sales-email-read"}))
    line = hubspot_line(capsys)
    assert line.startswith("FAIL") and "emails" in line and "sales-email-read" in line
    assert "Service Key" in line and "Development > Keys > Service keys" in line
    assert "calls" not in line  # only the object the key cannot read


def test_a_legacy_private_app_token_is_still_accepted(project_dir, app, capsys, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", app.service_key(legacy=True))
    line = hubspot_line(capsys)
    assert line.startswith("ok") and "2026-09" in line


def test_a_refused_key_says_how_to_create_a_service_key(project_dir, app, capsys, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", "pat-na1-00000000-0000-0000-0000-000000000000")
    line = hubspot_line(capsys)
    assert line.startswith("FAIL") and "401" in line
    assert "Create service key" in line and "pat-na1-0000" not in line


def test_a_bad_api_version_is_named(project_dir, app, capsys, monkeypatch):
    monkeypatch.setenv("SOURCES__HUBSPOT__API_VERSION", "v3")
    line = hubspot_line(capsys)
    assert line.startswith("FAIL") and "sources.hubspot.api_version" in line
