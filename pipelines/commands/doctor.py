"""``prp doctor``: is everything ``make run`` needs in place? One cheap request per source.

For each source it resolves the secrets the way a run does (environment, ``.dlt/secrets.toml``,
then Secret Manager when ``[prp] secrets = "gcp"``) and makes one authenticated request:
HubSpot lists one record of every configured object type (a 403 names the missing scopes),
Notion searches for one data source, Fitbit refreshes its access token (a rotated refresh token
is stored first, as in a run) and compares the granted scopes with the ones the source reads.
The destination check opens the DuckDB file's directory, or reads both BigQuery datasets.

Every line says what is wrong and what to set; no secret value is printed. Exit code 0 only
when every check passed, 2 when something is missing or refused, 1 when a service failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import dlt
import requests
from dlt.common.configuration import with_config
from dlt.common.configuration.exceptions import ConfigFieldMissingException

from pipelines.runtime.errors import ConfigurationError, PipelineError, missing_setting_message
from pipelines.runtime.logs import redact, register_secret, setup_logging

log = logging.getLogger("prp.doctor")
TIMEOUT = 30


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    exit_code: int = 0


@with_config(sections=("sources", "hubspot"))
def _hubspot_key(api_key: str = dlt.secrets.value) -> str:
    return api_key


@with_config(sections=("sources", "notion"))
def _notion_key(api_key: str = dlt.secrets.value) -> str:
    return api_key


def _secret(read: Callable[[], str]) -> str:
    """A secret resolved as a run resolves it (a missing one raises naming its key)."""
    value = str(read())
    register_secret(value)
    return value


def _config(section: str, key: str, default: str) -> str:
    value = dlt.config.get(f"{section}.{key}")
    return default if value in (None, "") else str(value)


def check_hubspot() -> str:
    """List one record of every configured object type with the private-app token."""
    from pipelines.sources.hubspot.client import required_scopes
    from pipelines.sources.hubspot.objects import load_objects

    token = _secret(_hubspot_key)
    base = _config("sources.hubspot", "base_url", "https://api.hubapi.com").rstrip("/")
    objects, engagements = load_objects(dlt.config.get("sources.hubspot.objects_file"))
    missing: list[str] = []
    for spec in [*objects, *engagements]:
        response = requests.get(f"{base}/crm/v3/objects/{spec.object_type}", params={"limit": 1},
                                headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
        if response.status_code == 401:
            raise ConfigurationError("sources.hubspot.api_key was rejected (401): create a new "
                                     "private-app access token and store it there")
        if response.status_code == 403:
            missing += [s for s in required_scopes(_json(response)) or [spec.object_type]
                        if s not in missing]
        elif response.status_code >= 300:
            raise PipelineError(f"HubSpot answered {response.status_code} for {spec.object_type}")
    if missing:
        raise ConfigurationError(f"the HubSpot private app lacks scope(s) {', '.join(missing)}: "
                                 "grant them in HubSpot (Settings > Integrations > Private apps)")
    return f"token accepted, {len(objects) + len(engagements)} object types readable"


def check_notion() -> str:
    """Search for one data source shared with the integration."""
    token = _secret(_notion_key)
    base = _config("sources.notion", "base_url", "https://api.notion.com").rstrip("/")
    version = _config("sources.notion", "notion_version", "2025-09-03")
    response = requests.post(f"{base}/v1/search", timeout=TIMEOUT,
                             json={"filter": {"property": "object", "value": "data_source"},
                                   "page_size": 1},
                             headers={"Authorization": f"Bearer {token}", "Notion-Version": version})
    if response.status_code == 401:
        raise ConfigurationError("sources.notion.api_key was rejected (401): copy the internal "
                                 "integration secret again and store it there")
    if response.status_code >= 300:
        raise PipelineError(f"Notion answered {response.status_code} to a search")
    if not _json(response).get("results"):
        raise ConfigurationError("the Notion integration sees no database: share your habit "
                                 "databases with it (... > Connections)")
    return "token accepted, databases shared"


def check_fitbit() -> str:
    """Refresh the access token (storing a rotated refresh token) and compare the scopes."""
    from pipelines.sources.fitbit.oauth import REAUTHORISE_HINT, SCOPE_PREFIX, SCOPES, google_oauth

    auth = google_oauth()
    auth.refresh()
    missing = [s.removeprefix(SCOPE_PREFIX) for s in SCOPES if not auth.granted(s.removeprefix(SCOPE_PREFIX))]
    if missing:
        raise ConfigurationError(f"the Fitbit grant lacks scope(s) {', '.join(missing)}: "
                                 f"{REAUTHORISE_HINT} and tick every box")
    return f"refresh token accepted, all scopes granted, new tokens go to {auth.store.describe()}"


def check_token_store() -> str:
    """In production the rotated Fitbit token must go where the next runner reads it."""
    from pipelines.runtime.secret_manager import secrets_source

    store = _config("sources.fitbit", "token_store", "local")
    if secrets_source() == "gcp" and store != "gcp":
        raise ConfigurationError(
            "prp.secrets is gcp but sources.fitbit.token_store is local: a rotated refresh token "
            "would be lost with the runner's disk; set SOURCES__FITBIT__TOKEN_STORE=gcp")
    return f"secrets from {secrets_source()}, Fitbit tokens stored in {store}"


def check_destination() -> str:
    """DuckDB: the file's directory is writable. BigQuery: both datasets can be read."""
    from pipelines.runtime.settings import load_settings

    settings = load_settings()
    if settings.destination == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return f"DuckDB at {settings.duckdb_path}"
    return _check_bigquery(settings.raw_dataset, settings.analytics_dataset)


def _check_bigquery(*datasets: str) -> str:
    import os

    import google.auth
    from google.api_core import exceptions
    from google.auth.exceptions import DefaultCredentialsError
    from google.cloud import bigquery

    try:
        credentials, default_project = google.auth.default()
    except DefaultCredentialsError:
        raise ConfigurationError("no Google credentials for BigQuery: set "
                                 "GOOGLE_APPLICATION_CREDENTIALS to a service-account key file") from None
    project = os.environ.get("GCP_PROJECT_ID") or default_project
    if not project:
        raise ConfigurationError("missing setting GCP_PROJECT_ID: the BigQuery project to load into")
    client = bigquery.Client(project=project, credentials=credentials)
    for dataset in datasets:
        try:
            client.get_dataset(f"{project}.{dataset}")
        except exceptions.NotFound:
            raise ConfigurationError(f"BigQuery dataset {project}.{dataset} does not exist: create "
                                     f"it (bq mk --dataset {project}:{dataset})") from None
        except exceptions.Forbidden:
            raise ConfigurationError(f"the service account may not read BigQuery dataset "
                                     f"{project}.{dataset}: grant it roles/bigquery.admin") from None
    return f"BigQuery datasets {', '.join(datasets)} in {project}"


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


CHECKS: dict[str, Callable[[], str]] = {
    "secrets": check_token_store,
    "destination": check_destination,
    "hubspot": check_hubspot,
    "notion": check_notion,
    "fitbit": check_fitbit,
}


def run_check(name: str, check: Callable[[], str]) -> Check:
    """One check, its failure turned into a line a person can act on."""
    try:
        return Check(name, True, check())
    except ConfigurationError as exc:
        return Check(name, False, str(exc), 2)
    except ConfigFieldMissingException as exc:
        section = f"sources.{name}"
        return Check(name, False, "; ".join(missing_setting_message(section, f) for f in exc.fields), 2)
    except (PipelineError, requests.RequestException, OSError) as exc:
        return Check(name, False, f"{type(exc).__name__}: {exc}", 1)


def _privacy_warnings() -> list[str]:
    """A cloud destination whose privacy policy nobody has reviewed (``prp privacy``)."""
    from pipelines.commands.privacy import privacy_warnings

    try:
        return privacy_warnings()
    except ConfigurationError:  # bad settings: the destination check already says which
        return []


def run_doctor() -> int:
    """Run every check, print one line each, and return the exit code."""
    from pipelines.runtime.secrets_source import use_configured_secrets

    setup_logging()
    use_configured_secrets()
    results = [run_check(name, check) for name, check in CHECKS.items()]
    for result in results:
        print(redact(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}"), flush=True)
    for warning in _privacy_warnings():  # warnings only: the exit code does not change
        print(f"warn {warning}", flush=True)
    codes = [r.exit_code for r in results if not r.ok]
    if not codes:
        print("everything `make run` needs is in place", flush=True)
        return 0
    return 2 if 2 in codes else 1


def doctor() -> None:
    """``prp doctor``: run the checks; a failed one raises with the CLI's exit code."""
    code = run_doctor()
    if code == 2:
        raise ConfigurationError("something `make run` needs is missing or refused (the FAIL lines say what)")
    if code == 1:
        raise PipelineError("a service failed to answer a check (the FAIL lines say which)")
