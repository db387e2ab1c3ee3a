"""Turn Notion property values into generic rows: one per page per property, by stable id.

Nothing here knows a habit's name: the row carries the property id, its current name and
type, a typed scalar where the type has one, and the whole value as JSON.
"""

from __future__ import annotations

import json
from typing import Any

MULTI_VALUE_TYPES = ("relation", "people")


def plain_text(items: list[dict[str, Any]] | None) -> str:
    return "".join(item.get("plain_text", "") for item in items or [])


def _scalar(kind: str, value: Any) -> dict[str, Any]:
    """Typed columns for one value of a given Notion type."""
    if value is None:
        return {}
    if kind in ("title", "rich_text"):
        return {"value_text": plain_text(value)}
    if kind == "checkbox":
        return {"value_bool": bool(value)}
    if kind == "number":
        return {"value_number": float(value)}
    if kind == "date":
        return {"value_date": value.get("start"), "value_date_end": value.get("end")}
    if kind in ("select", "status"):
        return {"value_text": value.get("name")}
    if kind == "multi_select":
        return {"value_text": ";".join(option["name"] for option in value)}
    if kind == "formula":
        inner = value.get("type")
        return _scalar(inner if inner != "string" else "text", value.get(inner))
    if kind == "text":
        return {"value_text": value}
    if kind in ("url", "email", "phone_number", "created_time", "last_edited_time"):
        return {"value_text": value}
    if kind == "unique_id":
        return {"value_number": float(value.get("number") or 0),
                "value_text": f"{value.get('prefix') or ''}{value.get('number')}"}
    return {}


def _json_value(kind: str, value: Any) -> Any:
    """A compact, complete JSON form of the value (ids for references, names for options)."""
    if kind in ("title", "rich_text"):
        return plain_text(value)
    if kind in ("select", "status"):
        return value.get("name") if value else None
    if kind == "multi_select":
        return [option["name"] for option in value or []]
    if kind in MULTI_VALUE_TYPES:
        return [ref["id"] for ref in value or []]
    return value


def property_rows(page_id: str, properties: dict[str, dict[str, Any]],
                  complete: dict[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """Rows for every property of a page; ``complete`` replaces values truncated at 25."""
    rows = []
    for name, prop in properties.items():
        kind = prop["type"]
        value = (complete or {}).get(prop["id"], prop.get(kind))
        row = {
            "page_id": page_id,
            "property_id": prop["id"],
            "property_name": name,
            "property_type": kind,
            "value_text": None, "value_number": None, "value_bool": None,
            "value_date": None, "value_date_end": None,
            "value_json": json.dumps(_json_value(kind, value), sort_keys=True),
            "item_count": len(value) if isinstance(value, list) else None,
        }
        row.update(_scalar(kind, value))
        rows.append(row)
    return rows


def truncated_properties(properties: dict[str, dict[str, Any]]) -> list[str]:
    """Ids of reference properties whose list was cut at 25 and must be fetched in full."""
    return [p["id"] for p in properties.values()
            if p["type"] in MULTI_VALUE_TYPES and (p.get("has_more") or len(p.get(p["type"]) or []) >= 25)]
