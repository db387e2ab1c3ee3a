"""GCP Secret Manager as a dlt secrets source, after the environment and ``.dlt/secrets.toml``.

dlt's own ``GoogleSecretsProvider`` builds its client from Google's discovery document with the
public endpoint fixed, so it cannot be pointed at a stand-in, and it needs a service-account key
in dlt's config. This provider keeps dlt's vault semantics (it is a ``VaultDocProvider``: TOML
fragments named ``sources``, ``sources-<name>``, ``destination``... merged from the document root,
plus ``dlt_secrets_toml``) and reads through the official client (``secret_manager``), so the
endpoint is configurable and default credentials work.

It also reads single-value secrets (``only_toml_fragments=False``) for secret-typed keys only,
which is how the Fitbit refresh token lives in its own secret, ``sources-fitbit-refresh_token``,
where it can get a new version on every rotation without rewriting a fragment.

dlt asks for about 75 secret names in a run, most of which do not exist. The provider lists the
project's secrets once and reads only those that exist (a run then makes a handful of requests);
when listing is refused (the accessor role alone does not allow it), it reads each name instead.

``use_configured_secrets()`` runs at the start of every run: with ``[prp] secrets = "gcp"`` it
installs a fresh provider (a fresh cache, as a new process would have).
"""

from __future__ import annotations

import logging
from typing import Any

from dlt.common.configuration.providers.vault import VaultDocProvider

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.secret_manager import (
    SecretManager,
    secret_manager_settings,
    secrets_source,
)

log = logging.getLogger("prp.secrets")

PROVIDER_NAME = "GCP Secret Manager"


class SecretManagerProvider(VaultDocProvider):
    """dlt config provider over one project's secrets (read-only; the token store writes)."""

    def __init__(self, manager: SecretManager):
        self.manager = manager
        super().__init__(only_secrets=True, only_toml_fragments=False, list_secrets=False)
        # set after dlt's __init__, which warns that only_secrets may still skip a listed key
        # (intended here: only secret-typed keys are read at all)
        self.list_secrets = True
        self.refused: set[str] = set()  # secrets it may not read: not "missing", but refused

    @property
    def name(self) -> str:
        return PROVIDER_NAME

    @property
    def locations(self) -> list[str]:
        return [f"{self.manager.settings.endpoint} (project {self.manager.settings.project})"]

    @staticmethod
    def get_key_name(key: str, *sections: str) -> str:
        from dlt.common.configuration.providers.google_secrets import GoogleSecretsProvider

        return GoogleSecretsProvider.get_key_name(key, *sections)

    def _look_vault(self, full_key: str, hint: type) -> str | None:
        try:
            return self.manager.access(full_key)
        except ConfigurationError as exc:
            # dlt would report the key as missing; say why before it does
            log.warning("%s", exc)
            self.refused.add(full_key)
            return None

    def refused_any(self, *sections: str) -> bool:
        """Whether a secret under ``sections`` (``sources``, ``hubspot``) was refused."""
        prefix = self.get_key_name("", *sections).rstrip("-")
        return any(key == prefix or key.startswith(f"{prefix}-") for key in self.refused)

    def _list_vault(self) -> set[str] | None:
        names = self.manager.names()
        if names is None:  # not allowed to list: dlt then looks up every name, as without listing
            self.list_secrets = False
        return names

    def remember(self, section: str, key: str, value: str) -> None:
        """Make a value this process just stored the one later look-ups see."""
        self.set_value(key, value, None, *section.split("."))


def _providers() -> Any:
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    return Container()[PluggableRunContext].providers


def active_provider() -> SecretManagerProvider | None:
    """The installed Secret Manager provider, if this run uses one."""
    providers = _providers()
    return providers[PROVIDER_NAME] if PROVIDER_NAME in providers else None


def use_configured_secrets() -> bool:
    """Install a fresh Secret Manager provider when ``prp.secrets`` is ``gcp``; whether it did."""
    providers = _providers()
    if secrets_source() != "gcp":
        if PROVIDER_NAME in providers:
            providers.providers.remove(providers[PROVIDER_NAME])
        return False
    settings = secret_manager_settings()
    providers[PROVIDER_NAME] = SecretManagerProvider(SecretManager(settings))
    log.info("secrets: environment, .dlt/secrets.toml, then GCP Secret Manager (project %s)",
             settings.project)
    return True
