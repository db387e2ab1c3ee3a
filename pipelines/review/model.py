"""The review as plain data: a week, its sections, each with one computed sentence and a small
table, and the link to the full report. Both renderings (Markdown, HTML) read only this."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.review.week import Week

NOT_MEASURED = "not measured"


@dataclass
class ReviewSection:
    """One topic of the week: its sentence, a small table, and the sources it lacked."""

    id: str
    title: str
    sentence: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels of sources with nothing this week


@dataclass
class Review:
    week: Week
    sections: list[ReviewSection]
    generated: str  # when it was made, UTC
    report_url: str = ""  # the published full report, when there is one

    @property
    def title(self) -> str:
        return f"Weekly review {self.week.label}: {self.week.describe()}"

    def section(self, section_id: str) -> ReviewSection:
        return next(s for s in self.sections if s.id == section_id)


def hours(value: float | None) -> str:
    return NOT_MEASURED if value is None else f"{value:.1f} h"


def count(value: float | None) -> str:
    return NOT_MEASURED if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"
