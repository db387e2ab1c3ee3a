"""Does the daily build grow with history? The same raw tables at one and at ten times the history.

A warehouse loaded from the sandbox (``make bench`` passes the one its full runs loaded) is
copied; in the copy every dated raw table gets nine more copies of its rows, each shifted back by
one more span of that source's history (``HISTORY_TABLES``: the Fitbit days, the Notion pages
and their values, the HubSpot engagements and their associations), with the records' own ids
suffixed so no key collides. Contacts, companies and the Notion data sources are not copied:
more years mean more days and events, not more people or trackers. Then, on each warehouse,
``prp transform`` builds once (the first build) and again after a new load (the daily build,
``--force`` standing for the new load), ``DAILY_BUILDS`` times: the least of them is the
figure, as the other work on a shared machine only ever adds time. On DuckDB every mart is built
whole; on BigQuery the growing marts merge only a look-back window
(``dbt/macros/incremental_lookback.sql``), which a DuckDB timing cannot show: the figures say
what the daily build costs where it runs whole.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import RunFailed, Workspace
from bench.report import emit_json

COPIES = 10  # the history, this many times over
DAILY_BUILDS = 2  # daily builds timed per warehouse; the least is reported
# raw table -> its records' own id columns (suffixed in each copy); dlt's row ids always are
HISTORY_TABLES = {
    "fitbit__activity_daily": (), "fitbit__resting_heart_rate": (), "fitbit__sleep": ("sleep_id",),
    "notion__pages": ("page_id",), "notion__property_values": ("page_id",),
    "hubspot__engagements": ("id", "hs_object_id"),
    # a row per pair: the engagement's id suffixed, the contact or company it points at kept
    "hubspot__engagement_contacts": ("engagement_id",),
    "hubspot__engagement_companies": ("engagement_id",),
}
DLT_IDS = ("_dlt_id", "_dlt_parent_id", "_dlt_root_id")
# the span of each source's history: (table, its date column)
SPAN_OF = {"fitbit": ("fitbit__activity_daily", "activity_date"),
           "notion": ("notion__pages", "created_time"),
           "hubspot": ("hubspot__engagements", "created_at")}
ISO_DATE = r"^\d{4}-\d{2}-\d{2}"


def _span_days(con: Any, schema: str, source: str) -> int:
    table, column = SPAN_OF[source]
    low, high = con.execute(f"select min(try_cast({column} as timestamptz)), "
                            f"max(try_cast({column} as timestamptz)) from {schema}.{table}").fetchone()
    return max(1, (high - low).days + 1) if low and high else 1


def _shifted(con: Any, schema: str, table: str, ids: tuple[str, ...], copy: int, days: int) -> str:
    """The select list of one copy: dates shifted back ``copy * days``, own ids suffixed."""
    columns = con.execute("select column_name, data_type from information_schema.columns "
                          "where table_schema = ? and table_name = ? order by ordinal_position",
                          [schema, table]).fetchall()
    shift = f"interval {copy * days} day"
    parts = []
    for name, kind in columns:
        quoted = f'"{name}"'
        if name in ids or name in DLT_IDS:
            parts.append(f"{quoted} || '~{copy}' as {quoted}")
        elif kind == "DATE":
            parts.append(f"cast({quoted} - {shift} as date) as {quoted}")
        elif kind.startswith("TIMESTAMP"):
            parts.append(f"{quoted} - {shift} as {quoted}")
        elif kind == "VARCHAR" and _holds_dates(con, schema, table, name):
            # ISO dates and instants kept as text (HubSpot's, Notion's date values): shifted,
            # written back in the form they came in (a date alone, or an instant in UTC)
            parts.append(
                f"case when try_cast({quoted} as timestamptz) is null then {quoted} "
                f"when length({quoted}) = 10 then strftime(cast({quoted} as date) - {shift}, '%Y-%m-%d') "
                f"else strftime(cast({quoted} as timestamptz) at time zone 'UTC' - {shift}, "
                f"'%Y-%m-%dT%H:%M:%S.%gZ') end as {quoted}")
        else:
            parts.append(quoted)
    return ", ".join(parts)


def _holds_dates(con: Any, schema: str, table: str, column: str) -> bool:
    """Whether a text column's values are ISO dates or instants (checked on a sample)."""
    total, dated = con.execute(
        f'select count("{column}"), count(case when regexp_matches("{column}", \'{ISO_DATE}\') '
        f'and try_cast("{column}" as timestamptz) is not null then 1 end) '
        f'from (select "{column}" from {schema}.{table} where "{column}" is not null limit 200)').fetchone()
    return total > 0 and dated == total


def copy_history(warehouse: Path, schema: str, copies: int = COPIES) -> dict[str, int]:
    """Give every dated raw table ``copies`` times its history, in place; rows per table after."""
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        spans = {source: _span_days(con, schema, source) for source in SPAN_OF}
        present = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]).fetchall()}
        rows = {}
        for table, ids in HISTORY_TABLES.items():
            if table not in present:
                continue
            days = spans[table.split("__", 1)[0]]
            for copy in range(1, copies):
                con.execute(f"insert into {schema}.{table} select "
                            f"{_shifted(con, schema, table, ids, copy, days)} "
                            f"from {schema}.{table} where not contains(_dlt_id, '~')")
            rows[table] = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
    return rows


def _timed_builds(ws: Workspace, env: dict[str, str]) -> dict[str, Any]:
    """The first build and the daily build (after a new load) of one warehouse, in seconds."""
    run_env = {**ws.env(env), "DBT_TARGET_PATH": str(ws.dir / "dbt-target")}  # its own artifacts
    try:
        first = ws._run([sys.executable, "-m", "pipelines.cli", "transform"], run_env)
        daily = [ws._run([sys.executable, "-m", "pipelines.cli", "transform", "--force"], run_env)
                 for _ in range(DAILY_BUILDS)]
    except RunFailed as exc:
        return {"error": str(exc)}
    return {"first_build_s": round(first, 1), "daily_build_s": round(min(daily), 1),
            "daily_builds_s": [round(seconds, 1) for seconds in daily],
            "slowest_nodes_s": _slowest_nodes(ws)}


def _slowest_nodes(ws: Workspace, count: int = 6) -> dict[str, float]:
    """The last daily build's slowest dbt nodes (models and tests), from its run_results.json."""
    path = ws.dir / "dbt-target" / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())["results"]
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:count]
    return {r["unique_id"].split(".", 2)[2][:60]: round(r["execution_time"], 1) for r in slowest}


def measure(loaded: Path, root: Path, sandbox_env: dict[str, str]) -> dict[str, Any]:
    """Daily build times at one and at ``COPIES`` times the history of the warehouse file
    ``loaded`` (left as it is: each measure builds on a copy of its raw tables)."""
    import duckdb

    one, ten = Workspace("history-x1", root), Workspace(f"history-x{COPIES}", root)
    for ws in (one, ten):
        shutil.copy(loaded, ws.dir / "bench.duckdb")
        with duckdb.connect(str(ws.dir / "bench.duckdb")) as con:
            # the raw dataset of PRP__TARGET=bench (bench.measure), whatever its prefix; the
            # analytics tables go, so both build from the raw tables alone
            (schema,) = con.execute("select schema_name from information_schema.schemata "
                                    "where schema_name like '%raw_data'").fetchone()
            for (name,) in con.execute("select schema_name from information_schema.schemata "
                                       "where schema_name like '%analytics%'").fetchall():
                con.execute(f"drop schema {name} cascade")
    raw_rows = copy_history(ten.dir / "bench.duckdb", schema)
    print("bench: history x1 builds", file=sys.stderr, flush=True)
    x1 = _timed_builds(one, sandbox_env)
    print(f"bench: history x{COPIES} builds", file=sys.stderr, flush=True)
    many = _timed_builds(ten, sandbox_env)
    return {"copies": COPIES, f"raw_rows_x{COPIES}": raw_rows, "x1": x1, f"x{COPIES}": many,
            "daily_ratio": (round(many["daily_build_s"] / x1["daily_build_s"], 2)
                            if "daily_build_s" in x1 and "daily_build_s" in many else None)}


def main(argv: list[str] | None = None) -> int:
    """Load a profile into DuckDB (limits off), then measure; for a run apart from ``make bench``."""
    from bench.sandbox_proc import SandboxProcess

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="heavy", choices=["small", "demo", "heavy"])
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="prp-history-"))
    try:
        with SandboxProcess(args.profile, 7) as box:
            box.set_rate_limits(False)
            loaded = Workspace("history-load", root)
            for source in ("notion", "hubspot", "fitbit"):
                loaded.pipeline(source, "full", box.env(False))
            report = {"profile": args.profile,
                      **measure(loaded.dir / "bench.duckdb", root, box.env(False))}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    emit_json(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
