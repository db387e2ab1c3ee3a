"""``prp status``: per source, the last load, its cursors and row counts per table."""

from __future__ import annotations

import json

import dlt

from pipelines.runtime.errors import PipelineError
from pipelines.runtime.lock import warehouse_lock
from pipelines.runtime.runner import build_pipeline
from pipelines.runtime.settings import Settings, load_settings
from pipelines.runtime.warehouse_check import check_whole
from pipelines.runtime.warehouse_errors import damaged_file_message, locked_file_message
from pipelines.runtime.warehouse_reader import pipeline_reader
from pipelines.sources import names, spec_of

UNREADABLE = "cannot read the destination"


# State entries that are bookkeeping, not cursors, for every source (the overlap cursor's
# per-record boundaries); a source's spec names its own (``hidden_state``).
HIDDEN_STATE_KEYS = ("boundary",)


def _cursor_entries(label: str, values: dict, hidden: tuple[str, ...] = HIDDEN_STATE_KEYS
                    ) -> list[tuple[str, dict]]:
    """(label, scalar cursors) for a state dict and every dict nested in it (a source may keep
    one cursor per object type or per database under its resource)."""
    shown = {k: v for k, v in values.items()
             if isinstance(v, (str, int, float)) and k not in hidden}
    entries = [(label, shown)] if shown else []
    for key, nested in sorted(values.items()):
        if isinstance(nested, dict) and key not in hidden:
            entries += _cursor_entries(f"{label}.{key}", nested, hidden)
    return entries


def _cursor_lines(state: dict, hidden: tuple[str, ...] = HIDDEN_STATE_KEYS) -> list[str]:
    lines = []
    for resource, values in sorted(state.get("resources", {}).items()):
        for label, shown in _cursor_entries(resource, values, hidden):
            lines.append(f"    {label}: {json.dumps(shown, sort_keys=True)}")
    return lines


def _first_line(exc: BaseException) -> str:
    """The first line of an error that says something: dlt's step wrapper puts its cause on
    the next line."""
    inner = getattr(exc, "exception", None) or exc
    lines = [line for line in str(inner).splitlines() if line.strip()]
    return (lines[0] if lines else type(inner).__name__)[:200]


def source_status(name: str, settings: Settings | None = None) -> tuple[list[str], str | None]:
    """Lines describing one source's pipeline, read from the destination, and why the
    destination could not be read (``None`` when it could)."""
    pipeline: dlt.Pipeline = build_pipeline(name, settings or load_settings())
    try:
        pipeline.sync_destination()
    except Exception as exc:  # noqa: BLE001 - status must report, not crash
        why = (locked_file_message(exc) or damaged_file_message(exc)
               or f"{type(exc).__name__}: {_first_line(exc)}")
        return [f"{name}: {UNREADABLE} ({why})"], why
    if not pipeline.default_schema_name:
        return [f"{name}: never run into dataset {pipeline.dataset_name}"], None
    lines = [f"{name}: dataset {pipeline.dataset_name}"]
    with pipeline_reader(pipeline) as reader:
        loads = reader.rows(f"select max(inserted_at) from {reader.qualified('_dlt_loads')} "
                            "where schema_name = %s and status = 0", name)
        lines.append(f"  last successful load: {loads[0][0] if loads and loads[0][0] else 'none'}")
        counts = reader.row_counts(sorted(pipeline.default_schema.data_table_names()))
        lines += [f"  {table}: {rows} rows" for table, rows in sorted(counts.items())]
    state = pipeline.state.get("sources", {}).get(name, {})
    cursors = _cursor_lines(state, HIDDEN_STATE_KEYS + spec_of(name).hidden_state)
    if cursors:
        lines.append("  cursors:")
        lines += cursors
    return lines, None


def print_status() -> None:
    """Print every source's status; fail (exit 1) when the warehouse is locked or unreadable."""
    settings = load_settings()
    with warehouse_lock(settings.lock_file, settings.warehouse_label, settings.lock_timeout_seconds):
        check_whole(settings)  # a damaged file is named once, not guessed at per source
        unreadable = []
        sources = names()
        for name in sources:
            lines, why = source_status(name, settings)
            if why is not None:
                unreadable.append(why)
            for line in lines:
                print(line)
    if len(unreadable) == len(sources):
        raise PipelineError(f"{UNREADABLE} for any source: {unreadable[0]}")
