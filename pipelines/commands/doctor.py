"""``prp doctor``: is everything ``make run`` needs in place? One cheap request per source.

For each registered source it resolves the secrets the way a run does (environment,
``.dlt/secrets.toml``, then Secret Manager when ``[prp] secrets = "gcp"``) and runs the check its
spec names: one authenticated request (a refused scope is named, a rotated refresh token is
stored first, as in a run). The destination check opens the DuckDB file's directory, or reads
both BigQuery datasets. When the weekly review's e-mail is configured, the SMTP server is
reached and logged in to as a send would, without sending.

A source none of whose secrets are set is not set up: its line says ``skip`` and how to connect
it, and it fails nothing, since ``make run`` skips it too. Every line says what is wrong and what
to set; no secret value is printed. Exit code 0 only when every check passed, 2 when something
is missing or refused (or no source is set up), 1 when a service failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import requests
from dlt.common.configuration.exceptions import ConfigFieldMissingException

from pipelines.runtime.errors import ConfigurationError, PipelineError, missing_setting_message
from pipelines.runtime.logs import redact, setup_logging
from pipelines.runtime.setup_check import is_set_up, not_set_up_line
from pipelines.sources import specs

log = logging.getLogger("prp.doctor")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    exit_code: int = 0
    skipped: bool = False  # a source that is not set up

    def line(self) -> str:
        status = "skip" if self.skipped else "ok  " if self.ok else "FAIL"
        return f"{status} {self.name}: {self.detail}"


def check_secrets() -> str:
    """Where secrets come from, and each source's own part (where its rotated tokens go)."""
    from pipelines.runtime.secret_manager import secrets_source

    where = secrets_source()
    parts = [f"secrets from {where}"]
    parts += [spec.secrets_check(where) for spec in specs() if spec.secrets_check]
    return ", ".join(parts)


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


def check_email() -> str:
    """The weekly review's SMTP server: reached, encrypted and logged in as a send would be."""
    from pipelines.review.smtp import check_server, smtp_settings

    return check_server(smtp_settings())


def checks() -> dict[str, Callable[[], str]]:
    """Every check by name: secrets, destination, one per registered source, then the review's
    e-mail when it is configured (off by default, so no line for it then)."""
    from pipelines.review.smtp import email_configured

    email = {"e-mail": check_email} if email_configured() else {}
    return {"secrets": check_secrets, "destination": check_destination,
            **{spec.name: spec.doctor for spec in specs()}, **email}


def run_check(name: str, check: Callable[[], str]) -> Check:
    """One check, its failure turned into a line a person can act on. Its requests retry
    twice, briefly: a service that is down is a FAIL line in seconds, not after a run's minutes
    of retrying."""
    from pipelines.runtime.http import quick_answers

    try:
        with quick_answers():
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
    skipped = {spec.name: spec for spec in specs() if not is_set_up(spec)}
    results = [Check(name, True, not_set_up_line(skipped[name]), skipped=True) if name in skipped
               else run_check(name, check) for name, check in checks().items()]
    if len(skipped) == len(specs()):
        results.append(Check("sources", False, "no source is set up: set one source's secrets "
                             "(.dlt/secrets.toml.example lists them)", 2))
    for result in results:
        print(redact(result.line()), flush=True)
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
