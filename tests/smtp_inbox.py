"""A real SMTP server's receiving end for the tests (aiosmtpd runs it in a thread of the test
process): every message as it arrived, parsed, and every login it was offered."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

from aiosmtpd.smtp import AuthResult, LoginPassword

PASSWORD = "smtp-secret-4c1d9e"  # the one password the server accepts


@dataclass
class Inbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message, whether it
    came over TLS) per message."""

    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed, encrypted))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode() == PASSWORD))
            return AuthResult(success=auth_data.password.decode() == PASSWORD)
        return AuthResult(success=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
