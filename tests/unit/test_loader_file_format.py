"""The loader file format setting: parquet for DuckDB, dlt's default for BigQuery, bad values exit 2."""

import pytest

from pipelines.cli import main as prp
from pipelines.runtime.settings import load_settings

pytestmark = pytest.mark.unit


def test_duckdb_loads_parquet_and_bigquery_keeps_dlts_default(project_dir, monkeypatch):
    assert load_settings().loader_file_format == "parquet"
    monkeypatch.setenv("PRP__DESTINATION", "bigquery")
    assert load_settings().loader_file_format is None


def test_a_configured_format_wins_on_either_destination(project_dir, monkeypatch):
    monkeypatch.setenv("PRP__LOADER_FILE_FORMAT", "insert_values")
    assert load_settings().loader_file_format == "insert_values"
    monkeypatch.setenv("PRP__DESTINATION", "bigquery")
    monkeypatch.setenv("PRP__LOADER_FILE_FORMAT", "JSONL")
    assert load_settings().loader_file_format == "jsonl"


def test_a_bad_format_exits_2_in_one_line_naming_the_setting(project_dir, monkeypatch, capsys):
    monkeypatch.setenv("SOURCES__NOTION__API_KEY", "ntn_unused_because_settings_fail_first")
    monkeypatch.setenv("PRP__LOADER_FILE_FORMAT", "xlsx")
    assert prp(["refresh", "notion"]) == 2
    lines = [line for line in capsys.readouterr().out.splitlines() if "loader_file_format" in line]
    assert len(lines) == 1 and "PRP__LOADER_FILE_FORMAT" in lines[0]
