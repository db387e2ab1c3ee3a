"""``prp doctor`` checks the weekly review's e-mail when it is configured: against a real SMTP
server (aiosmtpd, in this process) it connects, encrypts and logs in as a send would, and sends
nothing; a refused login, a server nobody runs and a half-made configuration are each one line
saying what to fix, and the password is never printed.
"""

from __future__ import annotations

import ssl

import pytest
from aiosmtpd.controller import Controller

from pipelines.cli import main as prp
from tests.smtp_inbox import PASSWORD, Inbox, free_port, self_signed_certificate

pytestmark = pytest.mark.integration


@pytest.fixture
def hubspot_only(start, monkeypatch):
    """One source set up (the others are skipped), the review addressed."""
    start(apis=("hubspot",))
    monkeypatch.setenv("REVIEW__TO", "me@prp.example")
    monkeypatch.setenv("REVIEW__FROM", "review@prp.example")


@pytest.fixture
def tls_server(project_dir, monkeypatch):
    """A STARTTLS server with a certificate made now (trusted through review.smtp.ca_file) that
    accepts one password, and the review's SMTP settings pointing at it."""
    inbox = Inbox()
    cert, key = self_signed_certificate(project_dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate,
                            tls_context=context, require_starttls=True, auth_require_tls=True)
    controller.start()
    monkeypatch.setenv("REVIEW__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("REVIEW__SMTP__PORT", str(controller.port))
    monkeypatch.setenv("REVIEW__SMTP__CA_FILE", str(cert))
    monkeypatch.setenv("REVIEW__SMTP__USER", "me")
    yield inbox
    controller.stop()


def doctor(capsys) -> tuple[int, dict[str, str], str]:
    code = prp(["doctor"])
    out = capsys.readouterr().out
    checks = {}
    for line in out.splitlines():
        if line.startswith(("ok ", "FAIL ", "skip ")):
            status, rest = line.split(" ", 1)
            name, detail = rest.strip().split(": ", 1)
            checks[name] = f"{status}: {detail}"
    return code, checks, out


def test_a_working_server_is_logged_in_to_and_nothing_is_sent(hubspot_only, tls_server, monkeypatch,
                                                             capsys):
    monkeypatch.setenv("REVIEW__SMTP__PASSWORD", PASSWORD)
    code, checks, out = doctor(capsys)
    assert code == 0, out
    assert checks["e-mail"].startswith("ok") and "logged in as me" in checks["e-mail"], out
    assert "(starttls)" in checks["e-mail"] and "to 1 recipient" in checks["e-mail"]
    assert tls_server.logins == [("me", True)]
    assert tls_server.messages == []
    assert PASSWORD not in out


def test_a_refused_login_names_the_settings_to_check(hubspot_only, tls_server, monkeypatch, capsys):
    wrong = "not-the-password-7f3a"
    monkeypatch.setenv("REVIEW__SMTP__PASSWORD", wrong)
    code, checks, out = doctor(capsys)
    assert code == 2, out
    assert checks["e-mail"].startswith("FAIL") and "refused the login" in checks["e-mail"]
    assert "review.smtp.password" in checks["e-mail"]
    assert tls_server.logins and set(tls_server.logins) == {("me", False)}  # PLAIN, then LOGIN
    assert wrong not in out


def test_a_server_nobody_runs_is_a_failed_service(hubspot_only, monkeypatch, capsys):
    monkeypatch.setenv("REVIEW__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("REVIEW__SMTP__PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("REVIEW__SMTP__SECURITY", "none")
    code, checks, out = doctor(capsys)
    assert code == 1, out
    assert checks["e-mail"].startswith("FAIL") and "127.0.0.1:" in checks["e-mail"]
    assert "cannot be used" in checks["e-mail"]


def test_half_configured_e_mail_names_what_is_missing(hubspot_only, capsys):
    code, checks, out = doctor(capsys)  # review.to set, no server
    assert code == 2, out
    assert checks["e-mail"].startswith("FAIL") and "review.smtp.host" in checks["e-mail"]


def test_no_e_mail_line_when_e_mail_is_off(start, capsys):
    start(apis=("hubspot",))
    code, checks, out = doctor(capsys)
    assert code == 0, out
    assert "e-mail" not in checks
