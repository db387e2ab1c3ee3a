"""Where a rotated or newly granted secret (an OAuth refresh token) is persisted.

A provider that rotates refresh tokens invalidates the old one as soon as it hands out the
new one, so the new token must be stored durably *before* anything else can fail. Stores:
- ``local``: the project's ``.dlt/secrets.toml``, rewritten atomically (temporary file in the
  same directory, fsync, rename) with mode 0600, keeping every other key and comment;
- ``gcp``: GCP Secret Manager, a new version of the key's own secret
  (``sources-fitbit-refresh_token``), after which older enabled versions are disabled.
The value never appears in a log line or an exception message.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import tomlkit

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.logs import register_secret

log = logging.getLogger("prp.token_store")


class TokenStore(Protocol):
    """Persists one secret value under a dlt config section and key."""

    def save(self, section: str, key: str, value: str) -> None:
        """Store ``value`` durably; return only once it is safe to discard the old value."""

    def describe(self) -> str:
        """Where values go, for log lines (never the value itself)."""


def dlt_settings_dir() -> Path:
    """The active dlt project's ``.dlt`` directory (``DLT_PROJECT_DIR`` or the working dir)."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    return Path(Container()[PluggableRunContext].context.settings_dir)


def reload_dlt_providers() -> None:
    """Make dlt re-read its TOML files, so a value saved now is the one the next run sees."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    Container()[PluggableRunContext].reload_providers()


class LocalSecretsFile:
    """``.dlt/secrets.toml`` of the active project, written atomically with mode 0600."""

    def __init__(self, path: Path | None = None):
        self.path = path or dlt_settings_dir() / "secrets.toml"

    def describe(self) -> str:
        return str(self.path)

    def save(self, section: str, key: str, value: str) -> None:
        register_secret(value)
        existing = self.path.read_text() if self.path.exists() else ""
        document = tomlkit.parse(existing)
        table = document
        for part in section.split("."):
            if part not in table:
                table[part] = tomlkit.table(is_super_table=True)
            table = table[part]
        table[key] = value
        self._write_atomically(tomlkit.dumps(document))
        reload_dlt_providers()
        log.info("stored the new %s.%s in %s", section, key, self.path)

    def _write_atomically(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class SecretManagerStore:
    """A new version of the key's own secret in GCP Secret Manager; older versions disabled.

    The version is added before ``save`` returns (so before any data request); disabling the
    older ones comes after, and a failure there only leaves them enabled.
    """

    def __init__(self, manager=None):
        from pipelines.runtime.secret_manager import SecretManager, secret_manager_settings

        self.manager = manager or SecretManager(secret_manager_settings())

    def describe(self) -> str:
        return f"GCP Secret Manager (project {self.manager.settings.project})"

    def save(self, section: str, key: str, value: str) -> None:
        from pipelines.runtime.secret_manager import secret_name
        from pipelines.runtime.secrets_source import active_provider

        register_secret(value)
        name = secret_name(section, key)
        version = self.manager.add_version(name, value)
        provider = active_provider()
        if provider is not None:
            provider.remember(section, key, value)
        disabled = self.manager.disable_older(name, keep=version)
        log.info("stored the new %s.%s as version %d of secret %s (%d older version(s) disabled)",
                 section, key, version, name, disabled)


STORES: dict[str, Callable[[], TokenStore]] = {"local": LocalSecretsFile, "gcp": SecretManagerStore}


def token_store(name: str = "local") -> TokenStore:
    """The store named by configuration (``sources.<source>.token_store``)."""
    try:
        return STORES[name]()
    except KeyError:
        raise ConfigurationError(
            f"unknown token store {name!r}; one of {', '.join(sorted(STORES))} "
            "(set token_store under the source's section in .dlt/config.toml)") from None
