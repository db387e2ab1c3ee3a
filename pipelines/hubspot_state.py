"""What the hubspot source keeps in dlt state between runs, and the objects file it reads.

Per object type: the cursor (newest last-modified time loaded, epoch ms), the records read
inside the look-back overlap (so a re-read of them loads nothing), the live ids (compressed;
the association sweep reads associations for them), the ids known to be archived, the time
of the last sweep and a digest per association batch (so an unchanged batch loads nothing).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.common.errors import ConfigurationError

OBJECTS_FILE = Path(__file__).with_name("hubspot_objects.yml")
ENGAGEMENT_TYPES = ("calls", "meetings", "notes", "tasks", "emails", "communications")
SINGULAR = {"contacts": "contact", "companies": "company", **{t: "engagement"
                                                              for t in ENGAGEMENT_TYPES}}


def id_order(value: str) -> tuple[int, str]:
    """Numeric order for HubSpot ids (they are numbers sent as strings)."""
    return (int(value), "") if value.isdigit() else (1 << 62, value)


def encode_ids(ids: set[str]) -> str:
    """A compact, JSON-safe form of a set of numeric ids (deltas, zlib, base64)."""
    numbers = sorted(int(i) for i in ids if i.isdigit())
    deltas = [b - a for a, b in zip([0, *numbers], numbers, strict=False)]
    others = sorted(i for i in ids if not i.isdigit())
    raw = json.dumps([deltas, others], separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw, 9)).decode()


def decode_ids(text: str | None) -> set[str]:
    if not text:
        return set()
    deltas, others = json.loads(zlib.decompress(base64.b64decode(text)))
    out, total = set(others), 0
    for delta in deltas:
        total += delta
        out.add(str(total))
    return out


def digest(mapping: dict[str, list[str]]) -> str:
    """A short fingerprint of one batch of associations."""
    body = json.dumps(sorted(mapping.items()), separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()[:20]


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

    def required_properties(self) -> list[str]:
        extra = ["hs_timestamp"] if self.is_engagement else []
        return [self.cursor_property, "hs_object_id", *extra]


def _names(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where} must be a list of property names")
    return value


def load_objects(path: str | Path | None = None) -> tuple[list[ObjectSpec], list[ObjectSpec]]:
    """(CRM objects, engagement types) from the objects file."""
    file = Path(path) if path else OBJECTS_FILE
    try:
        spec = yaml.safe_load(file.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            f"cannot read the HubSpot objects file {file} ({exc}); fix it or point "
            "sources.hubspot.objects_file at a valid one") from None
    objects = []
    for name, body in (spec.get("objects") or {}).items():
        body = body or {}
        objects.append(ObjectSpec(
            object_type=name, table=body.get("table", f"hubspot__{name}"),
            cursor_property=body.get("cursor_property", "lastmodifieddate"
                                     if name == "contacts" else "hs_lastmodifieddate"),
            properties=_names(body.get("properties"), f"objects.{name}.properties"),
            discover_properties=bool(body.get("discover_properties", False)),
            associations=dict(body.get("associations") or {})))
    engagements = []
    eng = spec.get("engagements") or {}
    for name, own in (eng.get("types") or {}).items():
        if name not in ENGAGEMENT_TYPES:
            raise ConfigurationError(
                f"engagements.types.{name} in {file} is not one of {', '.join(ENGAGEMENT_TYPES)}")
        engagements.append(ObjectSpec(
            object_type=name, table=eng.get("table", "hubspot__engagements"),
            cursor_property=eng.get("cursor_property", "hs_lastmodifieddate"),
            properties=_names(eng.get("properties"), "engagements.properties")
            + _names(own, f"engagements.types.{name}"),
            discover_properties=bool(eng.get("discover_properties", False)),
            associations=dict(eng.get("associations") or {})))
    return objects, engagements
