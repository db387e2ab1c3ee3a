"""Move this process's clock (and every Python process it starts) to another moment.

The calendar sweep (``make test-calendar``) and the pinned modules of ``make test`` set
``PRP_TEST_CLOCK`` to an ISO moment. The first process to read it travels there with
time-machine (``tick=True``: time goes on from the moment) and records the shift in
``PRP_TEST_CLOCK_SHIFT``; processes started later (xdist workers, ``prp`` subprocesses through
``tests/clock_startup/sitecustomize.py``) apply the same shift, so they all see the same moment
as the test, not the moment plus the seconds since the sweep began.

Self-contained (standard library and time-machine only): ``sitecustomize`` loads it by path
before anything else of the project is importable.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

MOMENT = "PRP_TEST_CLOCK"
SHIFT = "PRP_TEST_CLOCK_SHIFT"
STARTUP_DIR = Path(__file__).resolve().parent / "clock_startup"


def parse_moment(text: str) -> datetime:
    """An ISO moment (``2026-03-29T00:30Z``); one without an offset is read as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def shift_environment(moment: datetime, env: dict[str, str] | os._Environ) -> float:
    """Write into ``env`` what makes a process started with it see ``moment`` now; the shift."""
    shift = moment.timestamp() - time.time()
    env[MOMENT] = moment.isoformat()
    env[SHIFT] = repr(shift)
    paths = [str(STARTUP_DIR)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                                  if p and p != str(STARTUP_DIR)]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return shift


def travel_by(shift: float):
    """Start a time-machine travel ``shift`` seconds away from the real clock; the traveller."""
    import time_machine

    traveller = time_machine.travel(time.time() + shift, tick=True)
    traveller.start()
    return traveller


def clock_is_shifted() -> bool:
    """Whether this process already travels (sitecustomize moved it at start-up)."""
    from time_machine import escape_hatch

    return escape_hatch.is_travelling()


def shift_from_environment():
    """Apply ``PRP_TEST_CLOCK_SHIFT`` (or, the first time, ``PRP_TEST_CLOCK``) to this process.

    Returns the traveller, or None when neither is set or the process already travels. The
    first process exports the shift, so its children follow it.
    """
    if not (os.environ.get(SHIFT) or os.environ.get(MOMENT)) or clock_is_shifted():
        return None
    if os.environ.get(SHIFT):
        return travel_by(float(os.environ[SHIFT]))
    return travel_by(shift_environment(parse_moment(os.environ[MOMENT]), os.environ))
