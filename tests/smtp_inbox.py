"""A real SMTP server's receiving end for the tests (aiosmtpd runs it in a thread of the test
process): every message as it arrived, parsed, and every login it was offered."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
from dataclasses import dataclass, field
from pathlib import Path

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
            accepted = auth_data.password.decode() == PASSWORD
            self.logins.append((auth_data.login.decode(), accepted))
            # handled=False: aiosmtpd answers a refusal with 535 itself (by default it answers
            # nothing, and the client waits for its timeout)
            return AuthResult(success=accepted, handled=False)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # OpenSSL checks validity on the machine's real clock, the test process may run on a shifted
    # one (make test-calendar): a span that holds on both
    valid_from, valid_to = dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from).not_valid_after(valid_to)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
