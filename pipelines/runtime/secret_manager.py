"""GCP Secret Manager through the official client: reading, adding and disabling secret versions.

Settings (resolved when a command runs, never at import):
- ``prp.secrets``: ``local`` (default: environment and ``.dlt/secrets.toml`` only) or ``gcp``
  (also GCP Secret Manager, see ``pipelines.runtime.secrets_source``);
- ``prp.secrets_project``: the GCP project holding the secrets (default ``GCP_PROJECT_ID``);
- ``prp.secrets_endpoint``: the service's origin (default ``https://secretmanager.googleapis.com``).
  A plain ``http://`` endpoint can only be a local stand-in, so it is called without credentials;
  any other uses Google's default credentials (``GOOGLE_APPLICATION_CREDENTIALS``, Workload
  Identity Federation, or ``gcloud auth application-default login``).

Secret names follow dlt's vault naming: the key path joined by ``-``
(``sources.fitbit`` + ``refresh_token`` -> ``sources-fitbit-refresh_token``).
No secret value ever reaches a log line or an exception message.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import dlt

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.logs import register_secret, register_secrets_in

log = logging.getLogger("prp.secret_manager")

DEFAULT_ENDPOINT = "https://secretmanager.googleapis.com"
SECRET_SOURCES = ("local", "gcp")
ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"
VIEWER_ROLE = "roles/secretmanager.viewer"
ADDER_ROLE = "roles/secretmanager.secretVersionManager"


def _config(key: str) -> str:
    value = dlt.config.get(f"prp.{key}")
    return "" if value is None else str(value).strip()


def secrets_source() -> str:
    """``local`` or ``gcp`` from ``prp.secrets``; anything else is a configuration error."""
    source = (_config("secrets") or "local").lower()
    if source not in SECRET_SOURCES:
        raise ConfigurationError(
            f"prp.secrets must be one of {', '.join(SECRET_SOURCES)}, got {source!r} "
            "(set PRP__SECRETS or secrets under [prp] in .dlt/config.toml)")
    return source


@dataclass(frozen=True)
class SecretManagerSettings:
    """Where the secrets live: the project and the service's endpoint."""

    project: str
    endpoint: str

    @property
    def is_local_stand_in(self) -> bool:
        return self.endpoint.startswith("http://")


def secret_manager_settings() -> SecretManagerSettings:
    """The project and endpoint; a missing project is a configuration error naming both ways."""
    project = _config("secrets_project") or os.environ.get("GCP_PROJECT_ID", "")
    if not project:
        raise ConfigurationError(
            "missing setting prp.secrets_project: set GCP_PROJECT_ID (or PRP__SECRETS_PROJECT) "
            "to the GCP project that holds the secrets")
    return SecretManagerSettings(project, (_config("secrets_endpoint") or DEFAULT_ENDPOINT).rstrip("/"))


def secret_name(section: str, key: str) -> str:
    """dlt's vault name: ``sources.fitbit``, ``refresh_token`` -> ``sources-fitbit-refresh_token``."""
    return "-".join([*section.split("."), key])


def make_client(settings: SecretManagerSettings) -> Any:
    """The official client on the REST transport, pointed at ``settings.endpoint``."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import secretmanager

    if settings.is_local_stand_in:
        from google.auth.credentials import AnonymousCredentials

        credentials = AnonymousCredentials()
    else:
        credentials = _default_credentials()
    return secretmanager.SecretManagerServiceClient(
        credentials=credentials, transport="rest",
        client_options=ClientOptions(api_endpoint=settings.endpoint))


def _default_credentials() -> Any:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    except DefaultCredentialsError:
        raise ConfigurationError(
            "no Google credentials for Secret Manager: set GOOGLE_APPLICATION_CREDENTIALS to a "
            "service-account key file, or run `gcloud auth application-default login`") from None
    return credentials


class SecretManager:
    """One project's secrets: read the latest version, add a version, disable older ones."""

    def __init__(self, settings: SecretManagerSettings, client: Any = None):
        self.settings = settings
        self.client = client or make_client(settings)

    def path(self, name: str) -> str:
        return f"projects/{self.settings.project}/secrets/{name}"

    def access(self, name: str) -> str | None:
        """The latest version's value, or ``None`` when the secret or its versions do not exist.

        A refused permission raises ``ConfigurationError`` naming the secret and the role.
        """
        from google.api_core import exceptions

        try:
            response = self.client.access_secret_version(name=f"{self.path(name)}/versions/latest")
        except exceptions.NotFound:
            return None
        except exceptions.Forbidden:
            raise ConfigurationError(
                f"Secret Manager refused to read secret {name!r} in project "
                f"{self.settings.project!r}: grant the service account {ACCESSOR_ROLE}") from None
        except exceptions.GoogleAPICallError as exc:
            raise PipelineError(f"Secret Manager: reading secret {name!r} failed "
                                f"({exc.code}: {_reason(exc)})") from None
        value = response.payload.data.decode("utf-8")
        register_secrets_in(value)  # a TOML fragment's values are logged one by one
        return value

    def names(self) -> set[str] | None:
        """The names of the project's secrets, or ``None`` when they cannot be listed.

        Listing needs ``secretmanager.secrets.list`` (``VIEWER_ROLE``), which the accessor role
        does not grant: a refusal, or any other failure, is logged and answered with ``None``.
        """
        from google.api_core import exceptions

        try:
            return {secret.name.rsplit("/", 1)[-1] for secret in self.client.list_secrets(
                request={"parent": f"projects/{self.settings.project}"})}
        except exceptions.Forbidden:
            log.info("secrets: Secret Manager refused to list the secrets of project %s, so each "
                     "key is looked up on its own (about 75 requests a run); grant the service "
                     "account %s to read only the secrets that exist", self.settings.project,
                     VIEWER_ROLE)
        except exceptions.GoogleAPICallError as exc:
            log.warning("secrets: listing the secrets of project %s failed (%s: %s); each key is "
                        "looked up on its own", self.settings.project, exc.code, _reason(exc))
        return None

    def add_version(self, name: str, value: str) -> int:
        """Add ``value`` as the newest version of secret ``name`` (which must exist); its number."""
        from google.api_core import exceptions
        from google_crc32c import value as crc32c

        register_secret(value)
        data = value.encode("utf-8")
        try:
            version = self.client.add_secret_version(
                parent=self.path(name), payload={"data": data, "data_crc32c": crc32c(data)})
        except exceptions.NotFound:
            raise ConfigurationError(
                f"secret {name!r} does not exist in project {self.settings.project!r}: create it "
                f"(gcloud secrets create {name} --replication-policy=automatic)") from None
        except exceptions.Forbidden:
            raise ConfigurationError(
                f"Secret Manager refused to add a version to secret {name!r}: grant the service "
                f"account {ADDER_ROLE} on it") from None
        except exceptions.GoogleAPICallError as exc:
            raise PipelineError(f"Secret Manager: adding a version to secret {name!r} failed "
                                f"({exc.code}: {_reason(exc)})") from None
        return int(version.name.rsplit("/", 1)[-1])

    def disable_older(self, name: str, keep: int) -> int:
        """Disable every enabled version of ``name`` older than version ``keep``; how many."""
        from google.api_core import exceptions

        disabled = 0
        try:
            versions = self.client.list_secret_versions(
                request={"parent": self.path(name), "filter": "state:ENABLED"})
            for version in versions:
                number = int(version.name.rsplit("/", 1)[-1])
                if number < keep:
                    self.client.disable_secret_version(name=f"{self.path(name)}/versions/{number}")
                    disabled += 1
        except exceptions.GoogleAPICallError as exc:
            # the new version is stored already: an old one left enabled is untidy, not unsafe
            log.warning("Secret Manager: could not disable older versions of %s (%s: %s); "
                        "the newest version is in place", name, exc.code, _reason(exc))
        return disabled


def _reason(exc: Any) -> str:
    """The service's message without the request URL (which is noise in a log line)."""
    message = str(getattr(exc, "message", "") or exc)
    return message.rsplit(": ", 1)[-1] if message.startswith(("GET ", "POST ")) else message
