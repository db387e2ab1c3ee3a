"""`prp transform` builds over any subset of HubSpot engagement types (issue 27, item 3).

A portal where one engagement type has no records, or where the key lacks its scope, used to
leave that type's columns out of `hubspot__engagements` (dlt made columns only from values it
saw), and staging, which reads them, failed. Every column the objects file lists is now declared
to dlt, so raw has all of them from the first load. Each engagement type is left out in turn:
emails through the scope a Service Key leaves unticked (`sales-email-read`), the others by
having no records; and an objects file that leaves calls and meetings out altogether (their
columns never exist: staging reads them as null). Each is loaded by the real pipeline from the
small sandbox into its own DuckDB file, then `prp transform` runs on it (one dbt parse for all,
as in test_any_subset_of_sources).
"""

from __future__ import annotations

import contextlib
import io
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from pipelines.sources.hubspot.objects import ENGAGEMENT_TYPES, OBJECTS_FILE, load_objects
from sandbox import start_sandbox
from sandbox.clock import current_minute
from tests.conftest import duckdb_reader, isolate_project

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

RAW, ANALYTICS = "dev_raw_data", "dev_analytics"
SINGULAR = {t: t.removesuffix("s") for t in ENGAGEMENT_TYPES}
RECORD_COLUMNS = {"id", "object_type", "created_at", "updated_at", "is_deleted", "deleted_at",
                  "merged_into"}


UNLISTED = ("calls", "meetings")  # the objects-file case leaves these types out
CASES = {**{t: (t,) for t in ENGAGEMENT_TYPES}, "unlisted": UNLISTED}


def listed_columns(file: Path | None = None) -> dict[str, set[str]]:
    """raw table -> every column the objects file implies (over all types sharing a table)."""
    objects, engagements = load_objects(file)
    out: dict[str, set[str]] = {}
    for spec in [*objects, *engagements]:
        out.setdefault(spec.table, set(RECORD_COLUMNS)).update(
            spec.properties, spec.required_properties())
    return out


def objects_file_without(work: Path, types: tuple[str, ...]) -> Path:
    spec = yaml.safe_load(OBJECTS_FILE.read_text())
    for name in types:
        del spec["engagements"]["types"][name]
    file = work / "objects.yml"
    file.write_text(yaml.safe_dump(spec))
    return file


def load_without(work: Path, case: str) -> Path:
    """A warehouse loaded from a portal where ``case`` has no records (emails: no scope;
    ``unlisted``: the objects file leaves ``UNLISTED`` out)."""
    box = start_sandbox(profile="small", seed=7, apis=("hubspot",), rate_limits=False,
                        now=current_minute() - timedelta(days=1))
    app = box.app("hubspot")
    try:
        with pytest.MonkeyPatch.context() as mp:
            isolate_project(mp, work)
            for key, value in box.env().items():
                mp.setenv(key, value)
            if case == "emails":  # a Service Key created without sales-email-read
                mp.setenv("SOURCES__HUBSPOT__API_KEY",
                          app.service_key(without={"sales-email-read"}))
            elif case == "unlisted":
                mp.setenv("SOURCES__HUBSPOT__OBJECTS_FILE",
                          str(objects_file_without(work, UNLISTED)))
            else:
                for record_id in list(app.truth.records[case]):
                    app.truth.purge(case, record_id)
            from pipelines.sources.hubspot import refresh_hubspot

            refresh_hubspot()
    finally:
        box.stop()
    return work / "warehouse.duckdb"


def prp_transform() -> tuple[int, str]:
    from pipelines.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["transform"])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int, str]]:
    """absent type -> (its transformed warehouse, exit code, output)."""
    loaded = {case: load_without(tmp_path_factory.mktemp(f"without_{case}"), case)
              for case in CASES}
    work = tmp_path_factory.mktemp("transform")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, work)
        mp.setenv("PRP__TIMEZONE", "Europe/London")
        for absent, warehouse in loaded.items():
            shutil.copy(warehouse, work / "warehouse.duckdb")
            code, output = prp_transform()
            kept = tmp_path_factory.mktemp(f"built_without_{absent}")
            for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
                if (work / name).exists():
                    shutil.move(work / name, kept / name)
            out[absent] = (kept / "warehouse.duckdb", code, output)
    return out


@pytest.mark.parametrize("case", CASES)
def test_raw_has_every_listed_column_and_transform_builds(runs, case):
    warehouse, code, output = runs[case]
    file = objects_file_without(warehouse.parent, UNLISTED) if case == "unlisted" else None
    with duckdb_reader(warehouse) as con:
        for table, listed in listed_columns(file).items():
            columns = {r[0] for r in con.execute(
                "select column_name from information_schema.columns "
                f"where table_schema = '{RAW}' and table_name = '{table}'").fetchall()}
            assert listed - columns == set(), (table, case)
        assert code == 0, output[-6000:]
        kinds = {r[0] for r in con.execute(
            f"select distinct engagement_type from {ANALYTICS}.stg_hubspot__engagements").fetchall()}
        assert kinds == {SINGULAR[t] for t in ENGAGEMENT_TYPES if t not in CASES[case]}
        assert con.execute(f"select count(*) from {ANALYTICS}.fct_engagements").fetchone()[0]
