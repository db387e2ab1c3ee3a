"""End to end against the live APIs (opt-in: ``make e2e``; never part of ``make test``).

Set the E2E_* variables (see the README, "End-to-end tests"); without them every test is skipped
with a one-line reason. Each source refreshes into a temporary DuckDB twice and the invariants
that hold for any account are checked: primary keys unique, a second run loads nothing new, no
secret in the logs. With E2E_GCP_PROJECT_ID (and Google credentials) the same chain runs on
BigQuery datasets prefixed for the test, ``dbt build --target prod`` passes there, and the
datasets are dropped afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import duckdb_rows

pytestmark = pytest.mark.e2e

CREDENTIALS = {
    "hubspot": {"SOURCES__HUBSPOT__API_KEY": "E2E_HUBSPOT_API_KEY"},
    "notion": {"SOURCES__NOTION__API_KEY": "E2E_NOTION_API_KEY"},
    "fitbit": {"SOURCES__FITBIT__CLIENT_ID": "E2E_FITBIT_CLIENT_ID",
               "SOURCES__FITBIT__CLIENT_SECRET": "E2E_FITBIT_CLIENT_SECRET",
               "SOURCES__FITBIT__REFRESH_TOKEN": "E2E_FITBIT_REFRESH_TOKEN"},
}
KEYS = {"hubspot": ("hubspot__contacts", "id"), "notion": ("notion__pages", "page_id"),
        "fitbit": ("fitbit__sleep", "sleep_id")}
LIVE = {name: {target: os.environ.get(source) for target, source in env.items()}
        for name, env in CREDENTIALS.items()}  # read before the fixtures clear the environment


def use_credentials(source: str, monkeypatch) -> list[str]:
    values = LIVE[source]
    missing = [CREDENTIALS[source][k] for k, v in values.items() if not v]
    if missing:
        pytest.skip(f"{source}: set {', '.join(missing)} to run against the live API")
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return [v for v in values.values() if v]


@pytest.mark.parametrize("source", list(CREDENTIALS))
def test_live_refresh_invariants(source, project_dir, monkeypatch, capsys):
    from pipelines.sources import refresh_function

    secrets = use_credentials(source, monkeypatch)
    monkeypatch.setenv("SOURCES__FITBIT__TOKEN_STORE", "local")  # a rotated token stays local
    refresh = refresh_function(source)
    refresh()
    table, key = KEYS[source]
    database = project_dir / "warehouse.duckdb"
    total, distinct = duckdb_rows(database, f"select count(*), count(distinct {key}) "
                                            f"from dev_raw_data.{table}")[0]
    assert total == distinct  # primary keys unique
    second = refresh()
    assert sum(second.prp_summary.rows.values()) <= total  # nothing duplicated on a re-run
    assert duckdb_rows(database, f"select count(*) from dev_raw_data.{table}")[0][0] == total
    logs = capsys.readouterr().out
    assert not [s for s in secrets if len(s) >= 8 and s in logs]


def test_live_chain_on_bigquery(project_dir, monkeypatch):
    project = os.environ.get("E2E_GCP_PROJECT_ID")
    if not project or not os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        pytest.skip("set E2E_GCP_PROJECT_ID and GOOGLE_APPLICATION_CREDENTIALS to run on BigQuery")
    available = [s for s in CREDENTIALS if all(LIVE[s].values())]
    if not available:
        pytest.skip("set the E2E_* credentials of at least one source")
    from google.cloud import bigquery

    from pipelines.sources import refresh_function
    from pipelines.transform import run_dbt

    target = f"e2e_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("GCP_PROJECT_ID", project)
    monkeypatch.setenv("PRP__DESTINATION", "bigquery")
    monkeypatch.setenv("PRP__TARGET", target)  # datasets e2e_xxxx_raw_data, e2e_xxxx_analytics
    client = bigquery.Client(project=project)
    try:
        for source in available:
            use_credentials(source, monkeypatch)
            refresh_function(source)()
        run_dbt("build", "--target", "prod")
    finally:
        for dataset in client.list_datasets():
            if dataset.dataset_id.startswith(target):
                client.delete_dataset(dataset.reference, delete_contents=True, not_found_ok=True)
