"""The one warehouse reader: DuckDB for real, BigQuery's SQL through a stand-in client (no test
reaches Google), and a missing warehouse that reads as empty without being created."""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest import mock

import duckdb
import pytest

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_reader import WarehouseReader, open_warehouse

pytestmark = pytest.mark.unit


def _settings(path: Path, destination: str = "duckdb") -> Settings:
    return Settings(destination=destination, target="dev", duckdb_path=path, raw_dataset_base="raw_data",
                    analytics_dataset_base="analytics", timezone="UTC", data_dir=path.parent)


def test_duckdb_tables_counts_and_rows_with_missing_tables_read_as_empty(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw; create table raw.a (x int, y varchar); "
                    "insert into raw.a values (1, 'one'), (2, null); create schema other; "
                    "create table other.b (x int)")
    with open_warehouse(_settings(path), "raw") as reader:
        assert reader.has_dataset() and reader.tables() == {"a"}
        assert reader.count("a") == 2 and reader.count("a", "x > %s", (1,)) == 1
        assert reader.count("b") is None
        assert reader.row_counts(["a", "b"]) == {"a": 2}
        assert reader.select("a", "x, y", "where x = %s", (1,)) == [{"x": 1, "y": "one"}]
        assert reader.select("b") == []
    with open_warehouse(_settings(path), "never_loaded") as reader:
        assert not reader.has_dataset() and reader.tables() == set() and reader.select("a") == []


def test_a_missing_duckdb_file_reads_as_empty_and_is_not_created(tmp_path):
    path = tmp_path / "missing.duckdb"
    with open_warehouse(_settings(path), "raw") as reader:
        assert reader.tables() == set() and reader.count("a") is None and reader.rows("select 1") == []
    assert not path.exists()


class _BigQueryStandIn:
    """What dlt's BigQuery SQL client answers, for the statements the reader sends."""

    capabilities = mock.Mock(sqlglot_dialect="bigquery")

    def __init__(self, tables: dict[str, int]):
        self.tables, self.sent = tables, []

    def has_dataset(self):
        return True

    def fully_qualified_dataset_name(self):
        return "`my-project`.`analytics`"

    def make_qualified_table_name(self, table):
        return f"`my-project`.`analytics`.`{table}`"

    @contextlib.contextmanager
    def execute_query(self, sql, *params):
        self.sent.append((sql, params))
        if "INFORMATION_SCHEMA.TABLES" in sql:
            rows = [(name,) for name in self.tables]
        else:
            rows = [(name, self.tables[name]) for name in params]
        yield mock.Mock(description=[("table", None), ("rows", None)], fetchall=lambda: rows)


def test_bigquery_lists_tables_in_the_dataset_and_counts_them_in_one_query():
    client = _BigQueryStandIn({"fct_sleep_nightly": 3})
    reader = WarehouseReader(client, "analytics")
    assert reader.row_counts(["fct_sleep_nightly", "dim_contacts"]) == {"fct_sleep_nightly": 3}
    assert client.sent[0][0] == "select table_name from `my-project`.`analytics`.INFORMATION_SCHEMA.TABLES"
    assert client.sent[1] == ("select %s, count(*) from `my-project`.`analytics`.`fct_sleep_nightly`",
                              ("fct_sleep_nightly",))


def test_bigquery_without_credentials_is_a_configuration_error_naming_the_fix(tmp_path, monkeypatch):
    from google.auth.exceptions import DefaultCredentialsError

    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID",
                 "DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY",
                 "DESTINATION__BIGQUERY__CREDENTIALS__CLIENT_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .dlt/secrets.toml with credentials
    with mock.patch("google.auth.default", side_effect=DefaultCredentialsError("none")):
        with pytest.raises(ConfigurationError, match="GOOGLE_APPLICATION_CREDENTIALS"):
            with open_warehouse(_settings(tmp_path / "unused.duckdb", "bigquery"), "analytics"):
                pass
