"""Before a run: the pipeline's local state must agree with the warehouse it describes.

dlt keeps cursors and the schema in a local working directory and in the destination. When the
two disagree (the warehouse file was deleted or replaced, a table was dropped, or the local
state is newer than anything the warehouse holds) an incremental run would trust cursors for
data that is not there and load nothing. So each run compares them first; on a mismatch it says
so in one line, forgets the local state and backfills the source with a full refresh.
"""

from __future__ import annotations

import logging

import dlt
from dlt.common.destination.exceptions import DestinationUndefinedEntity

from pipelines.runtime.warehouse_reader import pipeline_reader

log = logging.getLogger("prp.state")


def _has_local_state(pipeline: dlt.Pipeline, name: str) -> bool:
    return bool(pipeline.state.get("sources", {}).get(name)) and pipeline.default_schema_name is not None


def _missing_tables(pipeline: dlt.Pipeline) -> list[str]:
    """Tables the local schema says hold data but the destination lacks."""
    tables = [t["name"] for t in pipeline.default_schema.data_tables(seen_data_only=True)]
    with pipeline_reader(pipeline) as reader:
        if not reader.has_dataset():
            return sorted(tables) or ["the whole dataset"]
        return sorted(table for table in tables if not reader.has_table(table))


def _stored_version(pipeline: dlt.Pipeline) -> int | None:
    """The newest state version the warehouse holds for this pipeline (``None``: none)."""
    with pipeline_reader(pipeline) as reader:
        try:
            rows = reader.rows(f"select max(version) from {reader.qualified('_dlt_pipeline_state')} "
                               "where pipeline_name = %s", pipeline.pipeline_name)
        except DestinationUndefinedEntity:
            return None
    return rows[0][0] if rows and rows[0][0] is not None else None


def state_mismatch(pipeline: dlt.Pipeline, name: str) -> str | None:
    """Why the local state does not describe the warehouse, or ``None`` when it does.

    Call after any pending load is finished: a pending package is the one legitimate reason
    for local state to be ahead.
    """
    if not _has_local_state(pipeline, name):
        return None  # nothing local: dlt restores the warehouse's own state on run
    missing = _missing_tables(pipeline)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        return f"tables missing from the warehouse: {shown}"
    stored = _stored_version(pipeline)
    local = pipeline.state.get("_state_version", 0)
    if stored is None or stored < local:
        return f"local state version {local} is ahead of the warehouse's ({stored or 'none'})"
    return None
