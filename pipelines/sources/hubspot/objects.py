"""The objects file (``objects.yml`` beside this module): which objects, properties and associations.

Each object type becomes an ``ObjectSpec``; the six engagement types share one table.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.overlap import OverlapCursor
from pipelines.runtime.progress import Progress

OBJECTS_FILE = Path(__file__).with_name("objects.yml")
ENGAGEMENT_TYPES = ("calls", "meetings", "notes", "tasks", "emails", "communications")
SINGULAR = {"contacts": "contact", "companies": "company", **{t: "engagement"
                                                              for t in ENGAGEMENT_TYPES}}
# objects HubSpot merges; the survivor lists the absorbed ids in this property
MERGEABLE = ("contacts", "companies")
MERGED_IDS_PROPERTY = "hs_merged_object_ids"


def id_order(value: str) -> tuple[int, str]:
    """Numeric order for HubSpot ids (they are numbers sent as strings)."""
    return (int(value), "") if value.isdigit() else (1 << 62, value)


@dataclass
class ObjectSpec:
    """One HubSpot object type to sync (an engagement type is one too)."""

    object_type: str
    table: str
    cursor_property: str
    properties: list[str]
    discover_properties: bool = False
    associations: dict[str, str] = field(default_factory=dict)  # to type -> table

    @property
    def is_engagement(self) -> bool:
        return self.object_type in ENGAGEMENT_TYPES

    @property
    def mergeable(self) -> bool:
        return self.object_type in MERGEABLE

    def required_properties(self) -> list[str]:
        """Properties read whatever the file says: the cursor, the id, merges, activity time."""
        extra = ["hs_timestamp"] if self.is_engagement else []
        merged = [MERGED_IDS_PROPERTY] if self.mergeable else []
        return [self.cursor_property, "hs_object_id", *merged, *extra]


def _names(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where} must be a list of property names")
    return value


def _read(file: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load(file.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            f"cannot read the HubSpot objects file {file} ({exc}); fix it or point "
            "sources.hubspot.objects_file at a valid one") from None


def _object_spec(name: str, body: dict[str, Any]) -> ObjectSpec:
    return ObjectSpec(
        object_type=name, table=body.get("table", f"hubspot__{name}"),
        cursor_property=body.get("cursor_property", "lastmodifieddate"
                                 if name == "contacts" else "hs_lastmodifieddate"),
        properties=_names(body.get("properties"), f"objects.{name}.properties"),
        discover_properties=bool(body.get("discover_properties", False)),
        associations=dict(body.get("associations") or {}))


def _engagement_spec(name: str, own: Any, eng: dict[str, Any], file: Path) -> ObjectSpec:
    if name not in ENGAGEMENT_TYPES:
        raise ConfigurationError(
            f"engagements.types.{name} in {file} is not one of {', '.join(ENGAGEMENT_TYPES)}")
    return ObjectSpec(
        object_type=name, table=eng.get("table", "hubspot__engagements"),
        cursor_property=eng.get("cursor_property", "hs_lastmodifieddate"),
        properties=_names(eng.get("properties"), "engagements.properties")
        + _names(own, f"engagements.types.{name}"),
        discover_properties=bool(eng.get("discover_properties", False)),
        associations=dict(eng.get("associations") or {}))


def load_objects(path: str | Path | None = None) -> tuple[list[ObjectSpec], list[ObjectSpec]]:
    """(CRM objects, engagement types) from the objects file."""
    file = Path(path) if path else OBJECTS_FILE
    spec = _read(file)
    objects = [_object_spec(name, body or {}) for name, body in (spec.get("objects") or {}).items()]
    eng = spec.get("engagements") or {}
    engagements = [_engagement_spec(name, own, eng, file)
                   for name, own in (eng.get("types") or {}).items()]
    return objects, engagements


@dataclass
class ObjectRun:
    """What one object type's sync keeps while it runs (nothing of it goes to state)."""

    spec: ObjectSpec
    properties: list[str]
    table: Any  # rows.RecordTable: the record table's hints and Arrow schema
    cursor: OverlapCursor
    progress: Progress
    emitted: dict[str, set[str]] = field(default_factory=dict)  # to type -> from ids loaded
    links: dict[str, Any] = field(default_factory=dict)  # to type -> rows.AssociationTable
    reads: deque = field(default_factory=deque)  # association reads in flight (futures)
    gone: set[str] = field(default_factory=set)  # archived or absorbed during this run
    loaded: set[str] = field(default_factory=set)  # live records loaded during this run
    pending: list[str] = field(default_factory=list)  # ids whose associations are due
