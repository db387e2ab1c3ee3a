"""The Freshness section: when each source last loaded (dlt's ``_dlt_loads``) and any
completeness warning (the runner's ``_prp_completeness``), both in the raw dataset.

These two are the pipelines' own load log, not source data: the one place the report looks
outside the marts, because no mart can say when it was last fed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.report.model import Chart, Section, Table, series
from pipelines.sources import labels as source_labels

LOAD_COLUMNS = "schema_name, max(inserted_at) as last_loaded_at"
LOAD_WHERE = "where status = 0 group by schema_name"
COMPLETENESS_COLUMNS = "source, table_name, scope, api_count, warehouse_count, checked_at"


def _parse(stamp: str) -> datetime:
    value = datetime.fromisoformat(stamp)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def completeness_warnings(checks: list[dict]) -> list[str]:
    """The latest check per (source, table, scope) where the API and warehouse counts differ."""
    latest: dict[tuple, dict] = {}
    for row in sorted(checks, key=lambda row: row["checked_at"]):
        latest[(row["source"], row["table_name"], row["scope"])] = row
    return [f"{row['source']}: {row['table_name']} ({row['scope']}): the API counts {row['api_count']}, "
            f"the warehouse holds {row['warehouse_count']}"
            for row in latest.values() if row["api_count"] != row["warehouse_count"]]


def freshness_section(loads: list[dict], checks: list[dict], now: datetime | None = None) -> Section:
    """A row and a bar per source: last load and hours since; warnings as a list."""
    now = now or datetime.now(UTC)
    section = Section("freshness", "Freshness", ())
    labels = source_labels()
    by_source = {row["schema_name"]: _parse(row["last_loaded_at"]) for row in loads
                 if row["schema_name"] in labels and row["last_loaded_at"]}
    rows, hours = [], []
    for name, label in labels.items():
        loaded = by_source.get(name)
        age = (now - loaded).total_seconds() / 3600 if loaded else None
        hours.append(None if age is None else round(age, 1))
        rows.append([label, loaded.strftime("%Y-%m-%d %H:%M UTC") if loaded else "never (not connected yet)",
                     _age(age)])
    warnings = completeness_warnings(checks)
    section.tables.append(Table("Last successful load", ["Source", "Loaded", "Age"], rows))
    section.tables.append(Table("Completeness warnings", ["Warning"], [[w] for w in warnings],
                                empty="None: every count checked matches the API."))
    section.charts.append(Chart("freshness-age", "Hours since the last load", "bar",
                                list(labels.values()), [series("hours since last load", hours)], "h"))
    section.missing = [name for name in labels if name not in by_source]
    stale = [labels[name] for name, loaded in by_source.items()
             if (now - loaded).total_seconds() > 2 * 86400]
    section.takeaway = _takeaway(by_source, len(labels), stale, warnings)
    return section


def _age(hours: float | None) -> str:
    if hours is None:
        return ""
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


def _takeaway(by_source: dict, sources: int, stale: list[str], warnings: list[str]) -> str:
    if not by_source:
        return "No source has loaded yet."
    parts = [f"{len(by_source)} of {sources} sources loaded"]
    parts.append(f"stale (over 2 days): {', '.join(stale)}" if stale else "all within 2 days")
    parts.append(f"{len(warnings)} completeness warning{'s' if len(warnings) != 1 else ''}")
    return "; ".join(parts) + "."
