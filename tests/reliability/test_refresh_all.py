"""`prp refresh all` tries every source, reports each, and exits with the worst result.

Problem (issue 25, item 5): with a bad Notion key, `prp refresh all` stopped at Notion; HubSpot
and Fitbit were never tried.
"""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from tests.reliability.conftest import raw_counts

pytestmark = pytest.mark.integration


def summary_line(out: str, source: str) -> str:
    lines = [line for line in out.splitlines() if f"prp.refresh:   {source}:" in line]
    assert len(lines) == 1, out[-3000:]
    return lines[0]


def test_every_source_is_tried_and_the_worst_failure_sets_the_exit_code(project_dir, sandbox,
                                                                        monkeypatch, capsys):
    box = sandbox("notion", "hubspot", "google")
    good_key = box.app("notion").token
    monkeypatch.setenv("SOURCES__NOTION__API_KEY", "ntn_not_the_right_key_0000000000")
    monkeypatch.setenv("SOURCES__HUBSPOT__MAX_RETRIES", "0")
    box.inject("hubspot:server_error:1000")  # HubSpot is down for the whole test
    capsys.readouterr()

    assert prp(["refresh", "all"]) == 2  # a configuration problem outranks a failed run
    out = capsys.readouterr().out
    assert "configuration problem" in summary_line(out, "notion")
    assert "failed" in summary_line(out, "hubspot") and "503" in summary_line(out, "hubspot")
    assert "ok" in summary_line(out, "fitbit")
    assert sum(raw_counts(project_dir, "fitbit__").values()) > 0  # tried after two failures
    assert "Traceback" not in out

    monkeypatch.setenv("SOURCES__NOTION__API_KEY", good_key)
    assert prp(["refresh", "all"]) == 1  # only a run failure left
    out = capsys.readouterr().out
    assert "ok" in summary_line(out, "notion") and "failed" in summary_line(out, "hubspot")
    assert sum(raw_counts(project_dir, "notion__").values()) > 0
    assert not raw_counts(project_dir, "hubspot__")


def test_a_person_with_one_source_refreshes_it_and_the_others_are_skipped(project_dir, sandbox,
                                                                           monkeypatch, capsys):
    """`make run` (refresh all, then transform) for someone who uses Notion only: HubSpot has
    the example file's placeholder, Fitbit nothing at all. Before, both failed as configuration
    problems, the exit was 2 and `make run` never transformed."""
    sandbox("notion")
    for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"):
        monkeypatch.delenv(f"SOURCES__FITBIT__{name}", raising=False)
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", "pat-na1-...")  # copied from the example
    capsys.readouterr()

    assert prp(["refresh", "all"]) == 0
    out = capsys.readouterr().out
    assert "ok" in summary_line(out, "notion")
    for source, key in (("hubspot", "sources.hubspot.api_key"), ("fitbit", "sources.fitbit.client_id")):
        assert "not set up" in summary_line(out, source) and key in summary_line(out, source)
    assert sum(raw_counts(project_dir, "notion__").values()) > 0
    assert prp(["transform"]) == 0


def test_no_source_set_up_is_a_configuration_problem(project_dir, sandbox, monkeypatch, capsys):
    sandbox("notion")
    monkeypatch.delenv("SOURCES__NOTION__API_KEY")
    for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"):
        monkeypatch.delenv(f"SOURCES__FITBIT__{name}", raising=False)
    monkeypatch.delenv("SOURCES__HUBSPOT__API_KEY", raising=False)
    assert prp(["refresh", "all"]) == 2
    assert "no source is set up" in capsys.readouterr().out
