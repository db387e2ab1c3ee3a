"""One writer per warehouse: the project's own lock, held by every command that writes or reads it.

DuckDB allows one writing process per file, and its own error for a second one reads like a
credentials problem. So every ``prp`` command that touches a warehouse first takes this lock, a
file next to the project's state for that warehouse, holding the owner's pid. A second command
waits up to ``prp.lock_timeout_seconds``, then fails with one line naming the owner and the path.
The lock is an ``flock``: the kernel releases it when its process dies, so a killed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines.runtime.errors import PipelineError

log = logging.getLogger("prp.lock")

POLL_SECONDS = 0.1


class WarehouseLocked(PipelineError):
    """Another prp process holds the warehouse (exit code 1)."""


def _owner(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown"
    except OSError:
        return "unknown"


@contextlib.contextmanager
def warehouse_lock(lock_file: Path, warehouse: str, timeout: float) -> Iterator[None]:
    """Hold the lock for ``warehouse`` (a path or dataset name, for messages) while inside.

    Re-entrant within one process: a command that already holds it (``prp demo`` runs the
    refreshes and dbt) does not wait for itself.
    """
    key = str(lock_file)
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_file, "a+")  # noqa: SIM115 - closed in the finally below
    try:
        _acquire(handle, lock_file, warehouse, timeout)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _held[key] = 1
        try:
            yield
        finally:
            _held.pop(key, None)
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


# Process-wide on purpose, not part of a run's context: an flock belongs to the process, and a
# run nested in a command holding the lock (``prp demo``, ``prp refresh all``) has a context of
# its own, so only the process can know that it already holds the file. Nothing resets it: each
# holder takes its count off on the way out.
_held: dict[str, int] = {}


def _acquire(handle, lock_file: Path, warehouse: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            owner = _owner(lock_file)
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"another prp run (pid {owner}) is writing {warehouse}; wait for it to "
                    f"finish, or raise prp.lock_timeout_seconds (PRP__LOCK_TIMEOUT_SECONDS)"
                ) from None
            if not announced:
                log.info("waiting up to %.0fs for another prp run (pid %s) writing %s",
                         timeout, owner, warehouse)
                announced = True
            time.sleep(POLL_SECONDS)
