"""The BigQuery path end to end, on a BigQuery API someone else wrote (``bqemulator``).

The sandbox's small profile goes through ``prp refresh all`` and ``prp transform`` three times
with ``PRP__DESTINATION=bigquery`` (a first run; an incremental rerun after a contact, a call
and a Fitbit day were deleted; a ``FORCE_FULL_REFRESH`` run with ``--full-refresh``), then
``prp status``, ``prp privacy``, ``prp doctor`` and ``prp report``. The same commands run on
DuckDB from the same sandbox, under the same (cloud) privacy policy and hash key, so every mart
must be equal row for row after each stage, every column included. What the emulator cannot
show (partitions, clustering, bytes billed; SQL it accepts that BigQuery would not) stays with
``tests/dbt/test_bigquery_compile.py`` and the opt-in live tests (``tests/e2e``).

One emulator and one sandbox for the module; the commands run in this process, as
``tests/integration/test_transform_skips_unchanged.py`` runs them, so dbt and dlt are imported
once. The emulator parses every statement several times, so each dbt node costs it a fraction
of a second of CPU: the first run and the rerun are the daily build (``prp transform``, models
and data tests), the full refresh rebuilds the models only (``prp transform run
--full-refresh``); the keys are checked here for duplicates after every stage.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tests.bigquery.emulator import (
    emulator_env,
    running_emulator,
    service_account_key,
    token_endpoint,
)
from tests.conftest import REPO, _delete_a_contact_a_call_and_a_day, isolate_project
from tests.dbt.marts import MARTS

pytestmark = pytest.mark.integration

HASH_KEY = "emulator-privacy-key-0123456789abcdef"
SOURCES = ("notion", "hubspot", "fitbit")
STAGES = ("first run", "incremental rerun", "full refresh")
# the transform of each stage (the daily build twice, then a rebuild of every model)
TRANSFORMS = {"first run": ["transform"], "incremental rerun": ["transform"],
              "full refresh": ["transform", "run", "--full-refresh"]}


def mart_keys() -> dict[str, list[str]]:
    """Each mart's primary key: the ``unique`` columns of its ``column_checks`` test."""
    keys = {}
    for path in (REPO / "dbt" / "models" / "marts").rglob("_*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for test in model.get("data_tests", []):
                checks = test.get("column_checks") if isinstance(test, dict) else None
                if checks and checks.get("arguments", {}).get("unique"):
                    keys[model["name"]] = checks["arguments"]["unique"]
    return keys


def plain(value):
    """A value both engines spell alike: floats to 9 significant digits, instants in UTC."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return value


@dataclass
class Engine:
    """One destination's project directory and what its commands printed."""

    name: str
    work: Path
    env: dict[str, str]
    out: dict[str, str] = field(default_factory=dict)  # "<stage>: <command>" -> output
    codes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, tuple[float, float]] = field(default_factory=dict)  # label -> (wall, CPU)
    marts: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)  # stage -> mart -> rows
    columns: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Runs:
    bigquery: Engine
    duckdb: Engine
    keys: dict[str, list[str]]
    sections: dict[str, object] = field(default_factory=dict)  # engine -> freshness section
    # stage -> incremental model -> (its look-back column, its SQL, the SQL dbt ran to build it)
    built_with: dict[str, dict[str, tuple[str, str, str]]] = field(default_factory=dict)
    completeness: dict[str, list[tuple]] = field(default_factory=dict)


@contextlib.contextmanager
def working_in(engine: Engine, box, **extra: str):
    """The process set up as ``engine``'s project: its directory, warehouse and sandbox."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, engine.work)
        for key, value in {**box.env(), **engine.env, **extra}.items():
            mp.setenv(key, value)
        yield


def run(engine: Engine, box, label: str, argv: list[str], **extra: str) -> str:
    """``prp <argv>`` in this process as ``engine``; its output is kept under ``label``."""
    from pipelines.cli import main as prp

    out = io.StringIO()
    started, cpu = time.monotonic(), time.process_time()
    with working_in(engine, box, **extra), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(out):
        engine.codes[label] = prp(argv)
    engine.seconds[label] = (time.monotonic() - started, time.process_time() - cpu)
    engine.out[label] = out.getvalue()
    return engine.out[label]


def read_marts(engine: Engine, box, stage: str) -> None:
    """Every mart's rows (plain values, sorted) as the stage left them."""
    from pipelines.runtime.settings import load_settings
    from pipelines.runtime.warehouse_reader import open_warehouse

    with working_in(engine, box):
        settings = load_settings()
        with open_warehouse(settings, settings.analytics_dataset) as reader:
            marts = {}
            for mart in MARTS:
                records = reader.select(mart)
                if records:
                    engine.columns[mart] = sorted(records[0])
                marts[mart] = sorted((tuple(plain(r[c]) for c in sorted(r)) for r in records),
                                     key=repr)
    engine.marts[stage] = marts


def incremental_models_sql(engine: Engine) -> dict[str, tuple[str, str, str]]:
    """Each model configured incremental: its look-back column, its SQL as the last dbt command
    compiled it and the statements that command ran to build it (dbt keeps both in its target
    folder)."""
    target = engine.work / "dbt-target"
    manifest = json.loads((target / "manifest.json").read_text())
    found = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental":
            path = Path("personal_reporting") / node["original_file_path"]
            found[node["name"]] = (node["config"].get("lookback_column"),
                                   (target / "compiled" / path).read_text(),
                                   (target / "run" / path).read_text())
    return found


def read_report_inputs(runs: Runs, engine: Engine, box) -> None:
    """The report's freshness section and the completeness checks, as the report reads them."""
    from pipelines.report import freshness
    from pipelines.report.build import read_marts as report_marts
    from pipelines.report.warehouse import open_reader
    from pipelines.runtime.settings import load_settings

    with working_in(engine, box):
        settings = load_settings()
        reader = open_reader(settings)
        try:
            marts = report_marts(reader, settings)
        finally:
            reader.close()
    runs.sections[engine.name] = freshness.freshness_section(marts["_dlt_loads"],
                                                             marts["_prp_completeness"])
    latest = {}
    for row in sorted(marts["_prp_completeness"], key=lambda r: r["checked_at"]):
        latest[(row["source"], row["table_name"], row["scope"])] = (row["api_count"],
                                                                    row["warehouse_count"])
    runs.completeness[engine.name] = sorted(latest.items())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """The three stages on BigQuery (the emulator) and on DuckDB, from one sandbox."""
    from sandbox import start_sandbox

    work = tmp_path_factory.mktemp("bigquery_emulator")
    common = {"PRP__PRIVACY": "cloud", "PRIVACY__HASH_KEY": HASH_KEY,
              "SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS": "0.05",
              # the deleted call's associations are swept on the rerun, not a day later
              "SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS": "0"}
    box = start_sandbox(profile="small", seed=7, rate_limits=False)
    try:
        with token_endpoint() as token_uri, running_emulator(work / "emulator.log") as url:
            keyfile = service_account_key(work / "service-account.json", token_uri)
            bigquery = Engine("bigquery", work / "bigquery",
                              {**common, **emulator_env(url, keyfile)})
            duckdb = Engine("duckdb", work / "duckdb", {**common, "PRP__DESTINATION": "duckdb"})
            runs = Runs(bigquery, duckdb, mart_keys())
            for engine in (bigquery, duckdb):
                engine.work.mkdir()
            for stage in STAGES:
                if stage == "incremental rerun":
                    _delete_a_contact_a_call_and_a_day(box)
                full = {"FORCE_FULL_REFRESH": "true"} if stage == "full refresh" else {}
                for engine in (bigquery, duckdb):
                    run(engine, box, f"{stage}: refresh", ["refresh", "all"], **full)
                    run(engine, box, f"{stage}: transform", TRANSFORMS[stage])
                    read_marts(engine, box, stage)
                runs.built_with[stage] = incremental_models_sql(bigquery)
            for engine in (bigquery, duckdb):
                for command in ("status", "privacy", "doctor", "report"):
                    run(engine, box, command, [command])
                read_report_inputs(runs, engine, box)
    finally:
        box.stop()
    # where the module's time goes (wall, and CPU of this process: the emulator's is not in it)
    with (work / "seconds.txt").open("w") as seconds:
        for engine in (runs.bigquery, runs.duckdb):
            for label, (wall, cpu) in engine.seconds.items():
                print(f"{engine.name:9} {label:32} {wall:6.1f} s  {cpu:6.1f} s CPU", file=seconds)
    return runs


def test_every_command_succeeds_on_bigquery(runs):
    failed = {label: runs.bigquery.out[label][-3000:] for label, code in runs.bigquery.codes.items()
              if code != 0 and label != "doctor"}
    assert not failed, failed
    assert all(code == 0 for code in runs.duckdb.codes.values()), runs.duckdb.codes


@pytest.mark.parametrize("stage", STAGES)
def test_every_mart_equals_duckdb(runs, stage):
    """Row for row, every column: both ran the same sandbox data under the same policy."""
    bigquery, duckdb = runs.bigquery.marts[stage], runs.duckdb.marts[stage]
    assert runs.bigquery.columns == runs.duckdb.columns
    differing = {}
    for mart in MARTS:
        assert duckdb[mart], f"{mart} is empty on DuckDB after the {stage}: nothing compared"
        only_bq = [r for r in bigquery[mart] if r not in duckdb[mart]]
        only_duck = [r for r in duckdb[mart] if r not in bigquery[mart]]
        if only_bq or only_duck or len(bigquery[mart]) != len(duckdb[mart]):
            differing[mart] = {"columns": runs.duckdb.columns.get(mart),
                               "bigquery only": only_bq[:3], "duckdb only": only_duck[:3],
                               "rows": (len(bigquery[mart]), len(duckdb[mart]))}
    assert not differing, differing


@pytest.mark.parametrize("stage", STAGES)
def test_no_mart_key_is_duplicated_on_bigquery(runs, stage):
    duplicated = {}
    for mart, key in runs.keys.items():
        columns = runs.bigquery.columns[mart]
        positions = [columns.index(c) for c in key]
        values = [tuple(row[p] for p in positions) for row in runs.bigquery.marts[stage][mart]]
        if len(values) != len(set(values)):
            duplicated[mart] = len(values) - len(set(values))
    assert not duplicated, duplicated


def test_the_rerun_changed_the_marts_as_on_duckdb(runs):
    """The deletions before the rerun reached the marts (so the rerun compared new data),
    the Fitbit day inside the incremental marts' look-back window (their MERGE must delete it)."""
    first, rerun = runs.duckdb.marts["first run"], runs.duckdb.marts["incremental rerun"]
    assert len(rerun["dim_contacts"]) == len(first["dim_contacts"]) - 1
    assert len(rerun["fct_engagements"]) == len(first["fct_engagements"]) - 1
    assert len(rerun["fct_activity_daily"]) < len(first["fct_activity_daily"])


def summary_lines(out: str) -> list[str]:
    return [line.split(" INFO prp.transform: ", 1)[1] for line in out.splitlines()
            if " INFO prp.transform: transform: " in line and "skipping" not in line
            and "building" not in line]


@pytest.mark.parametrize("stage", STAGES)
def test_the_transform_summary_names_the_sources_and_counts_as_on_duckdb(runs, stage):
    bigquery = summary_lines(runs.bigquery.out[f"{stage}: transform"])
    assert "transform: marts fed by notion, hubspot, fitbit" in bigquery
    assert bigquery == summary_lines(runs.duckdb.out[f"{stage}: transform"])


def counted_lines(out: str) -> list[str]:
    """The lines of ``prp status`` / ``prp privacy`` that carry counts, per source."""
    return [line for line in out.splitlines()
            if line.rstrip().endswith(("rows", "in the last run")) or line.endswith(":")]


def test_status_reads_every_source_and_counts_as_duckdb(runs):
    out = runs.bigquery.out["status"]
    for name in SOURCES:
        assert f"{name}: dataset raw_data" in out
    assert "last successful load: none" not in out
    assert counted_lines(out) == counted_lines(runs.duckdb.out["status"])


def test_privacy_counts_treated_values_as_duckdb(runs):
    out = runs.bigquery.out["privacy"]
    assert "destination: bigquery" in out and "hubspot__contacts.email" in out
    assert counted_lines(out) == counted_lines(runs.duckdb.out["privacy"])


def test_doctor_reaches_both_datasets(runs):
    assert "ok   destination: BigQuery datasets raw_data, analytics in local-project" in \
        runs.bigquery.out["doctor"]


def test_report_freshness_and_completeness_as_on_duckdb(runs):
    assert "Report: " in runs.bigquery.out["report"]
    section = runs.sections["bigquery"]
    assert section.takeaway.startswith("3 of 3 sources loaded; all within 2 days")
    assert section.takeaway == runs.sections["duckdb"].takeaway
    assert runs.completeness["bigquery"], "no completeness check read from BigQuery"
    assert runs.completeness["bigquery"] == runs.completeness["duckdb"]


def test_a_daily_build_merges_only_the_look_back_window(runs):
    """The rerun's incremental models: one MERGE whose ON clause keeps the target's look-back
    window (a constant filter on the partition column BigQuery prunes on) and deletes what the
    model no longer produces there; the first run and --full-refresh build the whole table."""
    import sqlglot
    from sqlglot import expressions as exp

    models = runs.built_with["incremental rerun"]
    assert {"fct_sleep_nightly", "fct_activity_daily"} <= set(models)
    for name, (column, compiled, sql) in models.items():
        merges = [s for s in sqlglot.parse(sql, read="bigquery") if isinstance(s, exp.Merge)]
        assert len(merges) == 1, (name, sql[:400])
        on = merges[0].args["on"]
        window = [c for c in on.find_all(exp.GTE) if c.this.name == column]
        assert window and not list(window[0].expression.find_all(exp.Column)), (name, on.sql())
        assert "when not matched by source" in sql.lower(), name
        assert f"where {column} >=" in " ".join(compiled.lower().split()), name
        for stage in ("first run", "full refresh"):
            assert f"where {column} >=" not in " ".join(runs.built_with[stage][name][1].split())
            whole = runs.built_with[stage][name][2].lower()
            assert "create or replace table" in whole and "merge" not in whole, (stage, name)
