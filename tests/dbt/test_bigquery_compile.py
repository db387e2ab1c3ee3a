"""Every model compiles for the BigQuery ``prod`` target offline and parses as BigQuery SQL.

``dbt compile --target prod`` runs in-process with a throwaway service-account key (a fresh RSA
key that no Google project knows) and ``--no-populate-cache``, so nothing talks to Google;
every compiled model and data test is then parsed with sqlglot's BigQuery dialect.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.dbt

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"

# DuckDB spellings that sqlglot would still read as BigQuery but BigQuery rejects.
DUCKDB_ONLY = {
    "'::' cast": re.compile(r"::"),
    "isodow": re.compile(r"\bisodow\s*\(", re.I),
    "union all by name": re.compile(r"\bunion\s+all\s+by\s+name\b", re.I),
    "unpivot": re.compile(r"\bunpivot\b", re.I),
    "to_timestamp": re.compile(r"\bto_timestamp\s*\(", re.I),
    "strftime": re.compile(r"\bstrftime\s*\(", re.I),
    "epoch": re.compile(r"\bepoch\s*\(", re.I),
    "generate_series": re.compile(r"\bgenerate_series\s*\(", re.I),
    "timezone()": re.compile(r"\btimezone\s*\(", re.I),
    "double type": re.compile(r"\bas\s+double\b", re.I),
    "varchar type": re.compile(r"\bas\s+varchar\b", re.I),
}


def throwaway_service_account_key(path: Path) -> Path:
    """A syntactically valid service-account JSON key with a fresh RSA key nobody trusts.

    1024 bits, the smallest the key library makes: dbt-bigquery loads the key again for every
    node it compiles, and loading a 2048-bit key took a third of the compile's CPU.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account",
        "project_id": "prp-offline-check",
        "private_key_id": "0" * 40,
        "private_key": pem,
        "client_email": "compile-check@prp-offline-check.iam.gserviceaccount.com",
        "client_id": "1" * 21,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/compile-check",
    }))
    return path


@pytest.fixture(scope="module")
def prod_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Compile the whole project for ``prod`` offline; the manifest it writes.

    In this process (dbt's ``dbtRunner``, as ``prp transform`` runs dbt): a ``dbt`` process
    would pay dbt's imports again, about a third of the compile's CPU.
    """
    from dbt.cli.main import dbtRunner

    work = tmp_path_factory.mktemp("bigquery_compile")
    keyfile = throwaway_service_account_key(work / "service-account.json")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("PRP_", "DBT_", "GOOGLE_", "GCP_", "BIGQUERY_")):
                mp.delenv(name)
        for name, value in {
            "DBT_TARGET": "prod",
            "GOOGLE_APPLICATION_CREDENTIALS": str(keyfile),
            "GCP_PROJECT_ID": "prp-offline-check",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # make any accidental call to Google fail fast instead of hanging
            "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
        }.items():
            mp.setenv(name, value)
        mp.chdir(work)
        result = dbtRunner().invoke([
            "compile", "--target", "prod", "--no-populate-cache",
            "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--vars", json.dumps({"timezone": "Europe/London"}), "--quiet",
            "--log-level-file", "none"])
    assert result.success, result.exception
    return json.loads((work / "target" / "manifest.json").read_text())


def compiled_nodes(manifest: dict, resource_type: str) -> dict[str, str]:
    return {uid: node.get("compiled_code") or "" for uid, node in manifest["nodes"].items()
            if node["resource_type"] == resource_type
            and node["package_name"] == "personal_reporting"}


def test_every_model_compiles_for_bigquery(prod_manifest):
    models = compiled_nodes(prod_manifest, "model")
    assert models, "no model compiled"
    assert not [uid for uid, sql in models.items() if not sql.strip()]
    # the prod target really was BigQuery
    assert prod_manifest["metadata"]["adapter_type"] == "bigquery"
    for marts_model in ("fct_habit_periods", "habit_metrics", "habit_streaks", "fct_engagements",
                        "dim_contacts", "dim_companies", "fct_sleep_nightly",
                        "fct_activity_daily", "daily_summary"):
        assert f"model.personal_reporting.{marts_model}" in models


def test_every_compiled_model_and_test_parses_as_bigquery_sql(prod_manifest):
    import sqlglot

    failures = []
    for resource_type in ("model", "test"):
        for uid, sql in compiled_nodes(prod_manifest, resource_type).items():
            try:
                statements = sqlglot.parse(sql, read="bigquery")
            except sqlglot.errors.ParseError as exc:
                failures.append(f"{uid}: {str(exc)[:400]}")
                continue
            if not [s for s in statements if s is not None]:
                failures.append(f"{uid}: no statement")
    assert not failures, "\n".join(failures)


def test_no_duckdb_only_syntax_reaches_bigquery(prod_manifest):
    found = []
    for resource_type in ("model", "test"):
        for uid, sql in compiled_nodes(prod_manifest, resource_type).items():
            found += [f"{uid}: {name}" for name, pattern in DUCKDB_ONLY.items()
                      if pattern.search(sql)]
    assert not found, "\n".join(found)


def test_qualify_comes_with_where_group_by_or_having(prod_manifest):
    """BigQuery has rejected a QUALIFY with none of WHERE, GROUP BY or HAVING beside it."""
    import sqlglot
    from sqlglot import expressions as exp

    lonely = []
    for resource_type in ("model", "test"):
        for uid, sql in compiled_nodes(prod_manifest, resource_type).items():
            for statement in sqlglot.parse(sql, read="bigquery"):
                for select in (statement.find_all(exp.Select) if statement else ()):
                    if select.args.get("qualify") and not any(
                            select.args.get(k) for k in ("where", "group", "having")):
                        lonely.append(uid)
    assert not lonely, "add `where true` or filter in a CTE: " + ", ".join(sorted(set(lonely)))


def test_every_incremental_model_filters_on_its_partition_column(prod_manifest):
    """An incremental model's daily SQL (what ``dbt compile`` shows) keeps only the rows from a
    constant date on, on the column its table is partitioned by, so a daily build rewrites the
    recent partitions; its MERGE prunes the target on that column too (``lookback_column``)."""
    import sqlglot
    from sqlglot import expressions as exp

    incremental = {uid: node for uid, node in prod_manifest["nodes"].items()
                   if node["resource_type"] == "model"
                   and node["config"].get("materialized") == "incremental"}
    assert {"model.personal_reporting.fct_sleep_nightly",
            "model.personal_reporting.fct_activity_daily"} <= set(incremental)
    wrong = []
    for uid, node in incremental.items():
        config = node["config"]
        column = (config.get("partition_by") or {}).get("field")
        if not column or config.get("lookback_column") != column or not config.get("unique_key"):
            wrong.append(f"{uid}: partition_by {column}, lookback_column "
                         f"{config.get('lookback_column')}, unique_key {config.get('unique_key')}")
            continue
        outer = sqlglot.parse_one(node["compiled_code"], read="bigquery")
        where = outer.args.get("where")
        filters = [c for c in (where.find_all(exp.GTE) if where else ())
                   if c.this.name == column and not list(c.expression.find_all(exp.Column))]
        if not filters:
            wrong.append(f"{uid}: no `where {column} >= <constant>` in its daily SQL")
    assert not wrong, "\n".join(wrong)


def test_every_mart_is_clustered_and_the_dated_ones_partitioned(prod_manifest):
    marts = {node["name"]: node["config"] for node in prod_manifest["nodes"].values()
             if node["resource_type"] == "model" and node["fqn"][1] == "marts"}
    assert marts
    assert not [name for name, config in marts.items() if not config.get("cluster_by")]
    dated = {"fct_engagements": "occurred_date", "fct_habit_periods": "period_start",
             "fct_sleep_nightly": "sleep_date", "fct_activity_daily": "activity_date",
             "daily_summary": "summary_date"}
    assert {name: (marts[name].get("partition_by") or {}).get("field") for name in dated} == dated
