"""JSON shapes of a CRM record and of a property definition."""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.crm import Record, iso


def render_record(record: Record, properties: list[str], nullable: bool = True) -> dict[str, Any]:
    """A record with the requested properties; ``nullable`` (2026-09) sends a value that is
    empty as ``null``, the legacy shapes send it as stored (a cleared value is ``""``)."""
    values = {name: record.value(name) for name in properties}
    if nullable:
        values = {name: None if value == "" else value for name, value in values.items()}
    out: dict[str, Any] = {
        "id": str(record.id),
        "properties": values,
        "createdAt": iso(record.created_ms),
        "updatedAt": iso(record.updated_ms),
        "archived": record.archived,
    }
    if record.archived and record.archived_ms is not None:
        out["archivedAt"] = iso(record.archived_ms)
    return out


def render_property(name: str, kind: str, hubspot_defined: bool) -> dict[str, Any]:
    field_type = {"datetime": "date", "number": "number", "enumeration": "select",
                  "bool": "booleancheckbox"}.get(kind, "text")
    return {"name": name, "label": name.replace("_", " ").title(), "type": kind,
            "fieldType": field_type, "groupName": "contactinformation", "description": "",
            "options": [], "hubspotDefined": hubspot_defined, "calculated": False,
            "hasUniqueValue": name == "hs_object_id", "hidden": False,
            "displayOrder": -1, "formField": False, "archived": False}
