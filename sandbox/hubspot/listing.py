"""``GET /crm/objects/<version>/{type}`` (and ``/crm/v3/objects/{type}``): limit/after paging,
archived, properties, inline associations.

Records a merge absorbed never show, neither as live nor as archived (HubSpot drops them);
archived records drop out of ``archived=true`` once archived longer than the retention (90 days),
and a GDPR deletion (``Crm.purge``) leaves nothing at all.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from sandbox.hubspot.crm import Crm
from sandbox.hubspot.errors import BadRequest
from sandbox.hubspot.params import as_int, csv_values
from sandbox.hubspot.render import render_record
from sandbox.hubspot.schema import (
    DEFAULT_ENGAGEMENT_PROPERTIES,
    DEFAULT_LIST_PROPERTIES,
    PROPERTIES,
    SINGULAR,
    extra_custom_properties,
    resolve_type,
)
from sandbox.server import Request

MAX_LIST_LIMIT = 100
DAY_MS = 86_400_000


def list_objects(crm: Crm, object_type: str, request: Request, nullable: bool = True,
                 retention_days: int = 90) -> dict[str, Any]:
    """One page of records of ``object_type``, ids ascending, from ``after`` on."""
    limit = as_int(request.arg("limit", "10"), "limit")
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIST_LIMIT}")
    after = as_int(request.arg("after", "0") or "0", "after")
    archived = (request.arg("archived", "false") or "false").lower() == "true"
    names = csv_values(request.query.get("properties")) or DEFAULT_LIST_PROPERTIES.get(
        object_type, DEFAULT_ENGAGEMENT_PROPERTIES)
    known = set(PROPERTIES[object_type]) | set(extra_custom_properties(object_type))
    names = [n for n in names if n in known]  # unknown names are ignored silently
    assoc_types = [t for t in (resolve_type(a) for a in csv_values(request.query.get("associations")))
                   if t is not None]
    kept_from = crm.now_ms() - retention_days * DAY_MS  # older archives are purged
    records = crm.records[object_type]
    ids = crm.ids_in_order(object_type)
    matching = []  # a page and the first record of the next: scanned from `after` only
    for record_id in ids[bisect_left(ids, after):]:
        r = records[record_id]
        if r.archived == archived and r.merged_into is None \
                and not (r.archived and (r.archived_ms or 0) < kept_from):
            matching.append(r)
            if len(matching) > limit:
                break
    page = matching[:limit]
    results = []
    for record in page:
        item = render_record(record, names, nullable)
        if assoc_types:
            item["associations"] = {
                to: {"results": [{"id": str(i), "type": f"{SINGULAR[object_type]}_to_"
                                                         f"{SINGULAR[to]}"}
                                 for i in crm.associated(object_type, record.id, to)]}
                for to in assoc_types}
        results.append(item)
    body: dict[str, Any] = {"results": results}
    if len(matching) > limit:
        nxt = str(matching[limit].id)
        body["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
    return body
