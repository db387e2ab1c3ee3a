"""The objects file checked against the account's properties API before anything is extracted.

HubSpot ignores a property it does not know: the list endpoint leaves it out, and a search that
filters and sorts on an unknown (or wrong) last-modified property matches nothing. So a typo in
``objects.yml`` gave an empty column, and a wrong ``cursor_property`` made every incremental run
load "0 rows" while records were edited. One request per object type to the properties API
(``GET /crm/properties/<version>/{type}``) tells which names exist and their types; any mismatch stops
the run with exit code 2, naming the file, the object and the property.

The check runs when the objects file changed since it last passed (its digest is kept in the
dlt working directory of the warehouse, beside the pipelines' state), and on every fresh runner.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.http import ApiError
from pipelines.sources.hubspot.client import HubSpotClient, MissingScopes
from pipelines.sources.hubspot.objects import ObjectSpec

# contacts can be searched on hs_lastmodifieddate (it exists), but it does not match: the last
# modification of a contact is lastmodifieddate (api-facts §1.5)
CURSORS = {"contacts": "lastmodifieddate"}
CURSOR_TYPES = ("datetime",)


def _digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _problems(spec: ObjectSpec, known: dict[str, str]) -> list[str]:
    where = f"{spec.object_type}"
    problems = [f"{where}: property {name!r} does not exist in HubSpot"
                for name in dict.fromkeys(spec.properties) if name not in known]
    cursor = spec.cursor_property
    if cursor not in known:
        problems.append(f"{where}: cursor_property {cursor!r} does not exist in HubSpot")
    elif CURSORS.get(spec.object_type, cursor) != cursor:
        problems.append(f"{where}: cursor_property {cursor!r} never matches a changed "
                        f"{spec.object_type} record; use {CURSORS[spec.object_type]!r}")
    elif known[cursor] not in CURSOR_TYPES:
        problems.append(f"{where}: cursor_property {cursor!r} is a {known[cursor] or 'untyped'} "
                        "property, not the last-modified date time")
    return problems


def check_objects_file(client: HubSpotClient, specs: list[ObjectSpec], file: Path,
                       record: Path | None = None) -> None:
    """Raise ``ConfigurationError`` listing every object type, property or cursor property of
    ``file`` the account does not have; remember a file that passed in ``record``."""
    digest = _digest(file)
    if record is not None and record.is_file() and record.read_text() == digest:
        return
    problems: list[str] = []
    for spec in specs:
        try:
            known = client.property_types(spec.object_type)
        except MissingScopes:
            continue  # the sync skips this object with a warning naming the scope
        except ApiError as exc:
            if exc.status not in (400, 404):
                raise
            problems.append(f"{spec.object_type}: not an object type HubSpot knows")
            continue
        problems += _problems(spec, known)
    if problems:
        raise ConfigurationError(
            f"the HubSpot objects file {file} does not match the account: {'; '.join(problems)} "
            "(HubSpot > Settings > Properties shows each property's internal name); fix the "
            "file or point sources.hubspot.objects_file at another")
    if record is not None:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(digest)
