"""The Relationships section: engagements over time by type (fct_engagements) and the contacts
overdue for a touch (dim_contacts)."""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.report.model import Chart, Section, Table, not_connected, series
from pipelines.sources import feeding

ENGAGEMENT_COLUMNS = "engagement_type, occurred_date"
CONTACT_COLUMNS = "full_name, email, company_name, last_touch_date, days_overdue, is_overdue, as_of_date"
WEEKS_SHOWN = 26
OVERDUE_SHOWN = 15


def engagements_by_week(engagements: list[dict]) -> Chart:
    """Engagements per week by type over the last ``WEEKS_SHOWN`` weeks (stacked)."""
    def week_of(day: str) -> str:
        value = date.fromisoformat(day)
        return (value - timedelta(days=value.weekday())).isoformat()

    latest = date.fromisoformat(week_of(max(row["occurred_date"] for row in engagements)))
    weeks = [(latest - timedelta(weeks=k)).isoformat() for k in range(WEEKS_SHOWN - 1, -1, -1)]
    counts: dict[tuple[str, str], int] = {}
    for row in engagements:
        key = (row["engagement_type"], week_of(row["occurred_date"]))
        counts[key] = counts.get(key, 0) + 1
    types = sorted({row["engagement_type"] for row in engagements})
    return Chart("relationships-engagements", "Engagements per week, by type", "stacked", weeks,
                 [series(kind, [counts.get((kind, week), 0) for week in weeks]) for kind in types])


OVERDUE_BUCKETS = ((1, 30, "1-30 days"), (31, 90, "31-90"), (91, 180, "91-180"), (181, 365, "181-365"),
                   (366, None, "over a year"))


def overdue_chart(contacts: list[dict]) -> Chart:
    """How many contacts are overdue, by how long."""
    overdue = [row["days_overdue"] for row in contacts if row["is_overdue"]]
    counts = [sum(1 for days in overdue if days >= low and (high is None or days <= high))
              for low, high, _ in OVERDUE_BUCKETS]
    return Chart("relationships-overdue", "Contacts overdue for a touch, by days overdue", "bar",
                 [label for _, _, label in OVERDUE_BUCKETS], [series("contacts", counts)])


def overdue_table(contacts: list[dict]) -> Table:
    """The most overdue contacts first: name, company, last touch, days overdue."""
    overdue = sorted((row for row in contacts if row["is_overdue"]),
                     key=lambda row: (-row["days_overdue"], row["full_name"] or ""))
    return Table("Overdue for a touch", ["Name", "Company", "Last touch", "Days overdue"], [
        [row["full_name"] or row["email"] or "(no name)", row["company_name"] or "",
         row["last_touch_date"] or "never", row["days_overdue"]] for row in overdue[:OVERDUE_SHOWN]],
        empty="Nobody is overdue.")


def takeaway(contacts: list[dict], engagements: list[dict]) -> str:
    """How many contacts are overdue, and who has waited longest."""
    overdue = [row for row in contacts if row["is_overdue"]]
    if not overdue:
        return f"Nobody is overdue for a touch; {len(engagements):,} engagements logged in all."
    worst = max(overdue, key=lambda row: (row["days_overdue"], row["full_name"] or ""))
    company = f" ({worst['company_name']})" if worst["company_name"] else ""
    return (f"{len(overdue)} of {len(contacts)} contacts are overdue for a touch; longest wait: "
            f"{worst['full_name'] or worst['email']}{company}, {worst['days_overdue']} days overdue.")


def relationships_section(engagements: list[dict], contacts: list[dict]) -> Section:
    """The Relationships section, or a note on connecting its source."""
    section = Section("relationships", "Relationships", feeding("fct_engagements", "dim_contacts"))
    if not engagements and not contacts:
        return not_connected(section, list(section.sources))
    if engagements:
        section.charts.append(engagements_by_week(engagements))
    if contacts:
        section.charts.append(overdue_chart(contacts))
    section.tables.append(overdue_table(contacts))
    section.takeaway = takeaway(contacts, engagements)
    return section
