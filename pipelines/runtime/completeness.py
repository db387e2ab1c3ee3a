"""Completeness after every run: what an API says it holds against what the warehouse holds.

Where an API counts cheaply (HubSpot search's ``total``, the Notion id scan), a source notes it
in its run context (``RunContext.expect``) while it extracts; after the load the runner counts
the same rows in the warehouse, records both in the raw dataset's ``_prp_completeness`` table and
warns on a difference (a dbt test fails on it too). A partial load is never silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dlt
from dlt.common.destination.exceptions import DestinationUndefinedEntity

log = logging.getLogger("prp.completeness")

TABLE = "_prp_completeness"


@dataclass(frozen=True)
class Expectation:
    table: str
    scope: str  # what the count covers (an object type, a data source id)
    api_count: int
    where: str = ""
    params: tuple = ()


@dataclass
class Expectations:
    items: list[Expectation] = field(default_factory=list)

    def add(self, table: str, scope: str, api_count: int, where: str = "",
            params: tuple = ()) -> None:
        """The API holds ``api_count`` rows of ``table`` matching ``where`` (checked after load)."""
        self.items.append(Expectation(table, scope, int(api_count), where, tuple(params)))


def _warehouse_count(client, item: Expectation) -> int:
    sql = f"select count(*) from {client.make_qualified_table_name(item.table)}"
    if item.where:
        sql += f" where {item.where}"
    try:
        return int(client.execute_sql(sql, *item.params)[0][0])
    except DestinationUndefinedEntity:
        return 0


def record(pipeline: dlt.Pipeline, source: str, expected: Expectations) -> list[str]:
    """Count each expectation in the warehouse, store both counts; the differences, as messages."""
    if not expected.items:
        return []
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    problems = []
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name(TABLE)
        client.execute_sql(f"create table if not exists {table} (source varchar(64), "
                           "table_name varchar(128), scope varchar(256), api_count bigint, "
                           "warehouse_count bigint, checked_at timestamp)")
        for item in expected.items:
            held = _warehouse_count(client, item)
            client.execute_sql(f"insert into {table} values (%s, %s, %s, %s, %s, cast(%s as timestamp))",
                               source, item.table, item.scope, item.api_count, held, now[:19])
            if held != item.api_count:
                problems.append(f"{source}: {item.table} ({item.scope}): the API counts "
                                f"{item.api_count}, the warehouse holds {held}")
    return problems
