"""Which week a review covers: the last completed Monday-to-Sunday week in the personal zone.

"Today" is the date in the personal time zone (``Settings.timezone``: the configured one, else
the machine's), as the transform's as-of date is; today's week is still under way, so the
review covers the week before it. ``--week 2026-W23`` picks another one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipelines.runtime.errors import ConfigurationError

ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")
WEEKS_BEFORE = 4  # the comparison window: the four weeks before the reviewed one


@dataclass(frozen=True)
class Week:
    """A Monday-to-Sunday week, with the date the review was made on."""

    start: date
    today: date

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        """The ISO week, as in ``review-2026-W23.md``."""
        year, number, _ = self.start.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def days(self) -> list[str]:
        return [(self.start + timedelta(days=k)).isoformat() for k in range(7)]

    @property
    def starts_before(self) -> list[str]:
        """The Mondays of the ``WEEKS_BEFORE`` weeks before this one, latest first."""
        return [(self.start - timedelta(weeks=k)).isoformat() for k in range(1, WEEKS_BEFORE + 1)]

    @property
    def days_before(self) -> list[str]:
        first = self.start - timedelta(weeks=WEEKS_BEFORE)
        return [(first + timedelta(days=k)).isoformat() for k in range(7 * WEEKS_BEFORE)]

    def describe(self) -> str:
        """``1 to 7 June 2026`` (or across months and years as needed)."""
        start, end = self.start, self.end
        if start.year != end.year:
            return f"{start:%-d %B %Y} to {end:%-d %B %Y}"
        if start.month != end.month:
            return f"{start:%-d %B} to {end:%-d %B %Y}"
        return f"{start.day} to {end:%-d %B %Y}"


def today_in(timezone: str) -> date:
    """Today's date in the personal time zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def last_completed_week(today: date) -> Week:
    """The Monday-to-Sunday week that ended before ``today``'s week began."""
    this_monday = today - timedelta(days=today.weekday())
    return Week(this_monday - timedelta(weeks=1), today)


def parse_week(value: str, today: date) -> Week:
    """``2026-W23`` (or ``2026W23``) as a week; a week not yet over, or no such week, fails."""
    match = ISO_WEEK.match(value.strip())
    try:
        if not match:
            raise ValueError
        start = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ConfigurationError(f"--week {value!r} is not an ISO week such as 2026-W23") from None
    week = Week(start, today)
    if week.end >= today:
        raise ConfigurationError(f"--week {week.label} is not over yet (today is {today}); "
                                 f"the last completed week is {last_completed_week(today).label}")
    return week
