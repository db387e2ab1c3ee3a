"""A fourth source joins through the registry alone: its package (tests/fixtures/fourth_source)
and the ``[prp] extra_sources`` setting, no other file edited. Every command that goes over the
sources finds it: ``prp refresh --help``, ``prp doctor``, ``prp privacy``, ``prp status`` and the
report's "not connected yet" notes; and ``prp refresh <it>`` loads it through the one runner."""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp

pytestmark = pytest.mark.integration

MODULE = "tests.fixtures.fourth_source"


@pytest.fixture
def fourth(project_dir, monkeypatch):
    monkeypatch.setenv("PRP__EXTRA_SOURCES", MODULE)
    return project_dir


def run(capsys, *argv: str) -> tuple[int, str]:
    code = prp(list(argv))
    out = capsys.readouterr().out
    print(out)
    return code, out


def test_the_registry_lists_it_after_the_built_in_sources(fourth):
    from pipelines.sources import SOURCE_MODULES, names, spec_of

    assert names() == [*SOURCE_MODULES, "moods"]
    assert spec_of("moods").label == "Mood journal"


def test_every_command_finds_the_fourth_source(fourth, capsys, tmp_path):
    code, out = run(capsys, "refresh", "--help")
    assert code == 0 and "moods" in out.split("positional arguments")[0]

    code, out = run(capsys, "doctor")  # the built-in sources lack secrets here: they fail
    assert "ok   moods: journal readable, 2 entries" in out.splitlines()

    code, out = run(capsys, "privacy")
    assert code == 0 and "moods: every value kept, as the API returns it" in out.splitlines()

    code, out = run(capsys, "status")
    assert code == 0 and any(line.startswith("moods: never run into dataset") for line in out.splitlines())

    report = tmp_path / "report.html"
    assert run(capsys, "report", "--output", str(report))[0] == 0
    html = report.read_text()
    assert ("<p class='not-connected' data-source='moods'><strong>Mood journal not connected yet."
            "</strong> To connect it, point [sources.moods] at your journal") in html


def test_it_loads_through_the_runner_and_its_cloud_defaults_apply(fourth, capsys, monkeypatch):
    monkeypatch.setenv("PRP__PRIVACY", "cloud")  # its spec's cloud default: notes redacted
    monkeypatch.setenv("PRIVACY__HASH_KEY", "k" * 32)  # the built-in sources' defaults hash
    assert run(capsys, "refresh", "moods")[0] == 0
    code, out = run(capsys, "status")
    assert "  moods__entries: 2 rows" in out.splitlines()
    code, out = run(capsys, "privacy")
    assert any(line.split() == ["moods__entries.note", "redact", "2", "values", "in", "the", "last", "run"]
               for line in out.splitlines())


def test_an_extra_source_that_is_not_there_is_a_configuration_problem(project_dir, monkeypatch, caplog):
    monkeypatch.setenv("PRP__EXTRA_SOURCES", "tests.fixtures.no_such_source")
    assert prp(["status"]) == 2
    assert "no module tests.fixtures.no_such_source" in caplog.text
