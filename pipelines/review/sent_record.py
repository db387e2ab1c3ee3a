"""Which weeks' reviews were sent: the table ``_prp_review_sent`` in the raw dataset.

It lives in the warehouse, not in the data directory, because the scheduled runner starts
from an empty disk every time: a second run in the same week (a refresh dispatched by hand)
must see that the week went out already. Loaded through dlt (schema ``prp_review``), as the
project's other bookkeeping tables, so dlt owns its shape on DuckDB and BigQuery alike. It
keeps the week, when it went and how many recipients, never an address.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import dlt

from pipelines.runtime.lock import warehouse_lock
from pipelines.runtime.runner import build_pipeline
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_reader import open_warehouse

log = logging.getLogger("prp.review")

TABLE = "_prp_review_sent"
SCHEMA = "prp_review"
COLUMNS = {
    "iso_week": {"data_type": "text", "nullable": False},
    "sent_at": {"data_type": "text", "nullable": False},  # ISO 8601, UTC
    "recipients": {"data_type": "bigint", "nullable": True},
    "message_id": {"data_type": "text", "nullable": True},
}


def sent_at(settings: Settings, iso_week: str) -> str | None:
    """When the review of ``iso_week`` was last sent to this warehouse's person; None: never."""
    with open_warehouse(settings, settings.raw_dataset) as reader:
        if not reader.has_table(TABLE):
            return None
        rows = reader.rows(f"select max(sent_at) from {reader.qualified(TABLE)} where iso_week = %s",
                           iso_week)
    return rows[0][0] if rows and rows[0][0] else None


def record_sent(settings: Settings, iso_week: str, recipients: int, message_id: str) -> None:
    """Remember that ``iso_week``'s review went out (one row appended, one dlt load)."""
    row = {"iso_week": iso_week, "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
           "recipients": recipients, "message_id": message_id}

    @dlt.source(name=SCHEMA, max_table_nesting=0)
    def review_sent():  # type: ignore[no-untyped-def]
        return dlt.resource([row], name=TABLE, table_name=TABLE, columns=COLUMNS,
                            write_disposition="append")

    with warehouse_lock(settings.lock_file, settings.warehouse_label, settings.lock_timeout_seconds):
        build_pipeline("review", settings).run(review_sent())
