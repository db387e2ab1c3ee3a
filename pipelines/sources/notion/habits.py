"""What each Notion data source is for: its habit role and period, from its title or the config.

dbt reads ``period`` and ``role`` from ``notion__data_sources``, so no dbt file names a user's
database. A title is read word by word ("Daily Habits (2025)" is a daily habit tracker, "Habit
Reference" the reference); ``[sources.notion.periods]`` and ``[sources.notion.roles]`` in
``.dlt/config.toml`` set them for titles that say nothing (``"Wochenziele" = "weekly"``).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pipelines.runtime.errors import ConfigurationError

log = logging.getLogger("prp.notion")

PERIODS = ("daily", "weekly", "monthly")
TRACKER = "habit_tracker"
REFERENCE = "habit_reference"
ROLES = (TRACKER, REFERENCE, "none")

# Whole words of a title that name a period (English first; a few common others).
PERIOD_WORDS = {
    "daily": {"daily", "day", "days", "täglich", "tägliche", "quotidien", "diario", "diarios"},
    "weekly": {"weekly", "week", "weeks", "wöchentlich", "woche", "wochen", "hebdo", "semanal"},
    "monthly": {"monthly", "month", "months", "monatlich", "monat", "mensuel", "mensual"},
}
REFERENCE_WORDS = {"reference", "references", "targets", "referenz"}
TRACKER_WORDS = {"habit", "habits", "tracker", "gewohnheiten", "habitudes", "hábitos"}
DEFAULT_TRACKER_PERIOD = "daily"


def _words(title: str) -> set[str]:
    return set(re.findall(r"\w+", title.lower()))


def _mapping(setting: Any, name: str) -> dict[str, str]:
    """A title-or-id -> value map from config (a TOML table, or JSON in an environment variable)."""
    if setting in (None, ""):
        return {}
    if isinstance(setting, str):
        try:
            setting = json.loads(setting)
        except ValueError:
            setting = None
    if not isinstance(setting, dict):
        raise ConfigurationError(
            f"sources.notion.{name} must be a table of data source title (or id) = value, "
            f"e.g. [sources.notion.{name}] \"Wochenziele\" = \"weekly\" in .dlt/config.toml")
    return {str(key).strip(): str(value).strip().lower() for key, value in setting.items()}


def _check(values: dict[str, str], allowed: tuple[str, ...], name: str) -> dict[str, str]:
    for key, value in values.items():
        if value not in allowed:
            raise ConfigurationError(
                f"sources.notion.{name}[{key!r}] is {value!r}; use one of {', '.join(allowed)}")
    return values


def _lookup(values: dict[str, str], title: str, ds_id: str) -> str | None:
    plain_id = ds_id.replace("-", "").lower()
    for key, value in values.items():
        if key == title or key.replace("-", "").lower() == plain_id:
            return value
    return None


def detect_period(title: str) -> str | None:
    """The period a title names (``"Daily Habits (2025)"`` -> daily), or None."""
    words = _words(title)
    found = [period for period in PERIODS if words & PERIOD_WORDS[period]]
    return found[0] if len(found) == 1 else None


def detect_role(title: str) -> str | None:
    """``habit_reference``, ``habit_tracker`` or None (not a habit database) from a title."""
    words = _words(title)
    if words & REFERENCE_WORDS:
        return REFERENCE
    if words & TRACKER_WORDS or detect_period(title):
        return TRACKER
    return None


class HabitRoles:
    """Period and role per data source: the configured ones, else what the title says."""

    def __init__(self, periods: Any = None, roles: Any = None):
        self.periods = _check(_mapping(periods, "periods"), PERIODS, "periods")
        self.roles = _check(_mapping(roles, "roles"), ROLES, "roles")

    def warn_unmatched(self, data_sources: list[tuple[str, str]]) -> None:
        """Log configured keys that name no data source (a typo would silently do nothing)."""
        for name, values in (("periods", self.periods), ("roles", self.roles)):
            for key in values:
                if not any(_lookup({key: "x"}, title, ds_id) for title, ds_id in data_sources):
                    log.warning("notion: sources.notion.%s names %r, which is no loaded data "
                                "source", name, key)

    def describe(self, title: str, ds_id: str) -> dict[str, str | None]:
        """``{"role": ..., "period": ...}`` for one data source."""
        period = _lookup(self.periods, title, ds_id)
        role = _lookup(self.roles, title, ds_id) or (TRACKER if period else detect_role(title))
        if role == "none":
            role = None
        if role != TRACKER:
            return {"role": role, "period": None}
        period = period or detect_period(title)
        if not period:
            period = DEFAULT_TRACKER_PERIOD
            log.info("notion: %r names no period; treated as %s (set [sources.notion.periods] "
                     "%r = \"weekly\" or \"monthly\" to change it)", title, period, title)
        return {"role": role, "period": period}
