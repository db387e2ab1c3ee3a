"""JSON shapes of Notion API versions 2025-09-03 to 2026-12-01 (notion-sdk-js v5 common.ts/pages.ts).

``archived`` (the old alias of ``in_trash``) appears only before 2026-03-11; from 2026-12-01 a
person's ``name`` may be null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.notion.workspace import REFERENCE_CAP, DataSource, Page, Property, Workspace

RELATION_CAP = REFERENCE_CAP  # page responses compute relations from at most 25 references
COLORS = ["default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"]
USER = {"object": "user", "id": "6d0c4bd4-96c4-4e8a-9b39-1d2f3f5e8a01"}


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def rich_text(text: str) -> list[dict[str, Any]]:
    if not text:
        return []
    return [{
        "type": "text", "text": {"content": text, "link": None},
        "annotations": {"bold": False, "italic": False, "strikethrough": False,
                        "underline": False, "code": False, "color": "default"},
        "plain_text": text, "href": None,
    }]


def option(prop: Property, name: str | None) -> dict[str, Any] | None:
    if name is None:
        return None
    index = prop.config.get("options", []).index(name) if name in prop.config.get("options", []) else 0
    return {"id": f"{prop.id}-{index}", "name": name, "color": COLORS[index % len(COLORS)]}


def user(ws: Workspace, user_id: str, null_name: bool = False) -> dict[str, Any]:
    found = ws.users.get(user_id) or {"object": "user", "id": user_id}
    return {**found, "name": None} if null_name and "name" in found else found


def target_values(ws: Workspace, page: Page, prop: Property, cap: int | None) -> list[dict[str, Any]]:
    """A rollup's target property values over the first ``cap`` references: ``{type, <type>}``."""
    target_ds = next(ds for ds in ws.data_sources.values() if prop.config["property"] in ds.properties)
    target = target_ds.properties[prop.config["property"]]
    refs = list(page.values.get(prop.config["relation"]) or [])[:cap]
    values = [property_value(ws, ws.pages[ref], target) for ref in refs if ref in ws.pages]
    return [{k: v for k, v in value.items() if k != "id"} for value in values]


def computed(ws: Workspace, page: Page, prop: Property, cap: int | None) -> dict[str, Any]:
    """A formula or rollup value object, computed from at most ``cap`` references."""
    if prop.type == "rollup" and prop.config["function"] == "show_original":
        return {"type": "array", "array": target_values(ws, page, prop, cap),
                "function": "show_original"}
    number = ws.computed_value(page, prop, cap)
    if prop.type == "rollup":
        return {"type": "number", "number": number, "function": prop.config["function"]}
    return {"type": "number", "number": number}


def property_value(ws: Workspace, page: Page, prop: Property,
                   relation_has_more: bool = False, null_names: bool = False) -> dict[str, Any]:
    """The value object of one property of a page, as in a page or query response.

    As in Notion, relation, people, rollup and formula values see only the first 25 references.
    """
    raw = page.values.get(prop.id)
    out: dict[str, Any] = {"id": prop.id, "type": prop.type}
    kind = prop.type
    if kind in ("title", "rich_text"):
        out[kind] = rich_text(raw or "")
    elif kind == "checkbox":
        out[kind] = bool(raw)
    elif kind == "number":
        out[kind] = raw
    elif kind == "date":
        out[kind] = {"start": raw, "end": None, "time_zone": None} if raw else None
    elif kind in ("select", "status"):
        out[kind] = option(prop, raw)
    elif kind == "multi_select":
        out[kind] = [option(prop, name) for name in raw or []]
    elif kind in ("formula", "rollup"):
        out[kind] = computed(ws, page, prop, RELATION_CAP)
    elif kind == "relation":
        ids = list(raw or [])
        out[kind] = [{"id": pid} for pid in ids[:RELATION_CAP]]
        if relation_has_more:
            out["has_more"] = len(ids) > RELATION_CAP
    elif kind == "people":
        out[kind] = [user(ws, uid, null_names) for uid in list(raw or [])[:RELATION_CAP]]
    else:
        out[kind] = raw
    return out


def page_object(ws: Workspace, page: Page, relation_has_more: bool = False, *,
                legacy_archived: bool = False, null_names: bool = False) -> dict[str, Any]:
    """A page; ``legacy_archived`` adds the ``archived`` alias (versions before 2026-03-11)."""
    ds = ws.data_sources[page.data_source_id]
    obj = {
        "object": "page", "id": page.id,
        "created_time": iso(page.created_time), "last_edited_time": iso(page.last_edited_time),
        "created_by": USER, "last_edited_by": USER, "cover": None, "icon": None,
        "parent": {"type": "data_source_id", "data_source_id": ds.id, "database_id": ds.database_id},
        "in_trash": page.in_trash, "is_archived": page.is_archived, "is_locked": False,
        "properties": {p.name: property_value(ws, page, p, relation_has_more, null_names)
                       for p in ds.properties.values()},
        "url": f"https://www.notion.so/{page.id.replace('-', '')}", "public_url": None,
    }
    if legacy_archived:
        obj["archived"] = page.in_trash
    return obj


def property_schema(prop: Property, ws: Workspace) -> dict[str, Any]:
    out: dict[str, Any] = {"id": prop.id, "name": prop.name, "description": "", "type": prop.type}
    if prop.type in ("select", "multi_select", "status"):
        out[prop.type] = {"options": [option(prop, n) for n in prop.config.get("options", [])]}
    elif prop.type == "number":
        out["number"] = {"format": prop.config.get("format", "number")}
    elif prop.type == "formula":
        out["formula"] = {"expression": prop.config.get("expression", "")}
    elif prop.type == "rollup":
        relation = ws.data_sources[ds_id].properties[prop.config["relation"]] if (
            ds_id := _owner(ws, prop)) else None
        out["rollup"] = {"relation_property_id": prop.config["relation"],
                         "relation_property_name": relation.name if relation else None,
                         "rollup_property_id": prop.config["property"],
                         "function": prop.config["function"]}
    elif prop.type == "relation":
        target = ws.data_sources.get(prop.config.get("data_source_id", ""))
        out["relation"] = {"data_source_id": target.id if target else None,
                           "database_id": target.database_id if target else None,
                           "type": "single_property", "single_property": {}}
    else:
        out[prop.type] = {}
    return out


def _owner(ws: Workspace, prop: Property) -> str | None:
    """The id of the data source that has ``prop``."""
    return next((ds.id for ds in ws.data_sources.values() if prop.id in ds.properties
                 and ds.properties[prop.id] is prop), None)


def data_source_object(ws: Workspace, ds: DataSource, *, legacy_archived: bool = False,
                       title_only: bool = False) -> dict[str, Any]:
    """A data source and its schema (only its title column with ``title_only``)."""
    props = [p for p in ds.properties.values() if not title_only or p.type == "title"]
    obj = {
        "object": "data_source", "id": ds.id, "title": rich_text(ds.title), "description": [],
        "parent": {"type": "database_id", "database_id": ds.database_id},
        "database_parent": {"type": "workspace", "workspace": True},
        "is_inline": False, "in_trash": False,
        "created_time": iso(ds.created_time), "last_edited_time": iso(ds.last_edited_time),
        "created_by": USER, "last_edited_by": USER,
        "properties": {p.name: property_schema(p, ws) for p in props},
        "icon": None, "cover": None,
        "url": f"https://www.notion.so/{ds.database_id.replace('-', '')}", "public_url": None,
    }
    if legacy_archived:
        obj["archived"] = False
    return obj


def listing(results: list[dict[str, Any]], next_cursor: str | None, kind: str,
            extra: dict[str, Any] | None = None, capped: bool = False) -> dict[str, Any]:
    """A list envelope; ``capped``: served from a result cut at the query cap."""
    body = {"object": "list", "results": results, "next_cursor": next_cursor,
            "has_more": next_cursor is not None, "type": kind, kind: extra or {}}
    if capped:
        body["request_status"] = {"type": "incomplete",
                                  "incomplete_reason": "query_result_limit_reached"}
    return body
