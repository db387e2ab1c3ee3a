"""One writer per warehouse: a second run waits a bounded time, then fails in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pipelines.cli import main as prp
from tests.conftest import REPO
from tests.reliability.conftest import assert_nothing_lost, warehouse

pytestmark = pytest.mark.integration

HOLD_PRP_LOCK = """
import time
from pipelines.common.lock import warehouse_lock
from pipelines.common.settings import load_settings
s = load_settings()
with warehouse_lock(s.lock_file, s.warehouse_label, 1):
    print("held", flush=True)
    time.sleep(120)
"""

HOLD_DUCKDB = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


@contextmanager
def holder(code: str, *args: str) -> Iterator[subprocess.Popen]:
    """Another process holding the warehouse until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def error_lines(capsys) -> list[str]:
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out
    return [line for line in out.splitlines() if "ERROR" in line]


def test_second_prp_run_waits_then_names_the_other_run(project_dir, sandbox, capsys):
    """Problem: a warehouse busy with another run was reported as bad credentials / no
    internet; `prp transform` printed pages of tracebacks; `prp status` exited 0."""
    box = sandbox("hubspot")
    assert prp(["refresh", "hubspot"]) == 0
    capsys.readouterr()
    with holder(HOLD_PRP_LOCK) as other:
        for argv in (["refresh", "hubspot"], ["transform"], ["status"]):
            assert prp(argv) == 1, argv
            errors = error_lines(capsys)
            assert len(errors) == 1, (argv, errors)
            assert f"another prp run (pid {other.pid}) is writing" in errors[0], errors[0]
            assert str(warehouse(project_dir)) in errors[0]
    assert prp(["refresh", "hubspot"]) == 0  # the lock dies with its holder
    assert_nothing_lost(project_dir, box)


def test_duckdb_file_held_by_another_program_is_named_as_such(project_dir, sandbox, capsys):
    """A DuckDB client holding the file: one line that says so, not "check your credentials"."""
    sandbox("hubspot")
    assert prp(["refresh", "hubspot"]) == 0
    capsys.readouterr()
    with holder(HOLD_DUCKDB, str(warehouse(project_dir))):
        for argv in (["refresh", "hubspot"], ["transform"], ["status"]):
            assert prp(argv) == 1, argv
            errors = error_lines(capsys)
            assert errors and "is locked by another process" in errors[-1], (argv, errors)
            assert not any("credentials" in line for line in errors)
