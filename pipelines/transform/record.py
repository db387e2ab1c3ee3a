"""What the last successful ``prp transform`` build saw, so an unchanged warehouse is not rebuilt.

A build's inputs are: the data loads left in the raw dataset (``raw_data_digest``), the as-of date
(marts such as ``habit_streaks`` and ``dim_contacts`` count up to today in the personal zone),
the dbt project's files, the vars passed to dbt and the target. When all of them match what
the last build recorded, the marts already say what a new build would say.

The record is a small JSON file in the data directory, keyed by the warehouse and the
analytics dataset (as dlt's working directory is), written only after a build succeeded and
removed before any other dbt command that writes to the analytics dataset.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dlt.common.destination.exceptions import DestinationUndefinedEntity

from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_reader import WarehouseReader, open_warehouse

log = logging.getLogger("prp.transform")

# dbt's own output directories: they change on every run and are not inputs of a build
DBT_OUTPUT_DIRS = frozenset({"target", "logs", "dbt_packages", "__pycache__", ".user.yml"})


@dataclass(frozen=True)
class BuildInputs:
    """Everything a plain ``dbt build`` reads besides the warehouse's own tables."""

    warehouse: str
    target: str
    raw_dataset: str
    analytics_dataset: str
    dbt_vars: str
    as_of_date: str
    dbt_project: str  # sha256 of the dbt project's files
    raw_data: str  # raw_data_digest: changes with every load that changed data
    marts: str  # marts_digest: the analytics tables there are (a replaced warehouse has none)

    def differences(self, other: BuildInputs) -> list[str]:
        """The inputs that differ from ``other``, by name."""
        return [name for name, value in asdict(self).items() if asdict(other)[name] != value]


def record_path(settings: Settings) -> Path:
    """The record of the last build for this warehouse and analytics dataset."""
    key = hashlib.sha256(settings.warehouse_label.encode()).hexdigest()[:10]
    return (settings.data_dir / "dlt" /
            f"transform-{settings.destination}-{settings.analytics_dataset}-{key}.json")


def as_of_date(settings: Settings) -> str:
    """Today in the personal time zone: the date the marts count up to."""
    return datetime.now(ZoneInfo(settings.timezone)).date().isoformat()


def dbt_project_digest(dbt_dir: Path) -> str:
    """One hash over the dbt project's files (models, macros, tests, project and profiles)."""
    digest = hashlib.sha256()
    for path in sorted(dbt_dir.rglob("*")):
        relative = path.relative_to(dbt_dir)
        if not path.is_file() or DBT_OUTPUT_DIRS.intersection(relative.parts):
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def raw_data_digest(settings: Settings) -> str:
    """A hash that changes whenever a load changed the raw dataset's data.

    DuckDB: per source table (``<source>__*``; dbt reads no ``_dlt_``/``_prp_`` bookkeeping),
    its row count and newest ``_dlt_load_id`` (an insert or update stamps rows with the new
    load id, a hard delete lowers the count). A run that only saved dlt state and run records
    (Notion's cursors move on every run) changes neither, so it does not force a rebuild.
    BigQuery: the newest load in ``_dlt_loads`` and how many there are (scanning every table
    would be billed), so any load there rebuilds.
    """
    with open_warehouse(settings, settings.raw_dataset) as reader:
        rows = _table_marks(reader) if settings.destination == "duckdb" else _loads_mark(reader)
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def _table_marks(reader: WarehouseReader) -> list[list]:
    tables = sorted(name for name in reader.tables() if not name.startswith("_"))
    if not tables:
        return []
    stamped = {name for name, in reader.rows(
        "select table_name from information_schema.columns where table_schema = %s "
        "and column_name = '_dlt_load_id'", reader.dataset)}
    marks = [f"select '{name}', count(*), {'max(_dlt_load_id)' if name in stamped else 'null'} "
             f"from {reader.qualified(name)}" for name in tables]
    return sorted([list(row) for row in reader.rows(" union all ".join(marks))])


def marts_digest(settings: Settings) -> str:
    """A hash of the analytics dataset's table names (empty when there is no warehouse yet).

    A warehouse file replaced by one with the same raw data but no marts must be built again.
    """
    with open_warehouse(settings, settings.analytics_dataset) as reader:
        if reader.client is None:
            return ""  # no warehouse yet
        names = sorted(reader.tables())
    return hashlib.sha256(json.dumps(names).encode()).hexdigest()


def _loads_mark(reader: WarehouseReader) -> list[list]:
    if reader.client is None:
        return []
    try:
        return [list(row) for row in
                reader.rows(f"select max(load_id), count(*) from {reader.qualified('_dlt_loads')}")]
    except DestinationUndefinedEntity:
        return []


def current_inputs(settings: Settings, dbt_dir: Path, dbt_vars: str) -> BuildInputs:
    """What a build started now would read."""
    return BuildInputs(warehouse=settings.warehouse_label, target=settings.target,
                       raw_dataset=settings.raw_dataset, analytics_dataset=settings.analytics_dataset,
                       dbt_vars=dbt_vars, as_of_date=as_of_date(settings),
                       dbt_project=dbt_project_digest(dbt_dir), raw_data=raw_data_digest(settings),
                       marts=marts_digest(settings))


@dataclass(frozen=True)
class BuildRecord:
    """A successful build: its inputs, when it finished and the summary it logged."""

    inputs: BuildInputs
    built_at: str
    summary: list[str]


def read_record(settings: Settings) -> BuildRecord | None:
    """The last build's record, or None when there is none (or it cannot be read)."""
    path = record_path(settings)
    try:
        data = json.loads(path.read_text())
        return BuildRecord(BuildInputs(**data["inputs"]), data["built_at"], list(data["summary"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no record, or one from another version: build


def write_record(settings: Settings, inputs: BuildInputs, summary: list[str]) -> None:
    """Remember a successful build (atomically: a half-written record would be unreadable)."""
    path = record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"inputs": asdict(inputs), "built_at": datetime.now().astimezone().isoformat(),
              "summary": summary}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(record, indent=2))
    partial.replace(path)


def forget_record(settings: Settings) -> None:
    """Drop the record: the analytics dataset is about to change outside a plain build."""
    record_path(settings).unlink(missing_ok=True)


def unchanged_since_last_build(settings: Settings, inputs: BuildInputs) -> BuildRecord | None:
    """The last build's record when ``inputs`` match it exactly; else None (and log why)."""
    record = read_record(settings)
    if record is None:
        return None
    changed = inputs.differences(record.inputs)
    if changed:
        log.info("transform: building: %s changed since the last build (%s)",
                 ", ".join(_describe(name) for name in changed), record.built_at)
        return None
    return record


def _describe(name: str) -> str:
    return {"raw_data": "a new load", "as_of_date": "the as-of date",
            "dbt_project": "the dbt project files", "dbt_vars": "the dbt vars",
            "marts": "the analytics tables"}.get(name, name)
