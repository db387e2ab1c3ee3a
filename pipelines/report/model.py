"""The report's building blocks: sections holding figures, charts and tables, as plain data.

Sections are computed in Python from mart rows and rendered to HTML; charts travel to the page
as JSON specs that ``report.js`` turns into Chart.js charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from pipelines.sources import labels


@dataclass
class Figure:
    """One headline number, with the same measure over a comparison window."""

    metric: str
    label: str
    value: float | None
    display: str
    compare: float | None = None
    compare_display: str = ""
    note: str = ""


@dataclass
class Chart:
    """A chart spec: kind is line, bar, stacked or calendar; series are Chart.js datasets."""

    id: str
    title: str
    kind: str
    labels: list
    series: list[dict]
    y_label: str = ""
    y_labels: list = field(default_factory=list)  # calendar rows (weekdays)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list]
    empty: str = "Nothing to show."


@dataclass
class Section:
    id: str
    title: str
    sources: tuple[str, ...]
    takeaway: str = ""
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # sources not connected yet
    error: str = ""


def not_connected(section: Section, missing: list[str]) -> Section:
    """The section as a short "not connected yet" note for the sources it lacks."""
    section.missing = list(missing)
    known = labels()
    names = " and ".join(known[name] for name in missing)
    section.takeaway = f"{names} not connected yet."
    return section


def series(label: str, data: list, **style) -> dict:
    """A Chart.js dataset."""
    return {"label": label, "data": data, **style}


def last_days(rows: list[dict], key: str, days: int) -> list[dict]:
    """Rows whose ``key`` date falls in the ``days`` days ending at the latest one."""
    if not rows:
        return []
    latest = max(date.fromisoformat(row[key]) for row in rows)
    first = (latest - timedelta(days=days - 1)).isoformat()
    return sorted((row for row in rows if row[key] >= first), key=lambda row: row[key])


def completed_days(rows: list[dict], key: str, today: str | None) -> list[dict]:
    """Rows dated before ``today`` (the as-of date, still under way); all rows without one."""
    return [row for row in rows if today is None or row[key] < today]


def mean(values) -> float | None:
    """Average of the values that are not None (None when there are none)."""
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def change(value: float | None, before: float | None, unit: str = "", digits: int = 1,
           percent: bool = False) -> str:
    """'+0.3 h' or '-6%' against ``before``; '' when either is missing."""
    if value is None or before is None:
        return ""
    if percent:
        if not before:
            return ""
        return f"{(value - before) / before * 100:+.0f}%"
    return f"{value - before:+.{digits}f}{unit}"
