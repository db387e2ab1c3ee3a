"""Ctrl-C and SIGTERM stop a run cleanly: exit 130/143, one line saying the next run resumes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from pipelines.sources.hubspot import refresh_hubspot
from tests.conftest import python_env
from tests.reliability.conftest import assert_nothing_lost

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_cleanly_and_the_next_run_resumes(project_dir, sandbox, signum, code):
    """Problem: Ctrl-C ended with "run failed: notion: extract step failed: " and nothing
    after it (exit 1); SIGTERM was not handled at all."""
    box = sandbox("hubspot")
    app = box.app("hubspot")
    # slow answers keep the run busy long enough to be interrupted mid-extract
    app.faults.inject("slow", count=50, path_contains="/crm/", seconds=0.2)
    run = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "refresh", "hubspot"],
                           cwd=project_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, env=python_env())
    try:
        deadline = time.monotonic() + 60
        while app.faults.fired < 3 and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the run to be mid-extract, not timing it
        run.send_signal(signum)
        out, _ = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == code, out[-3000:]
    assert "Traceback" not in out
    assert "next run resumes" in out
    assert "extract step failed: \n" not in out + "\n"
    app.faults.clear()
    refresh_hubspot()
    assert_nothing_lost(project_dir, box)


def test_ctrl_c_during_the_dbt_build_exits_130_and_leaves_no_build_record(project_dir, sandbox):
    """dbt runs inside the `prp` process: Ctrl-C must stop it as it stops a refresh."""
    from pipelines.runtime.settings import load_settings
    from pipelines.transform.record import record_path

    sandbox("hubspot")
    refresh_hubspot()
    run = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "transform"], cwd=project_dir,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=python_env())
    try:
        seen = []
        for line in run.stdout:  # the interrupt lands once dbt runs its nodes
            seen.append(line)
            if " START " in line:
                break
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=120)
    finally:
        run.kill()
    out = "".join(seen) + out
    assert run.returncode == 130, out[-3000:]
    # dbt logs its own stack trace for the interrupt; prp's last line says what happened
    assert "prp.cli: interrupted" in out.strip().splitlines()[-1]
    assert not record_path(load_settings()).exists()  # the next `prp transform` builds
