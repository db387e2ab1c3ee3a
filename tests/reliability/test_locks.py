"""One writer per warehouse: a second run waits a bounded time, then fails in one line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pipelines.cli import main as prp
from pipelines.runtime.settings import load_settings
from tests.conftest import python_env
from tests.reliability.conftest import assert_nothing_lost, warehouse

pytestmark = pytest.mark.integration

# prp's own lock, taken as a run takes it (the lock file and label come from this test's
# settings, so the holder need not import dlt to work them out: ~1.5 s of CPU per start)
HOLD_PRP_LOCK = """
import sys, time
from pathlib import Path
from pipelines.runtime.lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), sys.argv[2], 1):
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
                            env=python_env())
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


def test_second_prp_run_waits_then_names_the_other_run(project_dir, sandbox, first_load, capsys):
    """Problem: a warehouse busy with another run was reported as bad credentials / no
    internet; `prp transform` printed pages of tracebacks; `prp status` exited 0."""
    box = sandbox("hubspot", now=first_load.now)
    first_load.restore()
    settings = load_settings()
    capsys.readouterr()
    with holder(HOLD_PRP_LOCK, str(settings.lock_file), settings.warehouse_label) as other:
        for argv in (["refresh", "hubspot"], ["transform"], ["status"]):
            assert prp(argv) == 1, argv
            errors = error_lines(capsys)
            assert len(errors) == 1, (argv, errors)
            assert f"another prp run (pid {other.pid}) is writing" in errors[0], errors[0]
            assert str(warehouse(project_dir)) in errors[0]
    assert prp(["refresh", "hubspot"]) == 0  # the lock dies with its holder
    assert_nothing_lost(project_dir, box)


def test_duckdb_file_held_by_another_program_is_named_as_such(project_dir, sandbox, first_load, capsys):
    """A DuckDB client holding the file: one line that says so, not "check your credentials"."""
    sandbox("hubspot", now=first_load.now)
    first_load.restore()
    capsys.readouterr()
    with holder(HOLD_DUCKDB, str(warehouse(project_dir))):
        for argv in (["refresh", "hubspot"], ["transform"], ["status"]):
            assert prp(argv) == 1, argv
            errors = error_lines(capsys)
            assert errors and "is locked by another process" in errors[-1], (argv, errors)
            assert not any("credentials" in line for line in errors)
