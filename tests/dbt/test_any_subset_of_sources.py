"""`prp transform` works with any subset of sources: each source alone here; two together
(notion+hubspot) on the transform-skip test's first build
(tests/integration/test_transform_skips_unchanged.py); all three on the demo build.

daily_summary is the only model that reads more than one source, and each build checks what
every source adds to it (tests/dbt/marts.py), so a source missing from it or leaking into it
shows on a single source. Each source is loaded once from the sandbox's small profile (through
refresh_<name>) into its own DuckDB file, and `prp transform` (in-process, as the CLI runs it)
runs on a copy of each in turn. The runs share one warehouse path and one dbt target, so dbt
parses the project once and reuses that parse (a different warehouse path would make it parse
again), and each result is moved aside to be checked. The same parse then runs the project's
own `column_checks` test on a subset's marts with bad rows put in.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import duckdb_rows, isolate_project, sandbox_in_env
from tests.dbt.marts import ANALYTICS, SOURCES, assert_every_mart_fed_by

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

SUBSETS = [(name,) for name in SOURCES]


def load_each_source(work: Path) -> dict[str, Path]:
    """One DuckDB file per source, each loaded by its real pipeline from the small sandbox."""
    files = {}
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, work)
        mp.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
        with sandbox_in_env(mp, profile="small"):
            from pipelines.sources import refresh_function

            for name in SOURCES:
                files[name] = work / f"{name}.duckdb"
                mp.setenv("PRP__DUCKDB_PATH", str(files[name]))
                refresh_function(name)()
    return files


def prp_transform(*args: str) -> tuple[int, str]:
    """`prp transform [args]` in this process (as the CLI runs it): its exit code and output."""
    from pipelines.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["transform", *args])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def transform_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every `prp transform` of this module runs (its warehouse is warehouse.duckdb)."""
    return tmp_path_factory.mktemp("transform")


def isolate_transform(mp: pytest.MonkeyPatch, work: Path) -> None:
    """The same project, warehouse path and vars for every dbt command here: one dbt parse."""
    isolate_project(mp, work)
    mp.setenv("PRP__TIMEZONE", "Europe/London")


@pytest.fixture(scope="module")
def subset_runs(tmp_path_factory: pytest.TempPathFactory, transform_dir: Path) -> dict[tuple, tuple]:
    """subset -> (its transformed warehouse, exit code, output), every subset built once."""
    loaded = load_each_source(tmp_path_factory.mktemp("sources"))
    work = transform_dir  # every subset is built here in turn, then moved aside
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        isolate_transform(mp, work)
        for subset in SUBSETS:
            shutil.copy(loaded[subset[0]], work / "warehouse.duckdb")
            code, output = prp_transform()
            kept = tmp_path_factory.mktemp("_".join(subset))
            for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):  # a WAL dbt left behind
                if (work / name).exists():
                    shutil.move(work / name, kept / name)
            runs[subset] = (kept / "warehouse.duckdb", code, output)
    return runs


@pytest.mark.parametrize("subset", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_transform_exits_0_and_every_mart_exists(subset_runs, subset):
    warehouse, code, output = subset_runs[subset]
    assert code == 0, output[-6000:]
    assert_every_mart_fed_by(subset, warehouse, output)


def test_a_mart_with_bad_rows_fails_column_checks_naming_each_check(subset_runs, transform_dir):
    """The project's one-query column checks report each failed check and its rows: nulls in
    required columns, a value outside the accepted ones, a repeated id, a repeated combination."""
    warehouse, code, output = subset_runs[("notion",)]
    assert code == 0, output[-6000:]
    work_copy = transform_dir / "warehouse.duckdb"
    shutil.copy(warehouse, work_copy)
    periods = f"{ANALYTICS}.fct_habit_periods"
    with duckdb.connect(str(work_copy)) as con:
        ids = [row[0] for row in con.execute(
            f"select habit_period_id from {periods} order by habit_period_id limit 4").fetchall()]
        con.execute(f"update {periods} set habit_name = null, is_done = null "
                    "where habit_period_id in (?, ?)", ids[:2])
        con.execute(f"update {periods} set habit_type = 'streak' where habit_period_id = ?", ids[2:3])
        con.execute(f"insert into {periods} select * from {periods} where habit_period_id = ?",
                    ids[3:])
    with pytest.MonkeyPatch.context() as mp:
        isolate_transform(mp, transform_dir)
        code, output = prp_transform("test", "--select", "column_checks_fct_habit_periods",
                                     "--store-failures")
    assert code == 1, output[-6000:]
    # prp says which checks failed (dbt only says how many)
    for line in ("accepted_values habit_type: 1 row", "not_null habit_name: 2 rows",
                 "not_null is_done: 2 rows", "unique habit_period_id: 1 row",
                 "unique_combination habit_id, period_start: 1 row"):
        assert f"transform: column_checks_fct_habit_periods: {line}" in output, output[-3000:]
    # --store-failures keeps the test's rows in a table named after it
    failures = duckdb_rows(work_copy, "select check_name, column_name, failing_rows from "
                           f"{ANALYTICS}.column_checks_fct_habit_periods order by all")
    assert failures == [("accepted_values", "habit_type", 1), ("not_null", "habit_name", 2),
                        ("not_null", "is_done", 2), ("unique", "habit_period_id", 1),
                        ("unique_combination", "habit_id, period_start", 1)]


def test_a_project_folder_elsewhere_reuses_the_saved_dbt_parse(subset_runs, transform_dir,
                                                               tmp_path_factory):
    """dbt's saved parse holds the profile it was made with; the DuckDB file is named there
    relative to the project folder, so a copy of the project elsewhere (another checkout, a
    moved folder) parses only what changed instead of the whole project."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with pytest.MonkeyPatch.context() as mp:
        isolate_transform(mp, elsewhere)
        shutil.copy(subset_runs[("notion",)][0], elsewhere / "warehouse.duckdb")
        (elsewhere / "dbt-target").mkdir(exist_ok=True)
        shutil.copy(transform_dir / "dbt-target" / "partial_parse.msgpack",
                    elsewhere / "dbt-target" / "partial_parse.msgpack")
        code, output = prp_transform("parse")
    assert code == 0, output[-3000:]
    assert "Unable to do partial parsing" not in output, output[-3000:]
