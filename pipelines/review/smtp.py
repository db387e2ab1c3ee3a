"""Sending the review by SMTP: where to, through which server, and the sending itself.

Server and credentials are secrets, read through dlt's providers in the project's order
(environment, ``.dlt/secrets.toml``, GCP Secret Manager with ``[prp] secrets = "gcp"``):
``review.smtp.host``, ``review.smtp.port``, ``review.smtp.user``, ``review.smtp.password``
(``REVIEW__SMTP__PASSWORD``, ``[review.smtp]``, secret ``review-smtp-password``). The rest is
configuration (``[review]`` in ``.dlt/config.toml``): ``to`` (one address or several, comma
separated), ``from``, and ``smtp.security``: ``starttls`` (default, port 587), ``tls``
(implicit TLS, port 465) or ``none`` (a relay on this machine; never with a password).
``smtp.ca_file`` trusts a private certificate authority besides the system's.

E-mail is off until ``review.to`` or ``review.smtp.host`` is set; setting one without the
other is a configuration error. The password is registered with the log mask and appears in no
message.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import dlt

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.logs import register_secret

log = logging.getLogger("prp.review")

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORT = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""
    timeout: float = 30.0

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def _secret(key: str) -> str:
    value = dlt.secrets.get(key)
    if value in (None, ""):
        value = dlt.config.get(key)  # host, port and user may live with the configuration
    return "" if value is None else str(value).strip()


def _config(key: str) -> str:
    value = dlt.config.get(key)
    return "" if value is None else str(value).strip()


def smtp_settings() -> SmtpSettings | None:
    """The delivery settings, or ``None`` when e-mail is not configured at all."""
    host, recipients = _secret("review.smtp.host"), _config("review.to")
    if not host and not recipients:
        return None
    if not host or not recipients:
        missing = "review.smtp.host (REVIEW__SMTP__HOST)" if not host else "review.to (REVIEW__TO)"
        raise ConfigurationError(f"the weekly review's e-mail is half configured: set {missing}, "
                                 "or neither to turn e-mail off")
    security = (_config("review.smtp.security") or "starttls").lower()
    if security not in SECURITY:
        raise ConfigurationError(f"review.smtp.security must be one of {', '.join(SECURITY)}, "
                                 f"got {security!r}")
    port_text = _secret("review.smtp.port") or str(DEFAULT_PORT[security])
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigurationError(f"review.smtp.port {port_text!r} is not a port number") from None
    user, password = _secret("review.smtp.user"), str(dlt.secrets.get("review.smtp.password") or "")
    register_secret(password)
    if password and security == "none":
        raise ConfigurationError("review.smtp.security is none: the SMTP password would travel "
                                 "unencrypted; use starttls or tls")
    sender = _config("review.from") or (user if "@" in user else "")
    if not sender:
        raise ConfigurationError("set review.from (REVIEW__FROM), the address the review is sent from")
    timeout = _config("review.smtp.timeout") or "30"
    return SmtpSettings(host, port, security, sender,
                        tuple(a.strip() for a in recipients.split(",") if a.strip()),
                        user, password, _config("review.smtp.ca_file"), float(timeout))


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """The system's trust store, plus ``review.smtp.ca_file`` when set; hostnames checked."""
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"review.smtp.ca_file {settings.ca_file!r} cannot be read as "
                                     f"certificates: {exc}") from None
    return context


def email_configured() -> bool:
    """Whether e-mail is meant to be on: ``review.to`` or ``review.smtp.host`` is set (the rest
    of the settings may still be missing; ``smtp_settings`` says what)."""
    return bool(_secret("review.smtp.host") or _config("review.to"))


@contextlib.contextmanager
def _session(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """A connection to the server, encrypted as configured and logged in when a user is set."""
    context = tls_context(settings) if settings.security != "none" else None
    if settings.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port,
                                                timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password)
        yield client


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver ``message``; any failure raises ``PipelineError`` naming the server, never the
    password."""
    try:
        with _session(settings) as client:
            refused = client.send_message(message, settings.sender, list(settings.recipients))
    except (smtplib.SMTPException, OSError) as exc:
        raise PipelineError(f"the weekly review was not sent through {settings.server}: "
                            f"{type(exc).__name__}: {_reason(exc)}") from None
    if refused:
        log.warning("review: the server refused %d of %d recipients", len(refused),
                    len(settings.recipients))


def check_server(settings: SmtpSettings) -> str:
    """Connect, encrypt and log in as a send would, without sending; what was checked, in one
    line. A refused login is a configuration problem; a server that cannot be reached or
    refuses TLS raises ``PipelineError``."""
    try:
        with _session(settings) as client:
            client.noop()
    except smtplib.SMTPAuthenticationError as exc:
        raise ConfigurationError(f"the SMTP server {settings.server} refused the login of "
                                 f"review.smtp.user {settings.user!r}: {_reason(exc)}; check "
                                 "review.smtp.user and review.smtp.password") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise PipelineError(f"the SMTP server {settings.server} cannot be used: "
                            f"{type(exc).__name__}: {_reason(exc)}") from None
    login = f", logged in as {settings.user}" if settings.user else ", no login"
    count = len(settings.recipients)
    return (f"the weekly review goes through {settings.server}{login}, from {settings.sender} "
            f"to {count} recipient{'s' if count != 1 else ''}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        error = error.decode(errors="replace") if isinstance(error, bytes) else error
        return f"{exc.smtp_code} {error}"
    return str(exc) or "no reason given"
