"""The HubSpot object types and properties the stand-in serves (names as HubSpot spells them).

Every property value travels as a string; ``type`` here is what the properties API reports
and decides how search filters compare values (datetimes and numbers numerically).
"""

from __future__ import annotations

CONTACTS, COMPANIES = "contacts", "companies"
ENGAGEMENT_TYPES = ("calls", "meetings", "notes", "tasks", "emails", "communications")
OBJECT_TYPES = (CONTACTS, COMPANIES, *ENGAGEMENT_TYPES)

# the object type ids HubSpot documents (``/crm/v3/objects/0-1`` == contacts)
TYPE_IDS = {
    "0-1": CONTACTS, "0-2": COMPANIES, "0-48": "calls", "0-47": "meetings", "0-46": "notes",
    "0-27": "tasks", "0-49": "emails", "0-18": "communications",
}

# singular names used in association type labels (``call_to_contact``)
SINGULAR = {
    CONTACTS: "contact", COMPANIES: "company", "calls": "call", "meetings": "meeting",
    "notes": "note", "tasks": "task", "emails": "email", "communications": "communication",
}


def last_modified_property(object_type: str) -> str:
    """Contacts keep ``lastmodifieddate``; every other object ``hs_lastmodifieddate``."""
    return "lastmodifieddate" if object_type == CONTACTS else "hs_lastmodifieddate"


def created_property(object_type: str) -> str:
    return "createdate" if object_type in (CONTACTS, COMPANIES) else "hs_createdate"


_COMMON = {"hs_object_id": "number"}

_ENGAGEMENT_COMMON = {
    "hs_timestamp": "datetime", "hs_createdate": "datetime", "hs_lastmodifieddate": "datetime",
    "hubspot_owner_id": "enumeration", "hs_body_preview": "string",
}

PROPERTIES: dict[str, dict[str, str]] = {
    CONTACTS: {
        **_COMMON, "email": "string", "firstname": "string", "lastname": "string",
        "phone": "phone_number", "company": "string", "jobtitle": "string",
        "lifecyclestage": "enumeration", "createdate": "datetime", "lastmodifieddate": "datetime",
        "hs_lastmodifieddate": "datetime",  # exists on contacts too, but is not the cursor
        "contact_cadence_days": "number",  # a custom property (hubspotDefined false)
        "hs_merged_object_ids": "enumeration",  # ids a merge absorbed, "12;34"
    },
    COMPANIES: {
        **_COMMON, "name": "string", "domain": "string", "industry": "enumeration",
        "city": "string", "country": "string", "numberofemployees": "number",
        "createdate": "datetime", "hs_lastmodifieddate": "datetime",
        "hs_merged_object_ids": "enumeration",
    },
    "calls": {
        **_COMMON, **_ENGAGEMENT_COMMON, "hs_call_title": "string", "hs_call_body": "string",
        "hs_call_direction": "enumeration", "hs_call_status": "enumeration",
        "hs_call_duration": "number",
    },
    "meetings": {
        **_COMMON, **_ENGAGEMENT_COMMON, "hs_meeting_title": "string",
        "hs_meeting_body": "string", "hs_meeting_outcome": "enumeration",
        "hs_meeting_start_time": "datetime", "hs_meeting_end_time": "datetime",
    },
    "notes": {**_COMMON, **_ENGAGEMENT_COMMON, "hs_note_body": "string"},
    "tasks": {
        **_COMMON, **_ENGAGEMENT_COMMON, "hs_task_subject": "string", "hs_task_body": "string",
        "hs_task_status": "enumeration", "hs_task_priority": "enumeration",
        "hs_task_type": "enumeration",
    },
    "emails": {
        **_COMMON, **_ENGAGEMENT_COMMON, "hs_email_subject": "string", "hs_email_text": "string",
        "hs_email_direction": "enumeration", "hs_email_status": "enumeration",
    },
    "communications": {
        **_COMMON, **_ENGAGEMENT_COMMON, "hs_communication_channel_type": "enumeration",
        "hs_communication_body": "string", "hs_communication_logged_from": "enumeration",
    },
}

# the private-app scopes reading each object type needs (HubSpot files engagements under the
# contacts scope; email bodies also need sales-email-read)
REQUIRED_SCOPES: dict[str, tuple[str, ...]] = {
    CONTACTS: ("crm.objects.contacts.read",),
    COMPANIES: ("crm.objects.companies.read",),
    **{t: ("crm.objects.contacts.read",) for t in ENGAGEMENT_TYPES},
    "emails": ("crm.objects.contacts.read", "sales-email-read"),
}

CUSTOM_PROPERTIES = {CONTACTS: {"contact_cadence_days"}}

# Many portals carry hundreds of custom properties; listing all of them in a GET URL is what
# produces HubSpot's 414. The stand-in offers a batch of long-named, mostly empty ones.
EXTRA_CUSTOM_PROPERTY_COUNT = 160


def extra_custom_properties(object_type: str) -> list[str]:
    if object_type not in (CONTACTS, COMPANIES):
        return []
    return [f"personal_crm_custom_field_for_{SINGULAR[object_type]}_{i:03d}"
            for i in range(EXTRA_CUSTOM_PROPERTY_COUNT)]


# search returns these when the request names no properties
DEFAULT_SEARCH_PROPERTIES = {
    CONTACTS: ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    COMPANIES: ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
}
DEFAULT_ENGAGEMENT_PROPERTIES = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"]
# the list endpoint's defaults are a little wider
DEFAULT_LIST_PROPERTIES = {
    CONTACTS: ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    COMPANIES: ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
}

# association type ids (HUBSPOT_DEFINED); the labels read "<from>_to_<to>"
ASSOCIATION_TYPE_IDS = {
    ("contacts", "companies"): 279, ("companies", "contacts"): 280,
    ("calls", "contacts"): 194, ("contacts", "calls"): 193,
    ("calls", "companies"): 182, ("companies", "calls"): 181,
    ("meetings", "contacts"): 200, ("contacts", "meetings"): 199,
    ("meetings", "companies"): 188, ("companies", "meetings"): 187,
    ("notes", "contacts"): 202, ("contacts", "notes"): 201,
    ("notes", "companies"): 190, ("companies", "notes"): 189,
    ("tasks", "contacts"): 204, ("contacts", "tasks"): 203,
    ("tasks", "companies"): 192, ("companies", "tasks"): 191,
    ("emails", "contacts"): 198, ("contacts", "emails"): 197,
    ("emails", "companies"): 186, ("companies", "emails"): 185,
    ("communications", "contacts"): 82, ("contacts", "communications"): 81,
    ("communications", "companies"): 88, ("companies", "communications"): 87,
}


def resolve_type(name: str) -> str | None:
    """An object type from its name, singular name or type id; ``None`` if unknown."""
    if name in OBJECT_TYPES:
        return name
    if name in TYPE_IDS:
        return TYPE_IDS[name]
    for plural, singular in SINGULAR.items():
        if name == singular:
            return plural
    return None
