"""Notion records -> raw rows: pages, data sources, and one row per page per property.

Nothing here knows a habit's name: a property row carries the property id (as returned), its
current name and type, a typed scalar where the type has one, and the whole value as JSON.
"""

from __future__ import annotations

import json
from typing import Any

REFERENCE_CAP = 25  # page objects list (and compute from) at most 25 references
LIST_TYPES = ("relation", "people")
COMPUTED_TYPES = ("rollup", "formula")

# the source's tables: a new database or column adds rows to these, never a table
DATA_SOURCES_TABLE = "notion__data_sources"
DATA_SOURCE_PROPERTIES_TABLE = "notion__data_source_properties"
PAGES_TABLE = "notion__pages"
PROPERTY_VALUES_TABLE = "notion__property_values"

PAGE_COLUMNS = {
    "page_id": {"data_type": "text", "nullable": False},
    "data_source_id": {"data_type": "text"},
    "database_id": {"data_type": "text"},
    "title": {"data_type": "text"},
    "created_time": {"data_type": "timestamp"},
    "last_edited_time": {"data_type": "timestamp"},
    "in_trash": {"data_type": "bool"},
    "is_archived": {"data_type": "bool"},
    "access_lost": {"data_type": "bool"},
    "url": {"data_type": "text"},
}
PROPERTY_VALUE_COLUMNS = {
    "page_id": {"data_type": "text", "nullable": False},
    "property_id": {"data_type": "text", "nullable": False},
    "property_name": {"data_type": "text"},
    "property_type": {"data_type": "text"},
    "value_text": {"data_type": "text"},
    "value_number": {"data_type": "double"},
    "value_bool": {"data_type": "bool"},
    "value_date": {"data_type": "text"},
    "value_date_end": {"data_type": "text"},
    "value_json": {"data_type": "text"},
    "item_count": {"data_type": "bigint"},
}


def plain_text(items: list[dict[str, Any]] | None) -> str:
    """The plain text of a rich-text array."""
    return "".join(item.get("plain_text", "") for item in items or [])


def page_row(page: dict[str, Any]) -> dict[str, Any]:
    """One ``notion__pages`` row: which data source, when, whether in the trash or archived.

    Archived is not trashed: an archived page leaves default queries but stays in Notion.
    """
    parent = page.get("parent") or {}
    title = next((plain_text(p.get("title")) for p in page.get("properties", {}).values()
                  if p.get("type") == "title"), None)
    return {
        "page_id": page["id"], "data_source_id": parent.get("data_source_id"),
        "database_id": parent.get("database_id"), "title": title,
        "created_time": page.get("created_time"), "last_edited_time": page.get("last_edited_time"),
        "in_trash": bool(page.get("in_trash", page.get("archived", False))),
        "is_archived": bool(page.get("is_archived", False)),
        "access_lost": False, "url": page.get("url"),
    }


DATA_SOURCE_COLUMNS = {
    "data_source_id": {"data_type": "text", "nullable": False},
    "database_id": {"data_type": "text"},
    "title": {"data_type": "text"},
    "last_edited_time": {"data_type": "timestamp"},
    "role": {"data_type": "text"},
    "period": {"data_type": "text"},
}


def data_source_row(ds: dict[str, Any], habit: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``notion__data_sources`` row (titles may repeat: the id is the key).

    ``habit`` holds its ``role`` (habit_tracker, habit_reference or None) and ``period``.
    """
    habit = habit or {}
    return {"data_source_id": ds["id"], "database_id": (ds.get("parent") or {}).get("database_id"),
            "title": plain_text(ds.get("title")), "last_edited_time": ds.get("last_edited_time"),
            "role": habit.get("role"), "period": habit.get("period")}


def property_schema_rows(ds: dict[str, Any]) -> list[dict[str, Any]]:
    """One ``notion__data_source_properties`` row per column of a data source."""
    return [{"data_source_id": ds["id"], "property_id": prop["id"], "property_name": name,
             "property_type": prop["type"]} for name, prop in ds.get("properties", {}).items()]


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
    if kind in COMPUTED_TYPES:  # {type: number|date|string|boolean|array, <type>: value}
        inner = value.get("type")
        return _scalar(inner if inner != "string" else "text", value.get(inner))
    if kind in ("text", "url", "email", "phone_number", "created_time", "last_edited_time"):
        return {"value_text": value}
    if kind == "boolean":
        return {"value_bool": bool(value)}
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
    if kind in LIST_TYPES:
        return [ref["id"] for ref in value or []]
    return value


def property_rows(page_id: str, properties: dict[str, dict[str, Any]],
                  complete: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for every property of a page; ``complete`` (by id) replaces values cut at 25."""
    rows = []
    for name, prop in properties.items():
        kind = prop["type"]
        value = (complete or {}).get(prop["id"], prop.get(kind))
        row = {
            "page_id": page_id, "property_id": prop["id"], "property_name": name,
            "property_type": kind,
            "value_text": None, "value_number": None, "value_bool": None,
            "value_date": None, "value_date_end": None,
            "value_json": json.dumps(_json_value(kind, value), sort_keys=True),
            "item_count": _item_count(kind, value),
        }
        row.update(_scalar(kind, value))
        rows.append(row)
    return rows


def _item_count(kind: str, value: Any) -> int | None:
    """How many items a list value holds (a rollup showing the original values: its values)."""
    if isinstance(value, list):
        return len(value)
    if kind == "rollup" and isinstance(value, dict) and value.get("type") == "array":
        return len(value.get("array") or [])
    return None


def truncated_lists(properties: dict[str, dict[str, Any]]) -> list[str]:
    """Ids of relation/people properties that may be cut at 25 and must be read in full.

    Some responses flag a cut relation with ``has_more``, others do not: a full list of 25
    is read in full too.
    """
    return [p["id"] for p in properties.values()
            if p["type"] in LIST_TYPES
            and (p.get("has_more") or len(p.get(p["type"]) or []) >= REFERENCE_CAP)]


def stale_computed(properties: dict[str, dict[str, Any]], truncated: list[str],
                   rollup_relations: dict[str, str]) -> list[tuple[str, str]]:
    """(id, type) of rollups and formulas whose page value saw only 25 references.

    A rollup over a cut relation is stale; so is every formula of such a page, since a
    formula's expression (which may read the relation) is opaque to the API.
    """
    if not truncated:
        return []
    stale = []
    for prop in properties.values():
        if prop["type"] == "formula":
            stale.append((prop["id"], "formula"))
        elif prop["type"] == "rollup":
            relation = rollup_relations.get(prop["id"])
            if relation is None or relation in truncated:
                stale.append((prop["id"], "rollup"))
    return stale
