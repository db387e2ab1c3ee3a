"""The project's own tables in the raw dataset, loaded through dlt so dlt owns their schema.

``_prp_completeness`` (``completeness``: appended, every check kept; the report and the dbt test
take the latest per source, table and scope) and ``_prp_privacy`` (``privacy_run``: a source's
rows replaced by its last run's, a delete-insert merge on ``source``). Their columns are
declared here once; dlt creates and evolves the tables on DuckDB and BigQuery alike.

They are loaded by a pipeline of their own next to the source's
(``prp_<source>_<target>_bookkeeping``, dlt schema ``prp_bookkeeping``), so a source's schema,
state and load trace (its run summary) stay the source's, the runner's state check never
counts these tables among the source's, and ``_dlt_loads`` names these loads
``prp_bookkeeping``, never a source (so they are no source's "last load").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.typing import TColumnSchema

from pipelines.runtime.local_state import with_readable_state
from pipelines.runtime.warehouse_reader import pipeline_reader

SCHEMA = "prp_bookkeeping"
COMPLETENESS_TABLE = "_prp_completeness"
PRIVACY_TABLE = "_prp_privacy"
VERSIONS = "_dlt_version"  # dlt's record of the schema versions it applied to the dataset


def _column(data_type: str, **hints: Any) -> TColumnSchema:
    return {"data_type": data_type, "nullable": True, **hints}  # type: ignore[return-value]


# dlt's own columns, nullable: a table written before dlt owned it gets them added, and its
# earlier rows have none
DLT_COLUMNS: dict[str, TColumnSchema] = {
    "_dlt_load_id": _column("text"),
    "_dlt_id": _column("text"),
}
COMPLETENESS_COLUMNS: dict[str, TColumnSchema] = {
    "source": _column("text"),
    "table_name": _column("text"),
    "scope": _column("text"),
    "api_count": _column("bigint"),
    "warehouse_count": _column("bigint"),
    "checked_at": _column("timestamp", timezone=False),  # UTC, as it always was
    **DLT_COLUMNS,
}
PRIVACY_COLUMNS: dict[str, TColumnSchema] = {
    "source": _column("text"),
    "table_name": _column("text"),
    "column_name": _column("text"),
    "treatment": _column("text"),
    "values_affected": _column("bigint"),
    "policy_mode": _column("text"),
    "recorded_at": _column("text"),  # ISO 8601 with offset, as ``prp privacy`` shows it
    **DLT_COLUMNS,
}


def bookkeeping_pipeline(pipeline: dlt.Pipeline) -> dlt.Pipeline:
    """The pipeline that loads ``pipeline``'s bookkeeping: same destination and dataset."""
    name = f"{pipeline.pipeline_name}_bookkeeping"
    return with_readable_state(Path(pipeline.pipelines_dir) / name, lambda: dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=pipeline.pipelines_dir,
        destination=pipeline.destination,
        dataset_name=pipeline.dataset_name,
    ))


def record(pipeline: dlt.Pipeline, source: str, checks: Sequence[dict[str, Any]],
           privacy: Sequence[dict[str, Any]]) -> None:
    """After a source's load, in one load of its own: add its completeness checks
    (``COMPLETENESS_COLUMNS``) and replace its rows of ``_prp_privacy`` (``PRIVACY_COLUMNS``).

    Nothing is written where nothing was ever loaded (nothing left the laptop).
    """
    with pipeline_reader(pipeline) as reader:
        if not reader.has_dataset():
            return
        privacy_table_missing = not reader.has_table(PRIVACY_TABLE)
        if not privacy and not privacy_table_missing:
            # no rule and no count: a merge of no rows would leave the last run's, so delete them
            reader.client.execute_sql(
                f"delete from {reader.qualified(PRIVACY_TABLE)} where source = %s", source)
        loading = [table for table, rows in ((COMPLETENESS_TABLE, checks),
                                             (PRIVACY_TABLE, privacy or privacy_table_missing)) if rows]
        if any(not reader.has_table(table) for table in loading) and reader.has_table(VERSIONS):
            # dropped by hand: dlt creates a table only for a schema version it has not stored
            # yet, so forget this schema's stored versions and dlt creates what is missing
            reader.client.execute_sql(
                f"delete from {reader.qualified(VERSIONS)} where schema_name = %s", SCHEMA)
    resources = []
    if checks:
        resources.append(dlt.resource(
            list(checks), name=COMPLETENESS_TABLE, table_name=COMPLETENESS_TABLE,
            columns=COMPLETENESS_COLUMNS, write_disposition="append"))
    if privacy or privacy_table_missing:
        # with nothing to record the table is made all the same, empty: `prp privacy` then reads
        # "every value kept" from it, as it always did
        resources.append(dlt.resource(
            list(privacy) or [dlt.mark.materialize_table_schema()], name=PRIVACY_TABLE,
            table_name=PRIVACY_TABLE, columns=PRIVACY_COLUMNS,
            write_disposition={"disposition": "merge", "strategy": "delete-insert"},
            merge_key="source"))
    if not resources:
        return

    @dlt.source(name=SCHEMA, max_table_nesting=0)
    def bookkeeping() -> Any:
        return resources

    bookkeeping_pipeline(pipeline).run(bookkeeping())
