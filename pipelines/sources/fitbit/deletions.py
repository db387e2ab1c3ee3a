"""How Fitbit deletions are found: the look-back window compared with the warehouse.

The Google Health API has no modified-since cursor and no list of deleted points, so every
incremental run re-reads a window of recent dates; what the warehouse holds inside that window
and the API no longer returns (a session removed in the app, a day's figures withdrawn) is loaded
again marked ``deleted``. A full refresh replaces the tables, so it compares nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

from pipelines.runtime.warehouse import stored_rows, stored_values
from pipelines.sources.fitbit.rows import SLEEP_TABLE, sleep_row


def vanished_sleep(lower: datetime, upper: datetime, seen: set[str],
                   in_window: Callable[[dict], bool]) -> Iterator[dict]:
    """Sessions the warehouse holds that end between ``lower`` and ``upper``, fall in the window
    (``in_window`` dates a rebuilt row) and the API no longer returns."""
    stored = stored_rows(SLEEP_TABLE, "sleep_id, end_time, end_utc_offset_seconds",
                         "end_time >= %s and end_time < %s", (lower, upper))
    for sleep_id, end_time, offset in stored:
        row = sleep_row({"name": sleep_id, "sleep": {"interval": {
            "endTime": end_time.isoformat(), "endUtcOffset": f"{offset}s" if offset is not None
            else None}}})
        if sleep_id not in seen and in_window(row):
            yield {"sleep_id": sleep_id, "deleted": True}


def vanished_days(table: str, column: str, start: date, end: date,
                  seen: set[date]) -> Iterator[dict]:
    """Dates from ``start`` to ``end`` the warehouse holds that the API no longer returns."""
    stored = stored_values(table, column, f"{column} >= %s and {column} <= %s", (start, end))
    for value in sorted(stored - {d.isoformat() for d in seen}):
        yield {column: date.fromisoformat(value[:10]), "deleted": True}


def vanished_keys(table: str, key: str, date_column: str, start: date, end: date,
                  seen: set[str]) -> Iterator[dict]:
    """Rows dated ``start`` to ``end`` the warehouse holds whose key the API no longer returns."""
    stored = stored_values(table, key, f"{date_column} >= %s and {date_column} <= %s",
                           (start, end))
    for value in sorted(stored - seen):
        yield {key: value, "deleted": True}
