"""A damaged local dlt state or schema file is set aside, and the run goes on from the warehouse.

dlt keeps a pipeline's state (``state.json``) and schemas (``schemas/*.schema.json``) in its
working directory, and a copy of both in the warehouse. A local file that is garbage, empty or
``{}`` (a full disk, a crash mid-write, an editor) made dlt fail with a raw ``JSONDecodeError`` or
``KeyError`` naming neither the file nor the fix. Since the warehouse holds the same state, the
fix is what a person would do by hand: move the working directory aside (a copy is kept for
whoever wants to look at it), say so in one line, and let dlt restore the state from the
warehouse, as it does on a fresh CI runner.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from dlt.common.exceptions import DictValidationException
from dlt.common.json import json
from dlt.common.schema.exceptions import SchemaException

log = logging.getLogger("prp.state")

T = TypeVar("T")
# the keys dlt reads first from each file; without them it fails with a KeyError
STATE_KEYS = ("_state_engine_version",)
SCHEMA_KEYS = ("engine_version", "name", "tables")


def _problem(file: Path, keys: tuple[str, ...]) -> str | None:
    """Why dlt cannot read ``file``, or ``None`` when it can."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "not text"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if not text.strip():
        return "empty"
    try:
        document = json.loads(text)
    except ValueError:
        return "not valid JSON"
    if not isinstance(document, dict):
        return "not a JSON object"
    missing = [key for key in keys if key not in document]
    return f"no {', '.join(missing)}" if missing else None


def damaged_file(working_dir: Path) -> tuple[Path, str] | None:
    """The first damaged state or schema file of a pipeline's working directory, and why."""
    candidates = [(working_dir / "state.json", STATE_KEYS)]
    candidates += [(f, SCHEMA_KEYS) for f in sorted((working_dir / "schemas").glob("*.json"))]
    for file, keys in candidates:
        if file.is_file():
            problem = _problem(file, keys)
            if problem:
                return file, problem
    return None


def set_aside(working_dir: Path, why: str) -> Path:
    """Move a pipeline's working directory next to the others under ``damaged/``; one line."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = working_dir.parent.parent / "damaged" / working_dir.parent.name / f"{working_dir.name}-{stamp}"
    aside.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(working_dir), str(aside))
    log.warning("%s: continuing from the warehouse's state: %s; the damaged working directory "
                "is kept at %s", working_dir.name, why, aside)
    return aside


def with_readable_state(working_dir: Path, open_pipeline: Callable[[], T]) -> T:
    """``open_pipeline()`` after any damaged local state was set aside.

    Checks the files dlt reads first; should dlt still fail to read its working directory, that
    too is set aside and the pipeline opened once more from nothing but the warehouse.
    """
    if working_dir.is_dir():
        found = damaged_file(working_dir)
        if found:
            file, problem = found
            set_aside(working_dir, f"the local dlt {_kind(file)} file {file} is damaged ({problem})")
    try:
        return open_pipeline()
    except (ValueError, KeyError, TypeError, DictValidationException, SchemaException) as exc:
        # dlt's readers on a file they cannot use
        if not working_dir.is_dir():
            raise
        set_aside(working_dir, f"dlt could not read the local state in {working_dir} "
                               f"({type(exc).__name__}: {str(exc)[:120]})")
        return open_pipeline()


def _kind(file: Path) -> str:
    return "state" if file.name == "state.json" else "schema"
