"""A full disk, said in one line: which disk, how much is free, during which step.

When the disk fills up, every write fails: dlt's extract files, its state, its trace, DuckDB.
What a person needs is the disk (the mount point holding the file that could not be written) and
the step that was running, not the chained tracebacks of each failed write (those are logged at
debug level only).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from pipelines.runtime.errors import exception_chain

FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def _mount_point(path: Path) -> Path:
    path = path.resolve()
    while not path.exists() or not os.path.ismount(path):
        if path.parent == path:
            break
        path = path.parent
    return path


def _free(path: Path) -> str:
    try:
        return f"{shutil.disk_usage(path).free / 1e6:.0f} MB free"
    except OSError:
        return "free space unknown"


def _step(exc: BaseException) -> str | None:
    """The dlt step that was running (extract, normalize, load, sync), if dlt said so."""
    for inner in exception_chain(exc):
        step = getattr(inner, "step", None)
        if isinstance(step, str):
            return step
    return None


def disk_full_message(exc: BaseException, during: str | None = None) -> str | None:
    """One line for a write that failed because the disk (or a quota) is full, else ``None``.

    The step named is dlt's when dlt was running one, else ``during`` (the caller's step:
    "opening dlt's working directory", "`prp transform`").
    """
    full = next((inner for inner in exception_chain(exc)
                 if isinstance(inner, OSError) and inner.errno in FULL), None)
    if full is None:
        return None
    written = Path(full.filename) if isinstance(full.filename, str) else None
    step = _step(exc)
    during = f" during dlt's {step} step" if step else (f" during {during}" if during else "")
    if written is None:
        return f"the disk is full ({full.strerror}){during}: free some space and run again"
    mount = _mount_point(written)
    return (f"the disk {mount} is full ({full.strerror}, {_free(mount)}){during}, writing "
            f"{written}: free some space on it and run again")
