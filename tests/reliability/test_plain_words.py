"""Smaller faults said in plain words: an invalid TZ is warned about once, a full disk is one
line naming the disk and the step, and a call that stalls says what it is waiting for.

Problem (issue 25, item 6): an invalid TZ silently fell back to UTC; a full disk came with about
a hundred lines of traceback; a stalled call was silent for up to 60 s.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from pipelines.cli import main as prp
from tests.conftest import python_env

pytestmark = pytest.mark.integration


def test_an_invalid_tz_is_warned_about_once_naming_it(project_dir, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "Mars/Olympus_Mons")
    capsys.readouterr()
    assert prp(["status"]) == 0  # reads the settings once per source, and once for itself
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if "Mars/Olympus_Mons" in line]
    assert len(warnings) == 1, out
    assert "WARNING" in warnings[0] and "not a time zone" in warnings[0], warnings[0]


# `prp refresh hubspot` in a process whose writes under dlt's working directory fail as on a
# full disk: every write there, dlt's extract files, state and trace alike
FULL_DISK = textwrap.dedent("""
    import builtins, errno, io, os, sys
    from pipelines.runtime.settings import load_settings
    full = str(load_settings().state_dir)
    real_open = io.open
    def open_on_a_full_disk(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax+") and os.path.abspath(str(file)).startswith(full):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)
    builtins.open = io.open = open_on_a_full_disk
    from pipelines.cli import main
    sys.exit(main(["refresh", "hubspot"]))
""")


def refresh_on_a_full_disk(project_dir) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-c", FULL_DISK], capture_output=True, text=True,
                          cwd=project_dir, env=python_env(), timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_a_full_disk_is_one_line_naming_the_disk_and_the_step(project_dir, sandbox, monkeypatch):
    sandbox("hubspot")
    code, out = refresh_on_a_full_disk(project_dir)
    assert code == 1, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    errors = [line for line in out.splitlines() if "ERROR" in line]
    assert len(errors) == 1, out[-3000:]
    assert "the disk /" in errors[0] and "is full" in errors[0] and " during " in errors[0], errors[0]
    assert len(out.splitlines()) <= 6, out  # the mode line, a line per failed write, the error

    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "DEBUG")  # the tracebacks are there when asked for
    code, out = refresh_on_a_full_disk(project_dir)
    assert code == 1 and "Traceback" in out and "No space left on device" in out


def test_a_stalled_call_says_what_it_is_waiting_for(project_dir, sandbox, monkeypatch, capsys):
    box = sandbox("hubspot")
    monkeypatch.setenv("PRP__STALL_NOTICE_SECONDS", "0.3")
    box.inject("hubspot:slow:1:/crm/objects/2026-09/contacts")  # the first read of contacts: 1 s
    capsys.readouterr()
    assert prp(["refresh", "hubspot"]) == 0
    out = capsys.readouterr().out
    waiting = [line for line in out.splitlines() if "still waiting" in line]
    assert waiting, out[-3000:]
    # the slowed call is named; on a loaded machine another call (the next page is read while
    # one is processed) may pass the 0.3 s too, and is named the same way
    assert any("hubspot: GET /crm/objects/2026-09/contacts: still waiting" in line
               for line in waiting), waiting
    said = re.compile(r"hubspot: (GET|POST) /crm/\S+: still waiting for an answer, "
                      r"\d+\.\ds so far; it times out at \d+s$")
    assert all(said.search(line) for line in waiting), waiting
