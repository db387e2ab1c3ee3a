"""`prp transform` works with any subset of sources: one, two, or all three loaded.

Each source is loaded once from the sandbox's small profile (through refresh_<name>) into its own
DuckDB file; each subset's warehouse is then put together by copying those raw tables (and
dlt's load log), and `prp transform` runs on each subset in turn. The runs share one warehouse
path and one dbt target, so dbt parses the project once and reuses that parse (a different
warehouse path would make it parse again), and each result is moved aside to be checked.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import duckdb_rows, isolate_project, sandbox_in_env

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

SOURCES = ("notion", "hubspot", "fitbit")
SUBSETS = [combo for size in (1, 2) for combo in itertools.combinations(SOURCES, size)]
RAW = "dev_raw_data"
ANALYTICS = "dev_analytics"
MARTS = ("fct_habit_periods", "habit_metrics", "habit_streaks", "fct_engagements", "dim_contacts",
         "dim_companies", "fct_sleep_nightly", "fct_activity_daily", "daily_summary")
# a mart per source that has rows whenever the source is loaded
FED_BY = {"notion": "fct_habit_periods", "hubspot": "fct_engagements", "fitbit": "fct_sleep_nightly"}


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


def combine(target: Path, sources: dict[str, Path]) -> None:
    """A warehouse holding the raw tables (and dlt's bookkeeping) of the given sources only."""
    with duckdb.connect(str(target)) as con:
        con.execute(f"create schema {RAW}")
        for name, path in sources.items():
            con.execute(f"attach '{path}' as src_{name} (read_only)")
            tables = [row[0] for row in con.execute(
                "select table_name from information_schema.tables "
                f"where table_catalog = 'src_{name}' and table_schema = '{RAW}'").fetchall()]
            for table in tables:
                exists = con.execute(
                    "select count(*) from information_schema.tables where table_catalog = "
                    f"current_database() and table_schema = '{RAW}' and table_name = '{table}'"
                ).fetchone()[0]
                if exists:  # dlt's own tables (_dlt_loads, ...): one log for every source
                    con.execute(f'insert into {RAW}."{table}" by name '
                                f'select * from src_{name}.{RAW}."{table}"')
                else:
                    con.execute(f'create table {RAW}."{table}" as '
                                f'select * from src_{name}.{RAW}."{table}"')
            con.execute(f"detach src_{name}")


def prp_transform(work: Path) -> subprocess.CompletedProcess:
    """`prp transform` on ``work/warehouse.duckdb``, with dbt's artifacts in ``work/target``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRP_", "DBT_"))}
    env.update(PRP__DUCKDB_PATH=str(work / "warehouse.duckdb"), PRP__TIMEZONE="Europe/London",
               DBT_TARGET_PATH=str(work / "target"), DBT_LOG_PATH=str(work / "logs"),
               DLT_PROJECT_DIR=str(work), DLT_DATA_DIR=str(work / "dlt"))
    (work / ".dlt").mkdir(exist_ok=True)
    prp = Path(sys.executable).parent / "prp"
    return subprocess.run([str(prp), "transform"], env=env, cwd=work, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def subset_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple, tuple]:
    """subset -> (its transformed warehouse, completed `prp transform`), every subset built once."""
    loaded = load_each_source(tmp_path_factory.mktemp("sources"))
    work = tmp_path_factory.mktemp("transform")
    runs = {}
    for subset in SUBSETS:
        combine(work / "warehouse.duckdb", {name: loaded[name] for name in subset})
        completed = prp_transform(work)
        kept = tmp_path_factory.mktemp("_".join(subset))
        for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):  # dbt may leave a WAL behind
            if (work / name).exists():
                shutil.move(work / name, kept / name)
        runs[subset] = (kept / "warehouse.duckdb", completed)
    return runs


@pytest.mark.parametrize("subset", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_transform_exits_0_and_every_mart_exists(subset_runs, subset):
    warehouse, completed = subset_runs[subset]
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    tables = {row[0] for row in duckdb_rows(
        warehouse, f"select table_name from information_schema.tables where table_schema = '{ANALYTICS}'")}
    assert set(MARTS) <= tables
    for name, mart in FED_BY.items():
        rows = duckdb_rows(warehouse, f"select count(*) from {ANALYTICS}.{mart}")[0][0]
        assert (rows > 0) == (name in subset), (name, mart, rows)
    # the daily summary shows what is there, and the transform says which sources fed it
    assert duckdb_rows(warehouse, f"select count(*) from {ANALYTICS}.daily_summary")[0][0] > 0
    output = completed.stdout + completed.stderr
    assert f"marts fed by {', '.join(s for s in SOURCES if s in subset)}" in output
