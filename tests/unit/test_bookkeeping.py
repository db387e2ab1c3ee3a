"""The project's own tables (``_prp_completeness``, ``_prp_privacy``) are loaded through dlt:
tables written by hand-made SQL before are adopted, a source's privacy rows are replaced, a
table dropped by hand comes back, and the loads are no source's."""

from __future__ import annotations

from datetime import datetime

import dlt
import duckdb
import pytest

from pipelines.runtime import bookkeeping
from tests.conftest import duckdb_rows

pytestmark = pytest.mark.unit


def _check(api: int, held: int) -> dict:
    return {"source": "notion", "table_name": "notion__pages", "scope": "db", "api_count": api,
            "warehouse_count": held, "checked_at": datetime(2026, 3, 2, 6, 0, 0)}


def _privacy(source: str, column: str) -> dict:
    return {"source": source, "table_name": "t", "column_name": column, "treatment": "hash",
            "values_affected": 3, "policy_mode": "cloud", "recorded_at": "2026-03-02T06:00:00+00:00"}


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:  # as the hand-made SQL created them before
        con.execute("create schema raw; create table raw._prp_completeness (source varchar(64), "
                    "table_name varchar(128), scope varchar(256), api_count bigint, "
                    "warehouse_count bigint, checked_at timestamp); insert into raw._prp_completeness "
                    "values ('notion', 'notion__pages', 'db', 3, 3, '2026-03-01 06:00:00'); "
                    "create table raw._prp_privacy (source varchar, table_name varchar, "
                    "column_name varchar, treatment varchar, values_affected bigint, "
                    "policy_mode varchar, recorded_at varchar); insert into raw._prp_privacy values "
                    "('notion', 't', 'old', 'hash', 1, 'cloud', 'x'), "
                    "('hubspot', 't', 'c', 'hash', 1, 'cloud', 'x')")
    return path, _pipeline(tmp_path, path)


def _pipeline(tmp_path, path, name: str = "prp_notion_test"):
    """A dlt pipeline into the DuckDB file ``path``, dataset ``raw``."""
    return dlt.pipeline(pipeline_name=name, pipelines_dir=str(tmp_path / "dlt"),
                        destination=dlt.destinations.duckdb(str(path)), dataset_name="raw")


def test_earlier_tables_are_adopted_checks_appended_and_a_sources_privacy_rows_replaced(warehouse):
    path, pipeline = warehouse
    bookkeeping.record(pipeline, "notion", [_check(4, 3)], [_privacy("notion", "email")])
    bookkeeping.record(pipeline, "notion", [_check(4, 4)], [_privacy("notion", "name")])
    assert duckdb_rows(path, "select api_count, warehouse_count, checked_at "
                             "from raw._prp_completeness order by all") == [
        (3, 3, datetime(2026, 3, 1, 6)), (4, 3, datetime(2026, 3, 2, 6)), (4, 4, datetime(2026, 3, 2, 6))]
    assert duckdb_rows(path, "select source, column_name from raw._prp_privacy order by all") == [
        ("hubspot", "c"), ("notion", "name")]
    # dlt's load log names the bookkeeping, never a source (no source's "last load")
    assert {s for (s,) in duckdb_rows(path, "select schema_name from raw._dlt_loads")} == {"prp_bookkeeping"}


def test_no_privacy_rows_remove_the_sources_earlier_ones(warehouse):
    path, pipeline = warehouse
    bookkeeping.record(pipeline, "notion", [], [])
    assert duckdb_rows(path, "select source from raw._prp_privacy") == [("hubspot",)]


def test_a_table_dropped_by_hand_is_created_again(warehouse):
    path, pipeline = warehouse
    bookkeeping.record(pipeline, "notion", [_check(1, 1)], [_privacy("notion", "email")])
    with duckdb.connect(str(path)) as con:
        con.execute("drop table raw._prp_completeness")
    bookkeeping.record(pipeline, "notion", [_check(2, 2)], [_privacy("notion", "email")])
    assert duckdb_rows(path, "select api_count from raw._prp_completeness") == [(2,)]


def test_with_nothing_to_record_the_privacy_table_is_made_empty(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
    pipeline = _pipeline(tmp_path, path, "prp_fitbit_test")
    bookkeeping.record(pipeline, "fitbit", [], [])
    assert duckdb_rows(path, "select count(*) from raw._prp_privacy") == [(0,)]
    bookkeeping.record(pipeline, "fitbit", [], [_privacy("fitbit", "steps")])
    assert duckdb_rows(path, "select source, column_name from raw._prp_privacy") == [("fitbit", "steps")]


def test_nothing_is_written_where_nothing_was_ever_loaded(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    pipeline = _pipeline(tmp_path, path)
    bookkeeping.record(pipeline, "notion", [_check(1, 1)], [_privacy("notion", "email")])
    assert duckdb_rows(path, "select count(*) from information_schema.schemata "
                             "where schema_name = 'raw'") == [(0,)]
