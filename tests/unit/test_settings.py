"""Project settings: defaults, dataset prefixes per target, and errors for bad values."""

import pytest

from pipelines.cli import main as prp
from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.settings import load_settings

pytestmark = pytest.mark.unit


def test_duckdb_defaults_to_dev_prefixed_datasets(project_dir):
    settings = load_settings()
    assert settings.destination == "duckdb"
    assert (settings.raw_dataset, settings.analytics_dataset) == ("dev_raw_data", "dev_analytics")
    assert settings.duckdb_path == project_dir / "warehouse.duckdb"


def test_bigquery_defaults_to_production_names(project_dir, monkeypatch):
    monkeypatch.setenv("PRP__DESTINATION", "bigquery")
    settings = load_settings()
    assert (settings.raw_dataset, settings.analytics_dataset) == ("raw_data", "analytics")
    monkeypatch.setenv("BIGQUERY_DATASET", "my_raw")
    assert load_settings().raw_dataset == "my_raw"


def test_non_prod_target_prefixes_both_datasets(project_dir, monkeypatch):
    monkeypatch.setenv("PRP__DESTINATION", "bigquery")
    monkeypatch.setenv("PRP__TARGET", "ci")
    settings = load_settings()
    assert (settings.raw_dataset, settings.analytics_dataset) == ("ci_raw_data", "ci_analytics")


@pytest.mark.parametrize("key,value,named", [
    ("PRP__DESTINATION", "postgres", "prp.destination"),
    ("PRP__TIMEZONE", "Mars/Olympus", "prp.timezone"),
])
def test_bad_values_name_the_setting(project_dir, monkeypatch, key, value, named):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigurationError, match=named):
        load_settings()


def test_bad_configuration_exits_2_naming_the_setting(project_dir, monkeypatch, capsys):
    monkeypatch.setenv("SOURCES__NOTION__API_KEY", "ntn_unused_because_settings_fail_first")
    monkeypatch.setenv("PRP__TIMEZONE", "Nowhere/Land")
    assert prp(["refresh", "notion"]) == 2
    assert "prp.timezone" in capsys.readouterr().out


def test_usage_errors_exit_2(project_dir):
    assert prp(["refresh", "nonsense"]) == 2
    assert prp(["refresh", "notion", "--since", "yesterday"]) == 2
