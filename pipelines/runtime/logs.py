"""Logging to stdout, one line per event, with every known secret masked in every logger's output.

Masking happens when a log record is made (``logging``'s record factory), not in one of the
project's handlers: dlt, dbt, requests, urllib3 and google-auth log through handlers of their
own (dlt's writes the request headers to stderr at debug level), and each of those handlers
only ever receives the masked text, whatever its level or destination. Uncaught tracebacks are
masked too (``sys.excepthook``). The secrets are what the run was configured with (secret-like
environment variables and ``.dlt/secrets.toml``, ``register_configured_secrets``) and what it
reads or receives later (Secret Manager values, rotated tokens: ``register_secret``).

``RUNTIME__LOG_LEVEL=DEBUG`` (dlt's own setting) turns on the project's debug lines as well, and
sends every other library's log lines to stdout with them; below debug level, another
library's log line carries no traceback, only the error's own line.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import tomllib
import traceback
from pathlib import Path
from typing import Any

# Process-wide on purpose, not part of a run's context: logging handlers, the excepthook and the
# job summary are global, and a secret registered once (by a client, a token refresh) must stay
# masked in every line the process writes afterwards, whichever run or command writes it.
_secrets: set[str] = set()
_ordered: list[str] = []  # longest first, so a secret containing another is masked whole
_lock = threading.Lock()
MASK = "***"
# the last part of a setting's name that marks its value as a secret (dlt's naming:
# SOURCES__HUBSPOT__API_KEY, [sources.fitbit] client_secret / refresh_token, private_key...)
SECRET_NAME_ENDINGS = ("api_key", "secret", "token", "password", "private_key", "hash_key")


def register_secret(value: str | None) -> None:
    """Mask ``value`` in every log line from now on (short values would mask too much)."""
    if not value or len(value) < 6 or value in _secrets:
        return
    with _lock:
        _secrets.add(value)
        _ordered[:] = sorted(_secrets, key=len, reverse=True)


def register_secrets_in(text: str | None) -> None:
    """Mask ``text`` and, when it is a TOML document (a Secret Manager fragment such as
    ``sources-notion``), each of its values as well: a value is logged on its own."""
    register_secret(text)
    if not text or "=" not in text:
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    for value in _leaves(document):
        register_secret(value)


def _leaves(document: Any) -> list[str]:
    if isinstance(document, dict):
        return [leaf for value in document.values() for leaf in _leaves(value)]
    if isinstance(document, list):
        return [leaf for value in document for leaf in _leaves(value)]
    return [document] if isinstance(document, str) else []


def _is_secret_name(name: str) -> bool:
    return name.lower().rsplit("__", 1)[-1].endswith(SECRET_NAME_ENDINGS)


def _secret_values(document: Any) -> list[str]:
    """String values of a TOML document whose key names a secret, at any depth."""
    found: list[str] = []
    for key, value in (document.items() if isinstance(document, dict) else ()):
        if isinstance(value, dict):
            found += _secret_values(value)
        elif isinstance(value, str) and _is_secret_name(str(key)):
            found.append(value)
    return found


def _secrets_file() -> Path:
    """``.dlt/secrets.toml`` of the project dlt runs in (``DLT_PROJECT_DIR`` or the cwd)."""
    return Path(os.environ.get("DLT_PROJECT_DIR") or ".") / ".dlt" / "secrets.toml"


def register_configured_secrets() -> None:
    """Mask the secrets a person configured before any library gets the chance to log one:
    secret-named environment variables and the secret-named values of ``.dlt/secrets.toml``."""
    for name, value in os.environ.items():
        if _is_secret_name(name):
            register_secret(value)
    try:
        document = tomllib.loads(_secrets_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return  # no file, or one dlt will report as malformed in its own words
    for value in _secret_values(document):
        register_secret(value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


_EXCEPTION_FORMATTER = logging.Formatter()
_previous_factory = logging.getLogRecordFactory()


def _one_line_unless_debugging(record: logging.LogRecord) -> None:
    """Another library's traceback (dlt logs one per failed write when the disk is full) only
    at debug level; otherwise its last line is added to the message, which stays one line."""
    if _tracebacks or not record.exc_info or record.name.split(".")[0] == "prp":
        return
    error = record.exc_info[1]
    if error is not None:
        record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
        record.args = ()
    record.exc_info, record.exc_text = None, None


def _masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every logger's records, with the message, traceback and stack already masked."""
    record = _previous_factory(*args, **kwargs)
    _one_line_unless_debugging(record)
    if not _ordered:
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string; logging would print msg and args
        message = f"{record.msg} {record.args!r}"
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(_EXCEPTION_FORMATTER.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def _masked_excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    """An uncaught exception's traceback, masked, on stderr (as Python would print it)."""
    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))


def install_masking() -> None:
    """Mask secrets in every record of every logger and in uncaught tracebacks; idempotent."""
    if logging.getLogRecordFactory() is not _masked_record:
        global _previous_factory
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_masked_record)
    if sys.excepthook is sys.__excepthook__:  # leave a debugger's or a test runner's hook alone
        sys.excepthook = _masked_excepthook


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is now (tests and tools swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        return


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _configured_level() -> int:
    """DEBUG when dlt's ``runtime.log_level`` says so (how a person troubleshoots), else INFO."""
    import dlt

    try:
        level = str(dlt.config.get("runtime.log_level") or "").upper()
    except Exception:  # noqa: BLE001 - an unreadable config file is reported by the command
        level = ""
    return logging.DEBUG if level == "DEBUG" else logging.INFO


_HANDLER: logging.Handler | None = None
_tracebacks = True  # other libraries' tracebacks in their log lines (debug level only)


def _handler() -> logging.Handler:
    global _HANDLER
    if _HANDLER is None:
        _HANDLER = _StdoutHandler()
        _HANDLER.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                                 "%Y-%m-%dT%H:%M:%S"))
        _HANDLER._prp = True  # type: ignore[attr-defined]
    return _HANDLER


def setup_logging(level: int | None = None) -> None:
    """Send the project's logs to unbuffered stdout, secrets masked everywhere; idempotent.

    At debug level the other libraries' lines (urllib3, google-auth...) go to stdout as well.
    """
    install_masking()
    register_configured_secrets()
    global _tracebacks
    level = _configured_level() if level is None else level
    _tracebacks = level <= logging.DEBUG
    logger = logging.getLogger("prp")
    logger.setLevel(level)
    logger.propagate = False
    handler = _handler()
    if handler not in logger.handlers:
        logger.addHandler(handler)
    root = logging.getLogger()
    if level <= logging.DEBUG:
        root.setLevel(logging.DEBUG)
        if handler not in root.handlers:
            root.addHandler(handler)
    elif handler in root.handlers:
        root.removeHandler(handler)
        root.setLevel(logging.WARNING)
