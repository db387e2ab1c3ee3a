"""What the sandbox holds, counted inside the sandbox process: the inputs of the request floors.

Runs where the stand-ins live (``sandbox_proc``), reads their data structures directly and
returns plain numbers, so the floors come from the sandbox's own truth, never from the
requests a pipeline happened to make.
"""

from __future__ import annotations

from datetime import date
from typing import Any

REFERENCE_CAP = 25  # a page object carries at most 25 references of a relation or people list


def notion_truth(app: Any) -> dict[str, Any]:
    """Live and archived pages per data source, whether search lists title-only schemas, and the
    property reads that lists past 25 references need.

    A list of exactly 25 counts too: without ``has_more`` (the default mode) a client cannot
    tell a full list of 25 from a cut one.
    """
    ws = app.ws
    pages = {ds.title: len(ws.live_pages(ds.title)) for ds in ws.data_sources.values()}
    archived = {ds.title: len(ws.archived_pages(ds.title)) for ds in ws.data_sources.values()}
    list_reads: list[int] = []     # references per (page, relation/people) read in full
    rollup_reads: list[int] = []   # references per (page, rollup over a cut relation)
    formula_reads = 0              # formulas of a page with a cut list (opaque expressions)
    for page in ws.live_pages():
        ds = ws.data_sources[page.data_source_id]
        cut = {pid for pid, prop in ds.properties.items()
               if prop.type in ("relation", "people")
               and len(page.values.get(pid) or []) >= REFERENCE_CAP}
        if not cut:
            continue
        list_reads += [len(page.values[pid]) for pid in cut]
        for prop in ds.properties.values():
            if prop.type == "rollup":
                rollup_reads.append(len(page.values.get(prop.config["relation"]) or []))
            elif prop.type == "formula":
                formula_reads += 1
    return {"data_sources": pages, "archived": archived, "list_reads": list_reads,
            "rollup_reads": rollup_reads, "formula_reads": formula_reads,
            # the pipeline asks for 2026-03-11; the stand-in may serve 2026-12-01's shapes anyway
            "title_only_search": bool(app.modes.serve_2026_12_01)}


def hubspot_truth(app: Any) -> dict[str, Any]:
    """Live and archived records per object type."""
    crm = app.truth
    return {"objects": {t: {"live": len(crm.live_ids(t)), "archived": len(crm.archived_ids(t))}
                        for t in crm.records}}


def google_truth(app: Any) -> dict[str, Any]:
    """Days of history, sleep sessions (and whether sleep takes its end-time filter),
    resting-heart-rate days, workouts, the points of each other listed type and each roll-up's
    range cap."""
    from sandbox.google.filters import allowed_members
    from sandbox.google.health import DAILY_VITALS, SAMPLE_TYPES
    from sandbox.google.rollup import ROLLUP_TYPES, SHORT_RANGE_TYPES, max_range_days

    data = app.data
    overrides = app.modes.rollup_max_days
    # one request covers at most the type's range cap and at most one page of days
    per_request = {t: min(max_range_days(t, overrides), 14 if t in SHORT_RANGE_TYPES else 90)
                   for t in ROLLUP_TYPES}
    today: date = data.today()
    return {"first_day": data.first_day.isoformat(), "today": today.isoformat(),
            "sleep_sessions": len(data.truth_sleep_sessions()),
            # the live API was seen refusing every sleep filter (the stand-in's default rules)
            "sleep_filter_accepted": bool(allowed_members("sleep", app.filter_mode)),
            "resting_days": len(data.truth_resting_heart_rate()),
            "exercises": len(data.visible_exercises()),
            "list_points": {**{t: len(data.visible_daily(t)) for t in DAILY_VITALS},
                            **{t: len(data.visible_samples(t)) for t in SAMPLE_TYPES}},
            "rollup_days_per_request": per_request}


COLLECTORS = {"notion": notion_truth, "hubspot": hubspot_truth, "google": google_truth}


def limits(app: Any) -> dict[str, list[float]]:
    """The limits the sandbox enforces: name -> [requests, seconds] (reported beside the
    documented limits the floors use, so a stand-in that drifted from the docs shows)."""
    from sandbox.ratelimit import SlidingWindowLimit

    return {name: [value.limit, value.window] for name, value in vars(app).items()
            if isinstance(value, SlidingWindowLimit)}


def collect(apps: dict[str, Any]) -> dict[str, Any]:
    """Truth for every served stand-in that has a collector, with its rate limits."""
    return {name: {**COLLECTORS[name](app), "limits": limits(app)}
            for name, app in apps.items() if name in COLLECTORS}
