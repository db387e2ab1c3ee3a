"""``prp demo`` and ``prp sandbox serve``: the whole chain against the local stand-ins.

The demo runs in its own corner so it never touches real settings or data: dlt state and a
copy of the committed config under ``data/demo/``, datasets prefixed ``demo_`` in
``data/warehouse.duckdb``, and the sandbox's own credentials in the environment of this
process only. This module is the pipelines' one door to ``sandbox`` (imported lazily).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.sources import SOURCE_MODULES, refresh_function

log = logging.getLogger("prp.demo")

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "data" / "demo"
WAREHOUSE = REPO / "data" / "warehouse.duckdb"


def _isolate_demo_settings() -> None:
    """Point dlt at a demo project dir (config copy, no secrets file) and demo datasets."""
    (DEMO_DIR / ".dlt").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / ".dlt" / "config.toml", DEMO_DIR / ".dlt" / "config.toml")
    os.environ.update(
        DLT_PROJECT_DIR=str(DEMO_DIR),
        DLT_DATA_DIR=str(DEMO_DIR / "dlt"),
        PRP__DESTINATION="duckdb",
        PRP__TARGET="demo",
        PRP__DUCKDB_PATH=str(WAREHOUSE),
        PRP__DATA_DIR=str(DEMO_DIR),  # dlt state under data/demo/dlt/, keyed by warehouse
    )


def _table_counts(settings, datasets: tuple[str, ...]) -> list[tuple[str, str, int]]:
    from pipelines.runtime.warehouse_reader import open_warehouse

    counts = []
    for dataset in datasets:
        with open_warehouse(settings, dataset) as reader:
            tables = sorted(t for t in reader.tables() if not t.startswith("_dlt"))
            rows = reader.row_counts(tables)
        counts += [(dataset, table, rows[table]) for table in tables]
    return sorted(counts)


def run_demo(profile: str = "demo") -> None:
    """Sandbox -> every pipeline -> DuckDB -> dbt build, then print what landed where."""
    from pipelines.runtime.settings import load_settings
    from pipelines.transform import run_dbt
    from sandbox import start_sandbox

    started = time.monotonic()
    _isolate_demo_settings()
    # anchored to the hour so that runs within the hour see the same generated data
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    log.info("demo: generating the %s profile and starting the sandbox", profile)
    with start_sandbox(profile=profile, now=now) as box:
        os.environ.update(box.env())
        for name in SOURCE_MODULES:
            refresh_function(name)()
        requests = {name: sum(server.app.counts.values()) for name, server in box.servers.items()}
    settings = load_settings()
    run_dbt("build", settings=settings)
    counts = _table_counts(settings, (settings.raw_dataset, settings.analytics_dataset))
    if not counts:
        raise PipelineError("the demo loaded no tables")
    print()
    print(f"Demo finished in {time.monotonic() - started:.0f}s")
    print("Requests served by the sandbox: "
          + ", ".join(f"{name} {n}" for name, n in requests.items()))
    print("Rows per table:")
    for schema, table, rows in counts:
        print(f"  {schema}.{table}: {rows}")
    print(f"Warehouse: {WAREHOUSE}  (datasets {settings.raw_dataset}, {settings.analytics_dataset})")
    print("Inspect it with `prp status` after exporting DLT_PROJECT_DIR=data/demo "
          "PRP__DATA_DIR=data/demo PRP__TARGET=demo, or any DuckDB client.")
    from pipelines.report import build_report

    print(f"Report: {build_report(REPO / 'data' / 'report' / 'index.html', settings=settings)}")


def serve_sandbox(profile: str = "demo", seed: int = 7, faults: list[str] | None = None) -> None:
    """Serve the stand-ins until interrupted, printing the settings that point at them.

    ``faults`` (``api:kind[:count[:path[:retry_after]]]``) are injected before the first
    request; more can be injected while serving with ``POST <origin>/_sandbox/faults``.
    """
    from sandbox import start_sandbox

    with start_sandbox(profile=profile, seed=seed) as box:
        for spec in faults or []:
            try:
                box.inject(spec)
            except ValueError as exc:
                raise ConfigurationError(f"--faults: {exc}") from None
        print("Sandbox running. Point the pipelines at it with:")
        for key, value in sorted(box.env().items()):
            print(f"  export {key}={value}")
        print("Inject faults with: curl -X POST <origin>/_sandbox/faults "
              "-d '{\"kind\": \"server_error\", \"count\": 3}' (GET shows, DELETE clears)")
        print("Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
