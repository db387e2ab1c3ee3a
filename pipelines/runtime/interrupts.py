"""Ctrl-C and SIGTERM stop a command cleanly, with the conventional exit codes.

SIGTERM (a CI runner cancelling a job, ``kill``) is turned into ``Terminated``, a
``KeyboardInterrupt``, so it unwinds exactly like Ctrl-C: dlt commits a load package and its
state together, so whatever the interrupted run had not committed is simply redone next time.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from dlt.common.configuration.exceptions import ConfigurationException

from pipelines.runtime.errors import ConfigurationError

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM
RESUME_LINE = ("nothing half-committed was kept: the next run resumes from the last completed "
               "load")


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises ``Terminated`` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_code_for(interrupt: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


def configuration_error(exc: ConfigurationException) -> ConfigurationError:
    """dlt's own configuration errors (an unreadable TOML file, a value of the wrong type), in one line."""
    first_line = str(exc).strip().splitlines()
    detail = " ".join(line.strip() for line in first_line[:2])
    return ConfigurationError(f"{detail[:300]} (fix the setting in the environment or .dlt/*.toml)")
