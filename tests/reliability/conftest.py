"""Shared helpers for the reliability suite: sandboxes in the past, and "nothing lost" checks.

Every test drives the real ``prp`` code over plain HTTP against the sandbox and checks what
lands: primary keys equal the sandbox's truth and none is duplicated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox import start_sandbox
from tests.conftest import duckdb_rows

RAW = "dev_raw_data"
KEYS = {  # raw table -> its primary key column
    "notion__pages": "page_id",
    "hubspot__contacts": "id",
    "hubspot__companies": "id",
    "hubspot__engagements": "id",
}


@pytest.fixture
def sandbox(project_dir, monkeypatch) -> Iterator:
    """Start the chosen stand-ins a day in the past, so every stamp is behind the real present.

    Retry waits are made small through settings; the real default policy is tested on its own.
    """
    monkeypatch.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("SOURCES__HUBSPOT__SEARCH_RETRY_WINDOW_SECONDS", "0.05")
    monkeypatch.setenv("PRP__LOCK_TIMEOUT_SECONDS", "1")
    started = []

    def _start(*apis: str):
        now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
        box = start_sandbox(profile="small", seed=7, apis=apis, now=now, rate_limits=False)
        started.append(box)
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        return box

    yield _start
    for box in started:
        box.stop()


def warehouse(project_dir: Path) -> Path:
    return project_dir / "warehouse.duckdb"


def raw_counts(project_dir: Path, prefix: str) -> dict[str, int]:
    """Rows per raw table of one source (``prefix`` such as ``hubspot__``)."""
    tables = duckdb_rows(warehouse(project_dir),
                         "select table_name from information_schema.tables "
                         f"where table_schema = '{RAW}' and table_name like '{prefix}%'")
    return {t: duckdb_rows(warehouse(project_dir), f'select count(*) from {RAW}."{t}"')[0][0]
            for (t,) in tables}


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
