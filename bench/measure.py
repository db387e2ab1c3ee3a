"""Run a pipeline or dbt in a child process and measure it; each run gets a warehouse dir."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


class RunFailed(RuntimeError):
    """A pipeline or dbt run in a child process exited non-zero."""


def _last_error(log: Path) -> str:
    """The first line of the last error in a run's log, cut short."""
    lines = log.read_text(errors="replace").splitlines()
    causes = [line for line in lines if "Exception:" in line] or [line for line in lines if "rror" in line]
    return (causes[-1] if causes else "see the run's log")[:300]


class Workspace:
    """A throw-away project directory with its own warehouse, dlt state and logs."""

    def __init__(self, label: str, root: Path):
        self.dir = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=root))
        (self.dir / ".dlt").mkdir()
        shutil.copy(REPO / ".dlt" / "config.toml", self.dir / ".dlt" / "config.toml")
        self.log = self.dir / "runs.log"

    def env(self, sandbox_env: dict[str, str]) -> dict[str, str]:
        """Environment for a run in this workspace against the sandbox."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "PRP__"))}
        env.update(sandbox_env, DLT_PROJECT_DIR=str(self.dir), DLT_DATA_DIR=str(self.dir / "dlt"),
                   PRP__TARGET="bench", PRP__DUCKDB_PATH=str(self.dir / "bench.duckdb"),
                   PRP__DATA_DIR=str(self.dir / "data"), PYTHONPATH=str(REPO))
        return env

    def _run(self, args: list[str], env: dict[str, str]) -> float:
        started = time.monotonic()
        with self.log.open("a") as log:
            done = subprocess.run(args, cwd=self.dir, env=env, stdout=log, stderr=subprocess.STDOUT)
        elapsed = time.monotonic() - started
        if done.returncode != 0:
            raise RunFailed(f"{' '.join(args[3:5])} failed (exit {done.returncode}): "
                            f"{_last_error(self.log)}")
        return elapsed

    def pipeline(self, source: str, mode: str, sandbox_env: dict[str, str],
                 file_format: str | None = None) -> dict[str, Any]:
        """One refresh in a child process: the worker's figures plus the process's wall time."""
        out = self.dir / f"{source}-{mode}.json"
        args = [sys.executable, "-m", "bench.worker", source, mode, str(out)]
        env = self.env(sandbox_env)
        if file_format:  # unset: the project's own default for DuckDB
            env["PRP__LOADER_FILE_FORMAT"] = file_format
        process_s = self._run(args, env)
        return {**json.loads(out.read_text()), "process_s": round(process_s, 3)}

    def dbt_build(self, sandbox_env: dict[str, str]) -> float:
        """Seconds for ``prp transform build`` (dbt build) on this workspace's warehouse."""
        return self._run([sys.executable, "-m", "pipelines.cli", "transform", "build"],
                         self.env(sandbox_env))
