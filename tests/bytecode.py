"""Compile the heavy imports once before the test workers start, on a fresh checkout.

A new ``.venv`` holds no bytecode. Without this, each test worker (and each ``prp`` or ``dbt``
process a test starts) compiles dlt, dbt, pandas and the rest on its own at the same time:
about a minute of CPU, repeated for nothing. Two processes (dlt's side and dbt's side) import
them first, side by side, and leave the bytecode for everyone. On a checkout that already has
its bytecode this costs one file check.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

# what the workers and the processes they start import; a module missing here is only slower
IMPORT_GROUPS = (
    ("dlt", "dlt.pipeline", "dlt.destinations.impl.duckdb.duck", "dlt.normalize", "dlt.load",
     "dlt.common.libs.pyarrow", "pandas", "duckdb", "pipelines.cli", "pipelines.sources",
     "pipelines.report.build", "sandbox", "googleapiclient.discovery", "playwright.sync_api"),
    ("dbt.cli.main", "dbt.adapters.duckdb", "dbt.adapters.bigquery", "dbt.task.build",
     "dbt.task.docs.generate", "dbt.task.freshness", "dbt.parser.manifest", "sqlglot"),
)
# a module whose bytecode says whether this environment has been compiled already (found by
# path: finding it by name would import its package, which compiles it)
WITNESS = Path("dbt", "cli", "main.py")


def bytecode_missing() -> bool:
    source = Path(sysconfig.get_paths()["purelib"]) / WITNESS
    return source.exists() and not Path(importlib.util.cache_from_source(str(source))).exists()


def compile_heavy_imports(repo: Path) -> None:
    """Import every group in its own process, all at once, and wait for them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(repo)
    importers = [subprocess.Popen([sys.executable, "-c", "import importlib, sys\n"
                                   "for name in sys.argv[1:]: importlib.import_module(name)", *group],
                                  cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for group in IMPORT_GROUPS]
    for importer in importers:
        importer.wait()  # a failed import only means less bytecode: the tests themselves will say
