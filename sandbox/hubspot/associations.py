"""Association batch reads (``/crm/v4/associations/...`` and ``/crm/associations/<version>/...``):
inputs, per-id paging, and the misses in ``errors`` (a 207, or a 200 from 2026-09)."""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.crm import Crm, iso
from sandbox.hubspot.errors import BadRequest
from sandbox.hubspot.params import as_int
from sandbox.hubspot.schema import ASSOCIATION_TYPE_IDS, SINGULAR
from sandbox.server import Request, Response

MAX_BATCH_INPUTS = 1_000
MAX_ASSOCIATIONS_PER_ID = 500


def read_inputs(request: Request) -> list:
    """The body's ``inputs``; a 400 ``BadRequest`` when missing or over the batch limit."""
    try:
        inputs = request.json().get("inputs")
    except (ValueError, AttributeError):
        raise BadRequest("Invalid input JSON on line 1") from None
    if not isinstance(inputs, list):
        raise BadRequest("inputs is required")
    if len(inputs) > MAX_BATCH_INPUTS:
        raise BadRequest(f"Batch input limit of {MAX_BATCH_INPUTS} exceeded: "
                         f"{len(inputs)} inputs")
    return inputs


def batch_read(crm: Crm, from_type: str, to_type: str, inputs: list,
               errors_status: int = 207) -> Response:
    """200 when every input has associations, else ``errors_status`` with one error per input
    without."""
    started = iso(crm.now_ms())
    type_id = ASSOCIATION_TYPE_IDS.get((from_type, to_type), 1)
    # the same label on every pair: one list, written out for each (as the JSON is the same)
    labels = [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]
    results, missing = [], []
    targets_by_id = crm.records[to_type]  # linked ids are ints: no parsing per target
    for item in inputs:
        raw_id = str(item.get("id", "")) if isinstance(item, dict) else str(item)
        source = crm.get(from_type, raw_id)
        targets = []
        if source is not None and not source.gone:  # merged-away ids read as unknown
            targets = [t for t in crm.linked_ids(from_type, source.id, to_type)
                       if (r := targets_by_id.get(t)) is not None and not r.gone]
        if not targets:
            missing.append(raw_id)
            continue
        start = as_int(item.get("after") or 0, "after") if isinstance(item, dict) else 0
        chunk = targets[start:start + MAX_ASSOCIATIONS_PER_ID]
        result: dict[str, Any] = {
            "from": {"id": raw_id},
            "to": [{"toObjectId": t, "associationTypes": labels} for t in chunk]}
        if start + MAX_ASSOCIATIONS_PER_ID < len(targets):
            result["paging"] = {"next": {"after": str(start + MAX_ASSOCIATIONS_PER_ID)}}
        results.append(result)
    body: dict[str, Any] = {"status": "COMPLETE", "results": results,
                            "startedAt": started, "completedAt": started}
    if not missing:
        return Response(200, body)
    body["numErrors"] = len(missing)
    body["errors"] = [{
        "status": "error", "category": "OBJECT_NOT_FOUND",
        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
        "context": {"fromObjectId": [m]},
        "message": f"No {SINGULAR[to_type]} is associated with {SINGULAR[from_type]} {m}.",
    } for m in missing]
    return Response(errors_status, body)
