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
from urllib.parse import quote, unquote

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
REFERENCE_CAP = 25  # page objects compute relations, people, rollups and formulas from 25 references
USER_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Ken"]


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
    children: list[str] = field(default_factory=list)  # a wiki's child data sources (ids)

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
    values: dict[str, Any]  # by property id; relation/people values are lists of ids
    in_trash: bool = False
    is_archived: bool = False  # archived: out of default queries, yet not in the trash
    shared: bool = True  # False: the integration lost access (every route answers 404)


def minute(ts: datetime) -> datetime:
    """Notion rounds last_edited_time down to the minute."""
    return ts.replace(second=0, microsecond=0)


class Workspace:
    """Seeded habit databases plus the mutations tests use between runs."""

    def __init__(self, profile: str, seed: int, clock: Clock, scale: int = 1):
        self.rng = random.Random(seed)
        self.clock = clock
        self.data_sources: dict[str, DataSource] = {}
        self.pages: dict[str, Page] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.days = PROFILE_DAYS[profile] * scale  # ``scale``: the benchmark's volume series
        self._generate(self.days)
        # Columns computed over the Days relation get their own generator, so every id and
        # value drawn above stays what it was before they existed.
        self._add_computed_columns(random.Random(seed * 7919 + 25))

    # ids -------------------------------------------------------------------------------
    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _property_id(self, taken: set[str], rng: random.Random | None = None) -> str:
        """A new property id as the API returns it: URL-encoded (``f%5C%5C%3Ap`` style)."""
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%:;<=>?@[]^_`{|}~"
        taken_raw = {unquote(pid) for pid in taken}
        while True:
            raw = "".join((rng or self.rng).choice(alphabet) for _ in range(4))
            if raw not in taken_raw:
                taken.add(quote(raw, safe=""))
                return quote(raw, safe="")

    # generation --------------------------------------------------------------------------
    def _add_data_source(self, title: str, schema: list[tuple[str, str, dict]]) -> DataSource:
        created = minute(self.clock.now() - timedelta(days=max(PROFILE_DAYS["heavy"], self.days) + 30))
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

    def _add_computed_columns(self, rng: random.Random) -> None:
        """Monthly Habits: a rollup and a formula over the Days relation, and a people column."""
        monthly = self.data_source("Monthly Habits")
        daily = self.data_source("Daily Habits")
        days = monthly.by_name("Days")
        taken = set(monthly.properties)
        extra = [
            Property(self._property_id(taken, rng), "Days Exercised", "rollup",
                     {"relation": days.id, "property": daily.by_name("Exercise").id,
                      "function": "checked"}),
            Property(self._property_id(taken, rng), "Days Logged", "formula",
                     {"expression": 'prop("Days").length()', "relation": days.id}),
            Property(self._property_id(taken, rng), "Accountability", "people", {}),
        ]
        for prop in extra:
            monthly.properties[prop.id] = prop
        for name in USER_NAMES:
            user_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            self.users[user_id] = {"object": "user", "id": user_id, "name": name,
                                   "avatar_url": None, "type": "person",
                                   "person": {"email": f"{name.lower()}@example.com"}}
        people = extra[2].id
        for page in self.pages.values():
            if page.data_source_id == monthly.id:
                page.values[people] = rng.sample(sorted(self.users), rng.randint(0, 2))

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

    def add_page(self, title: str, values_by_name: dict[str, Any],
                 data_source_id: str | None = None) -> Page:
        """A new page in the data source ``title`` (or ``data_source_id`` when titles repeat)."""
        ds = self.data_sources[data_source_id] if data_source_id else self.data_source(title)
        now = minute(self.clock.now())
        values = {ds.by_name(name).id: value for name, value in values_by_name.items()}
        page = Page(self.new_id(), ds.id, now, now, values)
        self.pages[page.id] = page
        return page

    def trash_page(self, page_id: str) -> None:
        page = self.pages[page_id]
        page.in_trash = True
        self._touch(page)

    def restore_page(self, page_id: str, touch: bool = False) -> None:
        """Out of the trash. Whether Notion bumps last_edited_time is unclear: by default not."""
        page = self.pages[page_id]
        page.in_trash = False
        if touch:
            self._touch(page)

    def archive_page(self, page_id: str, touch: bool = False) -> None:
        """Archive a page: default queries stop listing it; it is not in the trash."""
        page = self.pages[page_id]
        page.is_archived = True
        if touch:
            self._touch(page)

    def unarchive_page(self, page_id: str) -> None:
        self.pages[page_id].is_archived = False

    def revoke_access(self, page_id: str) -> None:
        """The integration can no longer see the page (unshared, or deleted for good)."""
        self.pages[page_id].shared = False

    def add_data_source(self, title: str, schema: list[tuple[str, str, dict]],
                        database_id: str | None = None) -> DataSource:
        """A new data source; with ``database_id``, a second data source of that database."""
        ds = self._add_data_source(title, schema)
        if database_id:
            ds.database_id = database_id
        ds.created_time = ds.last_edited_time = minute(self.clock.now())
        return ds

    def add_wiki(self, title: str, child_titles: tuple[str, ...] = ("Wiki Articles",)) -> DataSource:
        """A wiki data source: its query results hold its child data sources besides its pages."""
        wiki = self.add_data_source(title, [("Name", "title", {}), ("Verified", "checkbox", {})])
        for child_title in child_titles:
            child = self.add_data_source(child_title, [("Name", "title", {})])
            wiki.children.append(child.id)
        return wiki

    def add_rollup(self, title: str, name: str, relation: str, target: str, function: str) -> Property:
        """A rollup column over a relation column (``show_original``, ``median``, ``sum``, ...)."""
        ds = self.data_source(title)
        relation_prop = ds.by_name(relation)
        target_ds = self.data_sources[relation_prop.config["data_source_id"]]
        prop = Property(self._property_id(set(ds.properties)), name, "rollup",
                        {"relation": relation_prop.id, "property": target_ds.by_name(target).id,
                         "function": function})
        ds.properties[prop.id] = prop
        ds.last_edited_time = minute(self.clock.now())
        return prop

    def add_user(self, name: str) -> str:
        """A workspace member (for people columns); returns the user id."""
        user_id = self.new_id()
        self.users[user_id] = {"object": "user", "id": user_id, "name": name, "avatar_url": None,
                               "type": "person", "person": {"email": f"{name.lower()}@example.com"}}
        return user_id

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
        """Pages a default query lists (not trashed, not archived, visible to the integration),
        optionally of one data source."""
        wanted = self.data_source(title).id if title else None
        return [p for p in self.pages.values()
                if not p.in_trash and not p.is_archived and p.shared
                and (wanted is None or p.data_source_id == wanted)]

    def archived_pages(self, title: str | None = None) -> list[Page]:
        """Archived pages (not trashed, visible): what a query with ``is_archived: true`` lists."""
        wanted = self.data_source(title).id if title else None
        return [p for p in self.pages.values()
                if p.is_archived and not p.in_trash and p.shared
                and (wanted is None or p.data_source_id == wanted)]

    def related_values(self, page: Page, prop: Property, cap: int | None = None) -> list[Any]:
        """A rollup's target values over the first ``cap`` references (all if None)."""
        refs = list(page.values.get(prop.config["relation"]) or [])[:cap]
        return [self.pages[ref].values.get(prop.config["property"]) for ref in refs
                if ref in self.pages]

    def computed_value(self, page: Page, prop: Property, cap: int | None = None) -> float:
        """A rollup or formula over a relation, from the first ``cap`` references (all if None).

        Page objects pass ``cap=REFERENCE_CAP`` (Notion's 25), the property-item endpoint None.
        """
        if prop.type == "formula" and "counts" in prop.config:  # a formula over this page's checkboxes
            return float(sum(bool(page.values.get(pid)) for pid in prop.config["counts"]))
        refs = list(page.values.get(prop.config["relation"]) or [])[:cap]
        if prop.type == "formula":
            return float(len(refs))
        related = [self.pages[ref].values.get(prop.config["property"])
                   for ref in refs if ref in self.pages]
        function = prop.config["function"]
        if function == "checked":
            return float(sum(bool(value) for value in related))
        if function == "sum":
            return float(sum(value or 0 for value in related))
        if function == "median":
            numbers = sorted(float(value) for value in related if value is not None)
            middle = len(numbers) // 2
            return (numbers[middle] if len(numbers) % 2 else
                    (numbers[middle - 1] + numbers[middle]) / 2) if numbers else 0.0
        return float(len(related))  # "count"

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
            # archived pages stay in the habit history (flagged); trashed ones leave it
            for page in self.live_pages(ds.title) + self.archived_pages(ds.title):
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
