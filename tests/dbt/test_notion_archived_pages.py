"""Archived and trashed Notion pages in the habit marts, as the README says.

A page archived in Notion leaves its database's default views but is still the person's history:
its habit periods stay in ``fct_habit_periods``, flagged ``is_archived``. A page in the trash is
gone: its periods leave the marts. A warehouse loaded before the flag existed builds too.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.sources.notion import refresh_notion
from pipelines.transform import DAILY_BUILD_ARGS, run_dbt
from tests.conftest import duckdb_rows

pytestmark = [pytest.mark.dbt, pytest.mark.integration]

MODELS = "+fct_habit_periods +habit_metrics +habit_streaks"


def build(ws) -> None:
    as_of = ws.clock.now().date().isoformat()
    run_dbt("build", "--select", MODELS, "--indirect-selection", "cautious",
            "--vars", json.dumps({"timezone": "Europe/London", "as_of_date": as_of}),
            *DAILY_BUILD_ARGS)


def periods_of(db, page_id) -> list[tuple]:
    return duckdb_rows(db, "select habit_name, is_archived from dev_analytics.fct_habit_periods "
                           f"where page_id = '{page_id}' order by habit_name")


def test_archived_pages_stay_flagged_and_trashed_pages_leave_the_marts(project_dir, start):
    ws = start(apis=("notion",)).notion.ws
    refresh_notion()
    daily = ws.data_source("Daily Habits")
    habits = sorted(p.name for p in daily.properties.values() if p.type in ("checkbox", "number"))
    archived, trashed, kept = ws.live_pages("Daily Habits")[-3:]
    ws.clock.advance(minutes=5)
    ws.archive_page(archived.id)
    ws.trash_page(trashed.id)
    refresh_notion()
    db = project_dir / "warehouse.duckdb"

    build(ws)

    assert periods_of(db, archived.id) == [(name, True) for name in habits]
    assert periods_of(db, trashed.id) == []
    assert periods_of(db, kept.id) == [(name, False) for name in habits]
    assert duckdb_rows(db, "select count(*) from dev_analytics.fct_habit_periods "
                           "where is_archived") == [(len(habits),)]

    # a warehouse loaded before notion__pages had the flag: every page reads as not archived
    with duckdb.connect(str(db)) as con:
        con.execute("alter table dev_raw_data.notion__pages drop column is_archived")
    build(ws)
    assert periods_of(db, archived.id) == [(name, False) for name in habits]
