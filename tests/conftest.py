"""Shared fixtures: an isolated project directory per test and a sandbox to talk to."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def isolate_project(mp: pytest.MonkeyPatch, directory: Path) -> Path:
    """Make ``directory`` the working project: the committed .dlt/config.toml and nothing else.

    dlt state, the DuckDB file and any secrets file land there, never in the checkout, and no
    environment variable from the developer's shell leaks in.
    """
    for key in list(os.environ):
        if key.startswith(("SOURCES__", "PRP__", "DESTINATION__", "PROVIDERS__")) or key in (
            "FORCE_FULL_REFRESH", "PIPELINE_NAME", "BIGQUERY_DATASET",
        ) or key.endswith("_FULL_REFRESH"):
            mp.delenv(key, raising=False)
    (directory / ".dlt").mkdir(exist_ok=True)
    shutil.copy(REPO / ".dlt" / "config.toml", directory / ".dlt" / "config.toml")
    mp.chdir(directory)
    mp.setenv("DLT_PROJECT_DIR", str(directory))
    mp.setenv("DLT_DATA_DIR", str(directory / "dlt"))
    mp.setenv("PRP__DUCKDB_PATH", str(directory / "warehouse.duckdb"))
    mp.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    # dbt's artifacts and logs too, so tests running side by side never share dbt/target
    mp.setenv("DBT_TARGET_PATH", str(directory / "dbt-target"))
    mp.setenv("DBT_LOG_PATH", str(directory / "dbt-logs"))
    return directory


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated project directory per test (see ``isolate_project``)."""
    return isolate_project(monkeypatch, tmp_path)


@pytest.fixture
def start(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Start a sandbox (``start(apis=("notion",), profile="small")``) pointed at by the env."""
    from sandbox import start_sandbox

    started = []

    def _start(apis: tuple[str, ...] | None = None, profile: str = "small", seed: int = 7,
               now=None, rate_limits: bool = False):
        # limits off unless a test checks pacing: the data is the same, the waiting is not
        box = start_sandbox(profile=profile, seed=seed, apis=apis, now=now, rate_limits=rate_limits)
        started.append(box)
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        return box

    yield _start
    for box in started:
        box.stop()


@contextlib.contextmanager
def sandbox_in_env(mp: pytest.MonkeyPatch, profile: str = "demo") -> Iterator:
    """Every stand-in, limits off, with the settings that point the pipelines at it; stopped after."""
    from sandbox import start_sandbox

    box = start_sandbox(profile=profile, seed=7, rate_limits=False)
    try:
        for key, value in box.env().items():
            mp.setenv(key, value)
        yield box
    finally:
        box.stop()


def refresh_every_source() -> None:
    """``prp refresh all`` in-process: every source's real pipeline, one after another."""
    from pipelines.sources import SOURCE_MODULES, refresh_function

    for name in SOURCE_MODULES:
        refresh_function(name)()


def build_marts_as_of(box) -> tuple:
    """``dbt build`` pinned to the sandbox's today in the personal zone.

    Returns (settings, zone, as-of date, the build's error or None): the marts may exist even
    when a dbt test failed, and the caller's own test reports it.
    """
    import json
    from zoneinfo import ZoneInfo

    from pipelines.common.settings import load_settings
    from pipelines.transform import run_dbt

    settings = load_settings()
    zone = ZoneInfo(settings.timezone)
    as_of = box.clock.now().astimezone(zone).date()
    try:
        # the last --vars wins: the CLI's time zone plus the pinned as-of date
        run_dbt("build", "--vars", json.dumps(
            {"timezone": settings.timezone, "as_of_date": as_of.isoformat()}), settings=settings)
    except Exception as exc:  # noqa: BLE001 - reported by the caller's own test
        return settings, zone, as_of, exc
    return settings, zone, as_of, None


def duckdb_rows(path: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` against a DuckDB file, opened read-only."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()
