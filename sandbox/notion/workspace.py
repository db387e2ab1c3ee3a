"""The Notion workspace the stand-in serves: data sources, pages, their values, mutations.

Values are stored by stable property id, as Notion does, so a rename changes only the
schema. Ground truth for tests comes from here (``live_pages``, ``habit_values``).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.clock import Clock

PROFILE_DAYS = {"small": 130, "demo": 365, "heavy": 3 * 365}

# (name, type, config) per habit database; checkbox and number columns are the habits.
DAILY_SCHEMA = [
    ("Name", "title", {}),
    ("Date", "date", {}),
    ("Meditate", "checkbox", {}),
    ("Exercise", "checkbox", {}),
    ("Read", "checkbox", {}),
    ("No Alcohol", "checkbox", {}),
    ("Water (glasses)", "number", {"format": "number"}),
    ("Pages Read", "number", {"format": "number"}),
    ("Mood", "select", {"options": ["great", "good", "okay", "low"]}),
    ("Tags", "multi_select", {"options": ["travel", "sick", "weekend", "busy"]}),
    ("Status", "status", {"options": ["Not started", "In progress", "Done"]}),
    ("Notes", "rich_text", {}),
    ("Score", "formula", {"expression": "count of checked habits"}),
]
WEEKLY_SCHEMA = [
    ("Name", "title", {}),
    ("Week", "date", {}),
    ("Call Family", "checkbox", {}),
    ("Meal Prep", "checkbox", {}),
    ("Review Budget", "checkbox", {}),
    ("Workouts", "number", {"format": "number"}),
    ("Notes", "rich_text", {}),
]
MONTHLY_SCHEMA = [
    ("Name", "title", {}),
    ("Month", "date", {}),
    ("Read a Book", "checkbox", {}),
    ("Deep Clean", "checkbox", {}),
    ("Savings Rate", "number", {"format": "percent"}),
    ("Days", "relation", {"target": "Daily Habits"}),
]
REFERENCE_SCHEMA = [
    ("Habit", "title", {}),
    ("Period", "select", {"options": ["daily", "weekly", "monthly"]}),
    ("Target", "number", {"format": "number"}),
    ("Description", "rich_text", {}),
]
# habit -> (period, target): for a checkbox the target is the share of periods done (0..1);
# for a number it is the value a period must reach.
HABIT_TARGETS = {
    "Meditate": ("daily", 0.8), "Exercise": ("daily", 0.6), "Read": ("daily", 0.7),
    "No Alcohol": ("daily", 0.85), "Water (glasses)": ("daily", 8), "Pages Read": ("daily", 20),
    "Call Family": ("weekly", 1.0), "Meal Prep": ("weekly", 0.75), "Review Budget": ("weekly", 0.5),
    "Workouts": ("weekly", 3), "Read a Book": ("monthly", 1.0), "Deep Clean": ("monthly", 0.5),
}
PERIOD_OF_TITLE = {"Daily Habits": "daily", "Weekly Habits": "weekly", "Monthly Habits": "monthly"}


@dataclass
class Property:
    id: str
    name: str
    type: str
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class DataSource:
    id: str
    database_id: str
    title: str
    properties: dict[str, Property]  # by property id
    created_time: datetime
    last_edited_time: datetime

    def by_name(self, name: str) -> Property:
        for prop in self.properties.values():
            if prop.name == name:
                return prop
        raise KeyError(f"{self.title} has no property {name!r}")


@dataclass
class Page:
    id: str
    data_source_id: str
    created_time: datetime
    last_edited_time: datetime
    values: dict[str, Any]  # by property id; relation values are lists of page ids
    in_trash: bool = False


def minute(ts: datetime) -> datetime:
    """Notion rounds last_edited_time down to the minute."""
    return ts.replace(second=0, microsecond=0)


class Workspace:
    """Seeded habit databases plus the mutations tests use between runs."""

    def __init__(self, profile: str, seed: int, clock: Clock):
        self.rng = random.Random(seed)
        self.clock = clock
        self.data_sources: dict[str, DataSource] = {}
        self.pages: dict[str, Page] = {}
        self._generate(PROFILE_DAYS[profile])

    # ids -------------------------------------------------------------------------------
    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _property_id(self, taken: set[str]) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%:;<=>?@[]^_`{|}~"
        while True:
            pid = "".join(self.rng.choice(alphabet) for _ in range(4))
            if pid not in taken:
                taken.add(pid)
                return pid

    # generation --------------------------------------------------------------------------
    def _add_data_source(self, title: str, schema: list[tuple[str, str, dict]]) -> DataSource:
        created = minute(self.clock.now() - timedelta(days=PROFILE_DAYS["heavy"] + 30))
        taken: set[str] = {"title"}
        props = {}
        for name, ptype, config in schema:
            pid = "title" if ptype == "title" else self._property_id(taken)
            props[pid] = Property(pid, name, ptype, dict(config))
        ds = DataSource(self.new_id(), self.new_id(), title, props, created, created)
        self.data_sources[ds.id] = ds
        return ds

    def data_source(self, title: str) -> DataSource:
        for ds in self.data_sources.values():
            if ds.title == title:
                return ds
        raise KeyError(f"no data source titled {title!r}")

    def _page(self, ds: DataSource, day: date, values_by_name: dict[str, Any]) -> Page:
        created = minute(datetime.combine(day, datetime.min.time(), self.clock.now().tzinfo)
                         + timedelta(hours=self.rng.randint(18, 23), minutes=self.rng.randint(0, 59)))
        edited = min(minute(created + timedelta(minutes=self.rng.randint(0, 36 * 60))),
                     minute(self.clock.now()))
        created = min(created, edited)
        values = {ds.by_name(name).id: value for name, value in values_by_name.items()}
        page = Page(self.new_id(), ds.id, created, edited, values)
        self.pages[page.id] = page
        return page

    def _daily_values(self, day: date) -> dict[str, Any]:
        r = self.rng
        checks = {"Meditate": r.random() < 0.75, "Exercise": r.random() < 0.55,
                  "Read": r.random() < 0.7, "No Alcohol": r.random() < 0.8}
        tags = r.sample(["travel", "sick", "weekend", "busy"], r.randint(0, 2))
        return {
            "Name": day.strftime("%A %d %B %Y"), "Date": day.isoformat(), **checks,
            "Water (glasses)": r.randint(3, 11) if r.random() > 0.05 else None,
            "Pages Read": r.choice([0, 5, 10, 20, 30, 45]),
            "Mood": r.choice(["great", "good", "okay", "low", None]),
            "Tags": tags, "Status": r.choice(["Done", "Done", "In progress"]),
            "Notes": r.choice(["", "Felt good.", "Long day at work.", "Travelling."]),
        }

    def _generate(self, days: int) -> None:
        r = self.rng
        today = self.clock.now().date()
        reference = self._add_data_source("Habit Reference", REFERENCE_SCHEMA)
        daily = self._add_data_source("Daily Habits", DAILY_SCHEMA)
        weekly = self._add_data_source("Weekly Habits", WEEKLY_SCHEMA)
        monthly = self._add_data_source("Monthly Habits", MONTHLY_SCHEMA)
        daily.by_name("Score").config["counts"] = [
            daily.by_name(n).id for n in ("Meditate", "Exercise", "Read", "No Alcohol")]
        monthly.by_name("Days").config["data_source_id"] = daily.id
        start = today - timedelta(days=days)
        for habit, (period, target) in HABIT_TARGETS.items():
            self._page(reference, start, {"Habit": habit, "Period": period, "Target": target,
                                          "Description": f"{period} habit"})
        days_by_month: dict[date, list[str]] = {}
        for offset in range(days):
            day = start + timedelta(days=offset)
            page = self._page(daily, day, self._daily_values(day))
            days_by_month.setdefault(day.replace(day=1), []).append(page.id)
        monday = start - timedelta(days=start.weekday())
        while monday <= today - timedelta(days=7):
            self._page(weekly, monday, {
                "Name": f"Week of {monday.isoformat()}", "Week": monday.isoformat(),
                "Call Family": r.random() < 0.8, "Meal Prep": r.random() < 0.6,
                "Review Budget": r.random() < 0.5, "Workouts": r.randint(0, 5), "Notes": ""})
            monday += timedelta(days=7)
        for first, day_ids in sorted(days_by_month.items()):
            self._page(monthly, first, {
                "Name": first.strftime("%B %Y"), "Month": first.isoformat(),
                "Read a Book": r.random() < 0.7, "Deep Clean": r.random() < 0.5,
                "Savings Rate": round(r.uniform(0.05, 0.3), 2), "Days": day_ids})

    # mutations --------------------------------------------------------------------------
    def _touch(self, page: Page) -> None:
        page.last_edited_time = minute(self.clock.now())

    def edit_page(self, page_id: str, **values_by_name: Any) -> Page:
        """Set properties by their current names; bumps last_edited_time to the clock."""
        page = self.pages[page_id]
        ds = self.data_sources[page.data_source_id]
        for name, value in values_by_name.items():
            page.values[ds.by_name(name).id] = value
        self._touch(page)
        return page

    def add_page(self, title: str, values_by_name: dict[str, Any]) -> Page:
        ds = self.data_source(title)
        now = minute(self.clock.now())
        values = {ds.by_name(name).id: value for name, value in values_by_name.items()}
        page = Page(self.new_id(), ds.id, now, now, values)
        self.pages[page.id] = page
        return page

    def trash_page(self, page_id: str) -> None:
        page = self.pages[page_id]
        page.in_trash = True
        self._touch(page)

    def rename_property(self, title: str, old: str, new: str) -> Property:
        ds = self.data_source(title)
        prop = ds.by_name(old)
        prop.name = new
        ds.last_edited_time = minute(self.clock.now())
        return prop

    def add_property(self, title: str, name: str, ptype: str) -> Property:
        """A new column; existing pages show it empty and are not edited (as in Notion)."""
        ds = self.data_source(title)
        prop = Property(self._property_id(set(ds.properties)), name, ptype, {})
        ds.properties[prop.id] = prop
        ds.last_edited_time = minute(self.clock.now())
        return prop

    # ground truth -----------------------------------------------------------------------
    def live_pages(self, title: str | None = None) -> list[Page]:
        """Pages not in the trash, optionally of one data source."""
        wanted = self.data_source(title).id if title else None
        return [p for p in self.pages.values()
                if not p.in_trash and (wanted is None or p.data_source_id == wanted)]

    def value(self, page: Page, name: str) -> Any:
        return page.values.get(self.data_sources[page.data_source_id].by_name(name).id)

    def habit_values(self) -> list[dict[str, Any]]:
        """One row per live habit page per checkbox/number column: what staging must show."""
        rows = []
        for ds in self.data_sources.values():
            period = PERIOD_OF_TITLE.get(ds.title)
            if period is None:
                continue
            date_prop = next(p for p in ds.properties.values() if p.type == "date")
            for page in self.live_pages(ds.title):
                for prop in ds.properties.values():
                    if prop.type not in ("checkbox", "number"):
                        continue
                    value = page.values.get(prop.id)
                    if prop.type == "checkbox":
                        value = bool(value)
                    rows.append({"page_id": page.id, "period": period,
                                 "date": page.values[date_prop.id], "habit": prop.name,
                                 "habit_type": prop.type, "value": value})
        return rows
