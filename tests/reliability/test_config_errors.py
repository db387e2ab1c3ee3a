"""Every configuration or usage error exits 2 with one line that names the setting; no traceback."""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from tests.conftest import run_prp

pytestmark = pytest.mark.integration


def one_line_exit_2(capsys, argv: list[str], *named: str) -> None:
    capsys.readouterr()
    assert prp(argv) == 2
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if "ERROR" in line or "error:" in line]
    assert len(errors) == 1, out[-2000:]
    for word in named:
        assert word in errors[0], errors[0]


def test_non_numeric_rate_exits_2(project_dir, sandbox, monkeypatch, capsys):
    """Problem: SOURCES__NOTION__REQUESTS_PER_SECOND=abc gave a traceback and exit 1."""
    sandbox("notion")
    monkeypatch.setenv("SOURCES__NOTION__REQUESTS_PER_SECOND", "abc")
    one_line_exit_2(capsys, ["refresh", "notion"], "requests_per_second",
                    "SOURCES__NOTION__REQUESTS_PER_SECOND")


def test_malformed_secrets_file_exits_2(project_dir, sandbox):
    """Problem: a malformed .dlt/secrets.toml gave a traceback and exit 1.

    Run as a separate process: dlt reads the TOML files once per process.
    """
    sandbox("notion")
    secrets = project_dir / ".dlt" / "secrets.toml"
    secrets.write_text("[sources.notion\napi_key = \n")
    code, out = run_prp(project_dir, "refresh", "notion", timeout=120)
    assert code == 2, out[-2000:]
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "secrets.toml" in errors[0], out[-2000:]


def test_uncreatable_duckdb_path_exits_2(project_dir, sandbox, monkeypatch, capsys):
    """Problem: a PRP__DUCKDB_PATH that cannot be created gave a traceback and exit 1."""
    sandbox("notion")
    blocker = project_dir / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PRP__DUCKDB_PATH", str(blocker / "sub" / "warehouse.duckdb"))
    one_line_exit_2(capsys, ["refresh", "notion"], "duckdb_path", "PRP__DUCKDB_PATH")


def test_unknown_dbt_command_exits_2(project_dir, capsys):
    """Problem: `prp transform bogus` exited 1 (dbt's own usage error)."""
    one_line_exit_2(capsys, ["transform", "bogus"], "bogus")


def test_bad_target_name_exits_2_and_creates_nothing(project_dir, sandbox, monkeypatch, capsys):
    """Problem: PRP__TARGET="bad name!" created a dataset with that name."""
    box = sandbox("notion")
    monkeypatch.setenv("PRP__TARGET", "bad name!")
    one_line_exit_2(capsys, ["refresh", "notion"], "PRP__TARGET")
    assert sum(box.notion.counts.values()) == 0
    assert not (project_dir / "warehouse.duckdb").exists()
