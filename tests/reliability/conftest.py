"""Shared helpers for the reliability suite: sandboxes in the past, and "nothing lost" checks.

Every test drives the real ``prp`` code over plain HTTP against the sandbox and checks what
lands: primary keys equal the sandbox's truth and none is duplicated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sandbox import start_sandbox
from sandbox.clock import current_minute
from tests.conftest import duckdb_reader, duckdb_rows, isolate_project
from tests.workspace_snapshot import WorkspaceSnapshot

RAW = "dev_raw_data"
KEYS = {  # raw table -> its primary key column
    "notion__pages": "page_id",
    "hubspot__contacts": "id",
    "hubspot__companies": "id",
    "hubspot__engagements": "id",
}


def a_day_ago() -> datetime:
    """A sandbox start a day in the past, so every stamp is behind the real present."""
    return current_minute() - timedelta(days=1)


def small_retry_waits(mp: pytest.MonkeyPatch) -> None:
    """Retry waits and the lock timeout made small through settings (the defaults are tested on
    their own)."""
    mp.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
    mp.setenv("SOURCES__HUBSPOT__SEARCH_RETRY_WINDOW_SECONDS", "0.05")
    mp.setenv("PRP__LOCK_TIMEOUT_SECONDS", "1")


def start_small_sandbox(apis: tuple[str, ...], now: datetime | None, mp: pytest.MonkeyPatch):
    """The small profile, seed 7, limits off, at ``now`` (default a day ago), pointed at by the env."""
    box = start_sandbox(profile="small", seed=7, apis=apis, now=now or a_day_ago(), rate_limits=False)
    for key, value in box.env().items():
        mp.setenv(key, value)
    return box


@pytest.fixture
def sandbox(project_dir, monkeypatch) -> Iterator:
    """Start the chosen stand-ins a day in the past (``sandbox("hubspot", now=...)`` to choose
    the moment, e.g. a module's ``FirstLoad.now``)."""
    small_retry_waits(monkeypatch)
    started = []

    def _start(*apis: str, now: datetime | None = None):
        box = start_small_sandbox(apis, now, monkeypatch)
        started.append(box)
        return box

    yield _start
    for box in started:
        box.stop()


@dataclass(frozen=True)
class FirstLoad:
    """A first full load, taken once per module and copied into each test that starts from it.

    The sandbox's clock is frozen, so a test's own sandbox started at ``now`` (same profile and
    seed) serves exactly what this load read.
    """

    now: datetime
    snapshot: WorkspaceSnapshot

    def restore(self) -> None:
        """Put the load in place as the current test's warehouse and dlt state."""
        self.snapshot.restore()


def take_first_load(directory: Path, apis: tuple[str, ...], sources: tuple[str, ...]) -> FirstLoad:
    """``prp refresh <source>`` for each of ``sources`` (each must exit 0) in a project of its own
    under ``directory``, against a sandbox serving ``apis``; kept for ``FirstLoad.restore``."""
    from pipelines.cli import main as prp

    now = a_day_ago()
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, directory)
        small_retry_waits(mp)
        box = start_small_sandbox(apis, now, mp)
        try:
            for source in sources:
                assert prp(["refresh", source]) == 0, source
        finally:
            box.stop()
        return FirstLoad(now, WorkspaceSnapshot.take(directory / "snapshot"))


@pytest.fixture(scope="module")
def first_load(tmp_path_factory) -> FirstLoad:
    """HubSpot's first full load, taken once per module: each test restores a copy of it (a
    module that needs other sources overrides this fixture)."""
    return take_first_load(tmp_path_factory.mktemp("first_load"), ("hubspot",), ("hubspot",))


def warehouse(project_dir: Path) -> Path:
    return project_dir / "warehouse.duckdb"


def raw_counts(project_dir: Path, prefix: str) -> dict[str, int]:
    """Rows per raw table of one source (``prefix`` such as ``hubspot__``)."""
    with duckdb_reader(warehouse(project_dir)) as con:
        tables = con.execute("select table_name from information_schema.tables "
                             f"where table_schema = '{RAW}' and table_name like '{prefix}%'").fetchall()
        return {t: con.execute(f'select count(*) from {RAW}."{t}"').fetchone()[0] for (t,) in tables}


def keys(project_dir: Path, table: str, where: str = "") -> list[str]:
    """Every primary key of a raw table, duplicates kept (so a test can see them)."""
    sql = f"select {KEYS[table]} from {RAW}.{table}" + (f" where {where}" if where else "")
    return [str(k) for (k,) in duckdb_rows(warehouse(project_dir), sql)]


def assert_nothing_lost(project_dir: Path, box) -> None:
    """Primary keys equal the sandbox's truth for every API served, none duplicated."""
    if "notion" in box.servers:
        found = keys(project_dir, "notion__pages", "not in_trash")
        assert len(found) == len(set(found)), "duplicate notion pages"
        assert set(found) == {p.id for p in box.notion.ws.live_pages()}
    if "hubspot" in box.servers:
        crm = box.app("hubspot").truth
        for table, truth in (("hubspot__contacts", crm.live_ids("contacts")),
                             ("hubspot__companies", crm.live_ids("companies")),
                             ("hubspot__engagements", set(crm.live_engagements()))):
            every = keys(project_dir, table)
            assert len(every) == len(set(every)), f"duplicate keys in {table}"
            assert set(keys(project_dir, table, "not is_deleted")) == truth, table
