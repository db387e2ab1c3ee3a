"""What a failed ``column_checks`` test found, logged after a failed dbt command.

dbt reports a failed test as "Got N results": for a model's column checks, how many checks
failed, not which. On DuckDB the warehouse is at hand, so the SQL each failed check test ran
(dbt's ``run_results.json``) runs again, read-only through the warehouse reader, and each of
its rows becomes a line: the check, the column and how many rows fail it. On BigQuery (where
running it again would be billed),
``prp transform test --select <test> --store-failures`` keeps those rows in a table.
"""

from __future__ import annotations

from dlt.destinations.exceptions import DatabaseException

from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_reader import open_warehouse
from pipelines.transform.summary import last_run_results, node_name

CHECK_TEST_PREFIX = "column_checks_"


def failed_column_checks(settings: Settings) -> list[str]:
    """One line per failed check of every failed ``column_checks`` test of the last dbt command."""
    if settings.destination != "duckdb":
        return []
    failed = [r for r in last_run_results() if r.get("status") == "fail"
              and r.get("compiled_code") and node_name(r).startswith(CHECK_TEST_PREFIX)]
    if not failed:
        return []
    lines = []
    with open_warehouse(settings, settings.analytics_dataset) as reader:
        for result in failed:
            test = node_name(result)
            try:
                rows = reader.rows(result["compiled_code"])
            except DatabaseException as exc:
                lines.append(f"{test}: its checks could not be read again ({exc})")
                continue
            lines += [f"{test}: {check} {column}: {failing} row{'' if failing == 1 else 's'}"
                      for check, column, failing in rows]
    return lines
