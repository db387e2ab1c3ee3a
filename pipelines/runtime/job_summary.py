"""The Markdown job summary of a GitHub Actions run (``$GITHUB_STEP_SUMMARY``).

A person reading the Actions tab sees what a run did without opening its log: for a refresh,
rows per table, requests and warnings (missing scopes, completeness); for a failure, the error a
person can act on (the transforms run's summary is ``pipelines.report.job_summary``).

Written only when GitHub sets ``GITHUB_STEP_SUMMARY`` (elsewhere every function here does
nothing), and never at a run's expense: a summary that cannot be written is logged and skipped.
Everything written is what the run already logs; text that comes from the data or an API is
escaped, so it shows as text and never as Markdown or HTML.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.runtime.logs import redact

if TYPE_CHECKING:
    from pipelines.runtime.summary import RunSummary

log = logging.getLogger("prp.job_summary")

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def summary_file() -> Path | None:
    """The file GitHub gives this step for its job summary, if any."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    return Path(path) if path else None


def text(value: object) -> str:
    """``value`` as one line of plain text inside Markdown (its Markdown and HTML escaped), any
    secret masked as in every log line (before escaping, which would hide it from the mask)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(redact(str(value)).split()))


def bullets(title: str, lines: Iterable[str], empty: str) -> list[str]:
    """A bold title and one bullet per line, or ``empty`` when there are none."""
    lines = list(lines)
    return [f"**{title}**", "", *(f"- {line}" for line in lines)] if lines else [empty]


def append(markdown: str) -> None:
    """Add ``markdown`` to the job summary; nothing outside GitHub Actions."""
    path = summary_file()
    if path is None:
        return
    try:
        with path.open("a", encoding="utf-8") as summary:
            summary.write(markdown.rstrip("\n") + "\n\n")
    except OSError as exc:
        log.warning("job summary not written (%s); the log has the same facts", exc)


def refresh_markdown(summary: RunSummary) -> str:
    """One refresh: mode, rows per table, requests and warnings."""
    lines = [f"### Refresh {text(summary.source)}: {text(summary.mode)}, {summary.total_rows:,} "
             f"rows into {text(summary.destination)} dataset {text(summary.dataset)}", ""]
    if summary.rows:
        lines += ["| table | rows |", "|---|---:|"]
        lines += [f"| {text(table)} | {count:,} |" for table, count in sorted(summary.rows.items())]
        lines += [f"| **total** | **{summary.total_rows:,}** |", ""]
    lines += [f"{summary.requests:,} requests ({summary.retries:,} retried) in "
              f"{summary.seconds:.1f} s.", ""]
    lines += bullets("Warnings", map(text, summary.warnings), "No warnings.")
    return "\n".join(lines)


def failure_markdown(command: str, error: BaseException) -> str:
    """A failed command: the error as prp logs it (messages never hold a secret)."""
    return (f"### {text(command)} failed\n\n{text(error)}\n\n"
            "The step's log has the details.")


def write_refresh(summary: RunSummary) -> None:
    """The summary of one refresh, when running in GitHub Actions."""
    if summary_file() is not None:
        append(refresh_markdown(summary))


def write_failure(command: str, error: BaseException) -> None:
    """The summary of a command that failed, when running in GitHub Actions."""
    if summary_file() is not None:
        append(failure_markdown(command, error))
