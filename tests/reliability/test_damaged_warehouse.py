"""A damaged DuckDB warehouse: refresh, status, transform and report each name the file, say it
is damaged and how to recover, and exit 1.

Problem (issue 25, item 4): truncated, `prp refresh` blamed the credentials or the internet,
`prp status` cut the cause off and `prp transform` printed a raw ``_duckdb.IOException``;
corrupted in the middle, refresh and status exited 0 and transform failed with a traceback.
"""

from __future__ import annotations

import os

import pytest

from pipelines.cli import main as prp
from tests.reliability.conftest import warehouse

pytestmark = pytest.mark.integration


def truncate(path) -> None:
    with open(path, "r+b") as file:
        file.truncate(os.path.getsize(path) // 2)


def overwrite_the_middle(path) -> None:
    """Random bytes over the middle fifth of the file, its size unchanged (a bad disk block,
    another tool writing into it)."""
    size = os.path.getsize(path)
    with open(path, "r+b") as file:
        file.seek(size * 2 // 5)
        file.write(os.urandom(size // 5))


@pytest.mark.parametrize("damage", [truncate, overwrite_the_middle])
def test_each_command_names_the_damaged_file_and_exits_1(project_dir, sandbox, first_load,
                                                        capsys, damage):
    box = sandbox("hubspot", now=first_load.now)
    first_load.restore()
    damage(warehouse(project_dir))
    box.reset_counts()
    for argv in (["refresh", "hubspot"], ["status"], ["transform"], ["report"]):
        capsys.readouterr()
        assert prp(argv) == 1, argv
        captured = capsys.readouterr()
        out = captured.out + captured.err
        assert "Traceback" not in out, out[-3000:]
        errors = [line for line in out.splitlines() if "ERROR" in line]
        assert len(errors) == 1, (argv, out[-3000:])
        assert str(warehouse(project_dir)) in errors[0] and "is damaged" in errors[0], errors[0]
        assert "restore a copy" in errors[0], errors[0]
        # DuckDB's own words in the parentheses, not a wrapper's advice about credentials
        assert "credentials" not in errors[0], errors[0]
    assert sum(box.app("hubspot").counts.values()) == 0  # stopped before asking the API
