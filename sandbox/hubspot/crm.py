"""The stand-in's CRM: seeded records, associations, mutations and the ground truth.

Times are epoch milliseconds (HubSpot's own precision). A write stamps the record's
last-modified property with the sandbox clock and makes it visible to search only
``index_lag_ms`` later (HubSpot's search index lags writes by a few moments).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.clock import Clock
from sandbox.hubspot.schema import (
    COMPANIES,
    CONTACTS,
    ENGAGEMENT_TYPES,
    OBJECT_TYPES,
    created_property,
    last_modified_property,
)

PROFILE_SIZES = {  # contacts, companies, engagements (spread over the six types)
    "small": (240, 30, 600),
    "demo": (1_500, 150, 4_500),
    "heavy": (20_000, 2_000, 60_000),
}

DAY_MS = 86_400_000

FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Isla", "Jonah",
               "Kemi", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq")
LAST_NAMES = ("Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito",
              "Jones", "Khan", "Lopez", "Murphy", "Nakamura", "Okafor", "Patel", "Rossi", "Smith")
INDUSTRIES = ("COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL",
              "EDUCATION_MANAGEMENT", "MARKETING_AND_ADVERTISING", "NON_PROFIT")
WORDS = ("catch up", "intro", "follow up", "coffee", "project", "proposal", "birthday",
         "referral", "check in", "kickoff", "review", "dinner", "advice", "update")


def iso(ms: int) -> str:
    """HubSpot's datetime string for epoch milliseconds (``2024-01-17T19:55:04.281Z``)."""
    seconds, millis = divmod(int(ms), 1000)
    # a struct_time is several times cheaper than a datetime: every record rendered has
    # three or more stamps
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def to_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@dataclass
class Record:
    id: int
    type: str
    properties: dict[str, str | None]
    created_ms: int
    updated_ms: int
    indexed_ms: int  # visible to search from this sandbox time on
    archived: bool = False
    archived_ms: int | None = None
    merged_into: int | None = None  # set when a merge absorbed this record: it is gone

    @property
    def gone(self) -> bool:
        """Archived or merged away: absent from list, search and associations."""
        return self.archived or self.merged_into is not None

    def value(self, name: str) -> str | None:
        if name == "hs_object_id":
            return str(self.id)
        if name == created_property(self.type):
            return iso(self.created_ms)
        if name in (last_modified_property(self.type), "hs_lastmodifieddate"):
            return iso(self.updated_ms)
        return self.properties.get(name)


@dataclass
class Crm:
    """Records by type and id, associations as canonical pairs, a clock."""

    clock: Clock
    index_lag_ms: int = 2_000
    records: dict[str, dict[int, Record]] = field(default_factory=dict)
    # (from_type, to_type) -> from_id -> to_ids; kept for contacts->companies and
    # <engagement type>->contacts/companies; the reverse directions are derived
    links: dict[tuple[str, str], dict[int, set[int]]] = field(default_factory=dict)
    # the same pairs indexed from the other end, so either direction is a lookup
    back_links: dict[tuple[str, str], dict[int, set[int]]] = field(default_factory=dict)
    next_id: dict[str, int] = field(default_factory=dict)
    # type -> ((count, last id), ids ascending): ``ids_in_order``'s cache
    _ordered: dict[str, tuple[tuple, list[int]]] = field(default_factory=dict, init=False,
                                                          repr=False)

    def __post_init__(self) -> None:
        for t in OBJECT_TYPES:
            self.records.setdefault(t, {})
        self.next_id.setdefault(CONTACTS, 1_001)
        self.next_id.setdefault(COMPANIES, 50_001)
        self.next_id.setdefault("engagements", 1_000_001)  # one sequence for all engagement types

    # ids and time -------------------------------------------------------------------------
    def now_ms(self) -> int:
        return to_ms(self.clock.now())

    def _new_id(self, object_type: str) -> int:
        key = "engagements" if object_type in ENGAGEMENT_TYPES else object_type
        self.next_id[key] += 1
        return self.next_id[key] - 1

    def get(self, object_type: str, record_id: int | str) -> Record | None:
        try:
            return self.records[object_type].get(int(record_id))
        except (TypeError, ValueError):
            return None

    def searchable(self, record: Record, now_ms: int | None = None) -> bool:
        return not record.gone and record.indexed_ms <= (now_ms or self.now_ms())

    # associations -------------------------------------------------------------------------
    def _canonical(self, a: str, b: str) -> tuple[tuple[str, str], bool]:
        """The stored direction for a pair of types and whether the request is reversed."""
        if (a, b) in self.links:
            return (a, b), False
        if (b, a) in self.links:
            return (b, a), True
        key = (a, b) if a in ENGAGEMENT_TYPES or (a, b) == (CONTACTS, COMPANIES) else (b, a)
        self.links[key] = {}
        self.back_links[key] = {}
        return key, key != (a, b)

    def associated(self, from_type: str, from_id: int, to_type: str) -> list[int]:
        """Ids of live ``to_type`` records associated with one record, ascending."""
        key, reverse = self._canonical(from_type, to_type)
        store = self.back_links if reverse else self.links
        found = list(store[key].get(from_id, ()))
        return sorted(i for i in found if (r := self.get(to_type, i)) and not r.gone)

    def ids_in_order(self, object_type: str) -> list[int]:
        """The ids of a type, ascending: sorted once per change of the set of ids, not once per
        page listed (a list of 80,000 records is 800 pages)."""
        records = self.records[object_type]
        key = (len(records), next(reversed(records), None))  # ids only grow; purges shrink
        cached = self._ordered.get(object_type)
        if cached is None or cached[0] != key:
            cached = self._ordered[object_type] = (key, sorted(records))
        return cached[1]

    def linked_ids(self, from_type: str, from_id: int, to_type: str) -> list[int]:
        """Ids linked to one record (live or not), ascending: one batch-read input's worth,
        without building every record's list (a batch read per 1,000 ids must stay cheap)."""
        key, reverse = self._canonical(from_type, to_type)
        store = self.back_links if reverse else self.links
        return sorted(store[key].get(from_id, ()))

    def reverse_index(self, from_type: str, to_type: str) -> dict[int, list[int]]:
        """``associated`` for every record of ``from_type`` at once (for batch reads)."""
        key, reverse = self._canonical(from_type, to_type)
        store = self.back_links if reverse else self.links
        return {f: sorted(tos) for f, tos in store[key].items() if tos}

    def associate(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        """Link two records; like HubSpot, the records' last-modified times do not move."""
        key, reverse = self._canonical(from_type, to_type)
        a, b = (to_id, from_id) if reverse else (from_id, to_id)
        self.links[key].setdefault(a, set()).add(b)
        self.back_links[key].setdefault(b, set()).add(a)

    def dissociate(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        key, reverse = self._canonical(from_type, to_type)
        a, b = (to_id, from_id) if reverse else (from_id, to_id)
        self.links[key].get(a, set()).discard(b)
        self.back_links[key].get(b, set()).discard(a)

    # writes -------------------------------------------------------------------------------
    def _stamp(self, record: Record, at_ms: int | None = None) -> None:
        record.updated_ms = self.now_ms() if at_ms is None else at_ms
        # indexed when written, whatever the stamp says (a record stamped in the future too)
        record.indexed_ms = self.now_ms() + self.index_lag_ms

    def create(self, object_type: str, properties: dict[str, str | None] | None = None,
               at_ms: int | None = None) -> Record:
        """A new record created now (or at ``at_ms``)."""
        when = self.now_ms() if at_ms is None else at_ms
        record = Record(self._new_id(object_type), object_type, dict(properties or {}),
                        when, when, when)
        self._stamp(record, when)
        self.records[object_type][record.id] = record
        return record

    def edit(self, object_type: str, record_id: int, at_ms: int | None = None,
             **properties: str | None) -> Record:
        """Change properties; the last-modified time becomes now (or ``at_ms``)."""
        record = self.records[object_type][int(record_id)]
        record.properties.update(properties)
        self._stamp(record, at_ms)
        return record

    def archive(self, object_type: str, record_id: int) -> Record:
        """Archive (soft-delete) a record: gone from lists, search and associations."""
        record = self.records[object_type][int(record_id)]
        record.archived = True
        record.archived_ms = self.now_ms()
        self._stamp(record)
        return record

    def merge(self, object_type: str, primary_id: int, secondary_id: int) -> Record:
        """Merge two contacts (or companies) as HubSpot has since its 2025 merge change.

        The result is a NEW record with a new id (api-facts §7.2): the primary's values win,
        the secondary fills what the primary lacks, it takes both records' associations, and
        its ``hs_merged_object_ids`` lists both old ids (and any they had absorbed),
        semicolon-separated. Both old records vanish (not archived: no list, search or
        association shows them) and point at the new one (``resolve``).
        """
        if object_type not in (CONTACTS, COMPANIES):
            raise ValueError(f"the stand-in merges contacts and companies, not {object_type}")
        primary = self.records[object_type][int(primary_id)]
        secondary = self.records[object_type][int(secondary_id)]
        if primary.id == secondary.id or primary.gone or secondary.gone:
            raise ValueError("merge two different records that are both live")
        values = {**secondary.properties,
                  **{k: v for k, v in primary.properties.items() if v not in (None, "")}}
        values["hs_merged_object_ids"] = ";".join([
            str(primary.id), str(secondary.id),
            *_ids(primary.properties.get("hs_merged_object_ids")),
            *_ids(secondary.properties.get("hs_merged_object_ids"))])
        merged = self.create(object_type, values)
        merged.created_ms = min(primary.created_ms, secondary.created_ms)
        for old in (primary, secondary):
            for other_type in OBJECT_TYPES:
                if other_type == object_type:
                    continue
                for other_id in self.linked_ids(object_type, old.id, other_type):
                    self.dissociate(object_type, old.id, other_type, other_id)
                    self.associate(object_type, merged.id, other_type, other_id)
            old.merged_into = merged.id
        return merged

    def resolve(self, object_type: str, record_id: int | str) -> Record | None:
        """The record an id points at: a merged-away id points at the record it became."""
        record = self.get(object_type, record_id)
        while record is not None and record.merged_into is not None:
            record = self.get(object_type, record.merged_into)
        return record

    def purge(self, object_type: str, record_id: int | str) -> None:
        """Delete a record without a trace (a GDPR deletion): no list, archive or search has
        it any more, and its associations go with it."""
        record = self.records[object_type].pop(int(record_id))
        for other_type in OBJECT_TYPES:
            if other_type != object_type:
                for other_id in self.linked_ids(object_type, record.id, other_type):
                    self.dissociate(object_type, record.id, other_type, other_id)

    # generation ---------------------------------------------------------------------------
    def generate(self, profile: str, seed: int, scale: int = 1) -> None:
        """Seeded contacts linked to companies, engagements linked to contacts and a company;
        ``scale`` times the profile's numbers of each (the benchmark's volume series)."""
        n_contacts, n_companies, n_engagements = (n * scale for n in PROFILE_SIZES[profile])
        rng = random.Random(seed)
        now = self.now_ms()
        start = now - 730 * DAY_MS

        def times() -> tuple[int, int]:
            created = rng.randrange(start, now - DAY_MS)
            updated = created if rng.random() < 0.3 else rng.randrange(created, now - 60_000)
            return created, updated

        def add(object_type: str, props: dict[str, str | None]) -> Record:
            created, updated = times()
            record = Record(self._new_id(object_type), object_type, props, created, updated,
                            updated)
            self.records[object_type][record.id] = record
            return record

        companies = []
        for i in range(n_companies):
            word = rng.choice(WORDS).replace(" ", "")
            companies.append(add(COMPANIES, {
                "name": f"{word.title()} {LAST_NAMES[i % len(LAST_NAMES)]} {i}",
                "domain": f"{word}{i}.example.com", "industry": rng.choice(INDUSTRIES),
                "city": rng.choice(("London", "Lisbon", "Berlin", "Austin", "Lagos")),
                "country": rng.choice(("UK", "PT", "DE", "US", "NG")),
                "numberofemployees": str(rng.randrange(1, 5000)),
            }).id)
        contacts = []
        for i in range(n_contacts):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            props: dict[str, str | None] = {
                "email": f"{first.lower()}.{last.lower()}{i}@example.org",
                "firstname": first, "lastname": last,
                "phone": f"+44 20 7{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
                "jobtitle": rng.choice(("Engineer", "Founder", "Designer", "Teacher", None)),
                "lifecyclestage": rng.choice(("lead", "customer", "other")),
            }
            if rng.random() < 0.4:
                props["contact_cadence_days"] = str(rng.choice((7, 14, 30, 60, 90)))
            contact = add(CONTACTS, props)
            contacts.append(contact.id)
            if companies and rng.random() < 0.85:
                for company in rng.sample(companies, 1 if rng.random() < 0.9 else 2):
                    self.associate(CONTACTS, contact.id, COMPANIES, company)
        contact_companies = self.reverse_index(CONTACTS, COMPANIES)
        for i in range(n_engagements):
            object_type = ENGAGEMENT_TYPES[i % len(ENGAGEMENT_TYPES)]
            record = add(object_type, {})
            record.properties.update(engagement_properties(object_type, rng, record.created_ms))
            people = rng.sample(contacts, min(len(contacts), 1 if rng.random() < 0.8 else 2))
            for person in people:
                self.associate(object_type, record.id, CONTACTS, person)
            companies_of = contact_companies.get(people[0]) if people else None
            if companies_of:
                self.associate(object_type, record.id, COMPANIES, companies_of[0])
            elif companies and rng.random() < 0.2:
                self.associate(object_type, record.id, COMPANIES, rng.choice(companies))

    # ground truth -------------------------------------------------------------------------
    def live_ids(self, object_type: str) -> set[str]:
        return {str(i) for i, r in self.records[object_type].items() if not r.gone}

    def archived_ids(self, object_type: str) -> set[str]:
        return {str(i) for i, r in self.records[object_type].items() if r.archived}

    def merged_ids(self, object_type: str) -> dict[str, str]:
        """old id -> the id of the record a merge made of it, for every merged-away record."""
        return {str(i): str(r.merged_into) for i, r in self.records[object_type].items()
                if r.merged_into is not None}

    def live_engagements(self) -> dict[str, tuple[str, str]]:
        """engagement id -> (type, hs_timestamp) for every live engagement."""
        return {str(r.id): (t, r.properties.get("hs_timestamp") or "")
                for t in ENGAGEMENT_TYPES for r in self.records[t].values() if not r.gone}

    def pairs(self, from_type: str, to_type: str) -> set[tuple[str, str]]:
        """Live (from id, to id) pairs; ``from_type="engagements"`` means every engagement type."""
        types: Iterable[str] = ENGAGEMENT_TYPES if from_type == "engagements" else (from_type,)
        out = set()
        for t in types:
            for from_id, tos in self.reverse_index(t, to_type).items():
                source = self.get(t, from_id)
                if source is None or source.gone:
                    continue
                for to_id in tos:
                    target = self.get(to_type, to_id)
                    if target is not None and not target.gone:
                        out.add((str(from_id), str(to_id)))
        return out

    def contact_engagements(self, contact_id: str | int) -> list[tuple[str, str, str]]:
        """(engagement id, type, hs_timestamp) of a live contact's live engagements."""
        contact = self.get(CONTACTS, contact_id)
        if contact is None or contact.gone:
            return []
        out = []
        for t in ENGAGEMENT_TYPES:
            for engagement_id in self.associated(CONTACTS, contact.id, t):
                record = self.records[t][engagement_id]
                out.append((str(engagement_id), t, record.properties.get("hs_timestamp") or ""))
        return sorted(out)

    def contact_companies(self, contact_id: str | int) -> set[str]:
        contact = self.get(CONTACTS, contact_id)
        if contact is None or contact.gone:
            return set()
        return {str(i) for i in self.associated(CONTACTS, contact.id, COMPANIES)}


def _ids(value: str | None) -> list[str]:
    return [part for part in (value or "").split(";") if part]


def engagement_properties(object_type: str, rng: random.Random, created_ms: int) -> dict:
    """Realistic type-specific properties for one engagement."""
    topic = rng.choice(WORDS)
    when = created_ms - rng.randrange(0, 3 * DAY_MS)
    body = f"Talked about the {topic}; next step agreed."
    props: dict[str, str | None] = {
        "hs_timestamp": iso(when), "hubspot_owner_id": str(rng.choice((101, 102))),
        "hs_body_preview": body[:100],
    }
    if object_type == "calls":
        props.update(hs_call_title=f"Call: {topic}", hs_call_body=body,
                     hs_call_direction=rng.choice(("INBOUND", "OUTBOUND")),
                     hs_call_status=rng.choice(("COMPLETED", "NO_ANSWER", "BUSY")),
                     hs_call_duration=str(rng.randrange(30_000, 3_600_000)))
    elif object_type == "meetings":
        props.update(hs_meeting_title=f"Meeting: {topic}", hs_meeting_body=body,
                     hs_meeting_outcome=rng.choice(("COMPLETED", "SCHEDULED", "NO_SHOW",
                                                    "CANCELED")),
                     hs_meeting_start_time=iso(when), hs_meeting_end_time=iso(when + 3_600_000))
    elif object_type == "notes":
        props.update(hs_note_body=f"<p>{body}</p>")
    elif object_type == "tasks":
        props.update(hs_task_subject=f"Task: {topic}", hs_task_body=body,
                     hs_task_status=rng.choice(("NOT_STARTED", "COMPLETED", "IN_PROGRESS")),
                     hs_task_priority=rng.choice(("LOW", "MEDIUM", "HIGH")),
                     hs_task_type=rng.choice(("TODO", "CALL", "EMAIL")))
    elif object_type == "emails":
        props.update(hs_email_subject=f"Re: {topic}", hs_email_text=body,
                     hs_email_direction=rng.choice(("EMAIL", "INCOMING_EMAIL")),
                     hs_email_status=rng.choice(("SENT", "BOUNCED")))
    elif object_type == "communications":
        props.update(hs_communication_channel_type=rng.choice(("WHATS_APP", "LINKEDIN_MESSAGE",
                                                                "SMS")),
                     hs_communication_body=body, hs_communication_logged_from="CRM")
    return props
