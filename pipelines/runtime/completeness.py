"""Completeness after every run: what an API says it holds against what the warehouse holds.

Where an API counts cheaply (HubSpot search's ``total``, the Notion id scan), a source notes it
in its run context (``RunContext.expect``) while it extracts; after the load the runner counts
the same rows in the warehouse, records both in the raw dataset's ``_prp_completeness`` table
(loaded through dlt: ``bookkeeping``) and warns on a difference (a dbt test fails on it too).
A partial load is never silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt

from pipelines.runtime.warehouse_reader import pipeline_reader

log = logging.getLogger("prp.completeness")


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


def check(pipeline: dlt.Pipeline, source: str,
          expected: Expectations) -> tuple[list[dict[str, Any]], list[str]]:
    """Count each expectation in the warehouse: the rows for ``_prp_completeness``
    (``bookkeeping.record`` loads them) and the differences, as messages."""
    if not expected.items:
        return [], []
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)  # UTC, as the column holds it
    rows, problems = [], []
    with pipeline_reader(pipeline) as reader:
        for item in expected.items:
            held = reader.count(item.table, item.where, item.params) or 0  # no table: none held
            rows.append({"source": source, "table_name": item.table, "scope": item.scope,
                         "api_count": item.api_count, "warehouse_count": held, "checked_at": now})
            if held != item.api_count:
                problems.append(f"{source}: {item.table} ({item.scope}): the API counts "
                                f"{item.api_count}, the warehouse holds {held}")
    return rows, problems
