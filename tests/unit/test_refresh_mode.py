"""The seed's four ways to ask for a full refresh, and their precedence."""

import pytest

from pipelines.runtime.refresh_mode import resolve_refresh_mode

pytestmark = pytest.mark.unit


def test_incremental_by_default():
    mode = resolve_refresh_mode("notion", environ={})
    assert not mode.full_refresh
    assert mode.label == "incremental"


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE", " Yes "])
def test_force_full_refresh_accepts_truthy_values(value):
    assert resolve_refresh_mode("notion", environ={"FORCE_FULL_REFRESH": value}).full_refresh


@pytest.mark.parametrize("value", ["false", "0", "no", ""])
def test_force_full_refresh_ignores_other_values(value):
    assert not resolve_refresh_mode("notion", environ={"FORCE_FULL_REFRESH": value}).full_refresh


def test_pipeline_name_with_source_flag():
    env = {"PIPELINE_NAME": "NOTION", "NOTION_FULL_REFRESH": "true"}
    assert resolve_refresh_mode("notion", environ=env).full_refresh


def test_source_flag_applies_only_to_the_named_pipeline():
    env = {"PIPELINE_NAME": "HUBSPOT", "NOTION_FULL_REFRESH": "true"}
    assert not resolve_refresh_mode("notion", environ=env).full_refresh
    assert not resolve_refresh_mode("notion", environ={"NOTION_FULL_REFRESH": "true"}).full_refresh


def test_explicit_argument_wins_over_environment():
    env = {"FORCE_FULL_REFRESH": "true"}
    assert not resolve_refresh_mode("notion", is_incremental=True, environ=env).full_refresh
    assert resolve_refresh_mode("notion", is_incremental=False, environ={}).full_refresh


def test_none_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv("FORCE_FULL_REFRESH", "yes")
    assert resolve_refresh_mode("notion", is_incremental=None).full_refresh
    monkeypatch.delenv("FORCE_FULL_REFRESH")
    assert not resolve_refresh_mode("notion", is_incremental=None).full_refresh
