"""HubSpot CRM over HTTP: private-app auth, objects, search, associations v4, properties.

Routes (as ``api-facts.md`` section 1 describes them):

- ``GET  /crm/v3/objects/{type}``: ``limit`` <= 100, ``after``, ``properties``, ``archived``
  (``true`` returns only archived records), ``associations``; 414 when the URL is too long.
- ``POST /crm/v3/objects/{type}/search``: filterGroups (<= 5 groups, <= 6 filters each,
  <= 18 in all) with EQ/NEQ/GT/GTE/LT/LTE/IN/NOT_IN/BETWEEN/HAS_PROPERTY/NOT_HAS_PROPERTY,
  one sort, ``limit`` <= 200, ``after`` (an offset), ``total``; at most ``search_cap`` results
  per query (10,000; paging past it is a 400); archived records never match; writes reach
  the index ``index_lag_ms`` of sandbox time after they happen; 5 requests/s, no
  rate-limit headers.
- ``POST /crm/v4/associations/{from}/{to}/batch/read``: <= 1,000 inputs; 207 with
  ``errors`` for ids that have no associations; <= 500 associations per id, then paging.
- ``GET  /crm/v3/properties/{type}``: every property, ``hubspotDefined`` false for custom ones.
- Everything but search shares the per-app burst limit (``requests_per_10s``, default the
  Free/Starter 100 per 10 s) and sends the ``X-HubSpot-RateLimit-*`` headers; a 429 has
  HubSpot's error shape with ``policyName`` and no ``Retry-After``.

Test handles (all thread-safe; times are the sandbox clock's):

- ``app.crm.edit(type, id, **props)``, ``app.crm.create(type, props)``,
  ``app.crm.archive(type, id)``, ``app.crm.associate(from_type, id, to_type, id)``,
  ``app.crm.dissociate(...)`` (association changes leave last-modified times alone, as in
  HubSpot), ``app.touch_many(type, ids, at_ms)`` (many records, one timestamp);
  then ``clock.advance(minutes=1)`` so the search index catches up.
- ``app.search_cap`` (lower it to cross the cap cheaply), ``app.index_lag_ms``,
  ``app.set_tier(requests_per_10s)``, ``app.search_limit`` (SlidingWindowLimit),
  ``app.daily_limit`` / ``app.daily_used``, ``app.max_url_length``.
- Ground truth, computed from the records, never from the warehouse:
  ``app.truth.live_ids(type)`` / ``archived_ids(type)`` (sets of id strings);
  ``app.truth.live_engagements()`` -> {engagement id: (type, hs_timestamp)};
  ``app.truth.pairs(from_type, to_type)`` -> {(from id, to id)} over live records, with
  ``from_type="engagements"`` for all six engagement types;
  ``app.truth.contact_engagements(contact_id)`` -> [(engagement id, type, hs_timestamp)];
  ``app.truth.contact_companies(contact_id)`` -> {company id}.
- Counters: ``app.counts`` per endpoint label (``"POST /crm/v3/objects/{object_type}/search"``),
  ``app.requests_to(prefix)``, plus ``app.search_counts[type]`` and
  ``app.association_inputs`` (ids asked for through batch reads).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.clock import Clock
from sandbox.hubspot.crm import Crm, Record, iso, to_ms
from sandbox.hubspot.schema import (
    ASSOCIATION_TYPE_IDS,
    CUSTOM_PROPERTIES,
    DEFAULT_ENGAGEMENT_PROPERTIES,
    DEFAULT_LIST_PROPERTIES,
    DEFAULT_SEARCH_PROPERTIES,
    PROPERTIES,
    SINGULAR,
    extra_custom_properties,
    resolve_type,
)
from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import App, Request, Response

MAX_LIST_LIMIT = 100
MAX_SEARCH_LIMIT = 200
MAX_BATCH_INPUTS = 1_000
MAX_ASSOCIATIONS_PER_ID = 500
DAILY_LIMIT = 250_000
FILTER_OPERATORS = ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
                    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, category: str = "VALIDATION_ERROR"):
        super().__init__(message)
        self.status, self.category = status, category


def _property_type(object_type: str, name: str) -> str:
    return PROPERTIES.get(object_type, {}).get(name, "string")


def _comparable(object_type: str, name: str, value: Any) -> Any:
    """A property or filter value in the form HubSpot compares it (ms, numbers, text)."""
    if value is None:
        return None
    kind = _property_type(object_type, name)
    text = str(value)
    if kind in ("datetime", "date"):
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            return to_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise BadRequest(f"{text!r} is not a valid value for {name}") from None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise BadRequest(f"{text!r} is not a valid number for {name}") from None
    return text.lower()


def _matches(record: Record, flt: dict[str, Any]) -> bool:
    name = flt.get("propertyName")
    op = flt.get("operator")
    if not name or op not in FILTER_OPERATORS:
        raise BadRequest(f"filter {flt!r}: unknown operator or missing propertyName")
    actual = _comparable(record.type, name, record.value(name))
    if op == "HAS_PROPERTY":
        return actual not in (None, "")
    if op == "NOT_HAS_PROPERTY":
        return actual in (None, "")
    if op in ("IN", "NOT_IN"):
        values = flt.get("values")
        if not isinstance(values, list):
            raise BadRequest(f"filter on {name}: {op} needs `values`")
        wanted = {_comparable(record.type, name, v) for v in values}
        return (actual in wanted) == (op == "IN")
    if "value" not in flt:
        raise BadRequest(f"filter on {name}: {op} needs `value`")
    expected = _comparable(record.type, name, flt["value"])
    if op == "CONTAINS_TOKEN":
        return actual is not None and str(expected).strip("*") in str(actual)
    if op == "NOT_CONTAINS_TOKEN":
        return actual is None or str(expected).strip("*") not in str(actual)
    if op == "NEQ":
        return actual != expected
    if actual is None:
        return False
    if op == "BETWEEN":
        high = _comparable(record.type, name, flt.get("highValue"))
        return high is not None and expected <= actual <= high
    try:
        return {"EQ": actual == expected, "LT": actual < expected, "LTE": actual <= expected,
                "GT": actual > expected, "GTE": actual >= expected}[op]
    except TypeError:  # text against number: HubSpot simply finds nothing
        return False


class HubSpotApp(App):
    name = "hubspot"

    def __init__(self, crm: Crm, token: str, requests_per_10s: int = 100):
        super().__init__()
        self.crm = crm
        self.token = token
        self.limit = SlidingWindowLimit(requests_per_10s, 10.0)
        self.search_limit = SlidingWindowLimit(5, 1.0)
        self.daily_used = 0
        self.daily_limit = DAILY_LIMIT
        self.search_cap = 10_000
        self.max_url_length = 3_000
        self.search_counts: Counter[str] = Counter()
        self.association_inputs = 0
        self.truth = crm
        for method, pattern, handler in (
            ("GET", "/crm/v3/objects/{object_type}", self.list_objects),
            ("POST", "/crm/v3/objects/{object_type}/search", self.search),
            ("POST", "/crm/v4/associations/{from_type}/{to_type}/batch/read", self.batch_read),
            ("GET", "/crm/v3/properties/{object_type}", self.properties),
        ):
            self.route(method, pattern, self._guarded(handler, search=pattern.endswith("search")))

    # plumbing ---------------------------------------------------------------------------
    @property
    def index_lag_ms(self) -> int:
        return self.crm.index_lag_ms

    @index_lag_ms.setter
    def index_lag_ms(self, value: int) -> None:
        self.crm.index_lag_ms = value

    def env(self, url: str) -> dict[str, str]:
        return {"SOURCES__HUBSPOT__BASE_URL": url, "SOURCES__HUBSPOT__API_KEY": self.token}

    def error(self, status: int, code: str, message: str,
              category: str | None = None) -> Response:
        categories = {400: "VALIDATION_ERROR", 401: "INVALID_AUTHENTICATION",
                      403: "MISSING_SCOPES", 404: "OBJECT_NOT_FOUND", 414: "URI_TOO_LONG"}
        body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
                "category": category or categories.get(status, code.upper())}
        return Response(status, body)

    def rate_limited(self, retry_after: int | None, search: bool = False,
                     daily: bool = False) -> Response:
        """HubSpot's 429: no Retry-After, the policy in the body (and headers off search)."""
        if daily:
            message, policy = "You have reached your daily limit.", "DAILY"
        elif search:
            message, policy = "You have reached your secondly limit.", "SECONDLY"
        else:
            message, policy = ("You have reached your ten_secondly_rolling limit.",
                               "TEN_SECONDLY_ROLLING")
        response = Response(429, {"status": "error", "message": message,
                                  "errorType": "RATE_LIMIT", "category": "RATE_LIMITS",
                                  "correlationId": str(uuid.uuid4()), "policyName": policy})
        if not search:
            response.headers.update(self._limit_headers())
        return response

    def _limit_headers(self) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self.daily_used)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": str(self.limit.limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.limit.remaining())),
            "X-HubSpot-RateLimit-Secondly": str(self.limit.limit // 10),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, self.limit.remaining() // 10)),
        }

    def before(self, request: Request, endpoint: str) -> Response | None:
        if request.header("authorization") != f"Bearer {self.token}":
            return self.error(401, "invalid_authentication",
                              "Authentication credentials not found. This API supports OAuth "
                              "2.0 authentication.")
        url_length = len(request.path) + 1 + len(urlencode(request.query, doseq=True))
        if url_length > self.max_url_length:
            return self.error(414, "uri_too_long", "Request-URI Too Long")
        search = endpoint.endswith("/search")
        if self.daily_used >= self.daily_limit:  # the account's daily budget counts search too
            return self.rate_limited(None, search=search, daily=True)
        if search:
            if self.search_limit.hit() is not None:
                return self.rate_limited(None, search=True)
        elif self.limit.hit() is not None:
            return self.rate_limited(None)
        self.daily_used += 1
        return None

    def _guarded(self, handler, search: bool):
        def run(request: Request) -> Response:
            try:
                response = handler(request)
            except BadRequest as exc:
                response = self.error(exc.status, "bad_request", str(exc), exc.category)
            if not search:
                response.headers.update(self._limit_headers())
            return response
        return run

    def _type(self, name: str) -> str:
        object_type = resolve_type(name)
        if object_type is None:
            raise BadRequest(f"Unable to infer object type from: {name}")
        return object_type

    def _render(self, record: Record, properties: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(record.id),
            "properties": {name: record.value(name) for name in properties},
            "createdAt": iso(record.created_ms),
            "updatedAt": iso(record.updated_ms),
            "archived": record.archived,
        }
        if record.archived and record.archived_ms is not None:
            out["archivedAt"] = iso(record.archived_ms)
        return out

    # list ---------------------------------------------------------------------------------
    def list_objects(self, request: Request) -> Response:
        object_type = self._type(request.params["object_type"])
        limit = _int(request.arg("limit", "10"), "limit")
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise BadRequest(f"limit must be between 1 and {MAX_LIST_LIMIT}")
        after = _int(request.arg("after", "0") or "0", "after")
        archived = (request.arg("archived", "false") or "false").lower() == "true"
        names = _csv(request.query.get("properties")) or DEFAULT_LIST_PROPERTIES.get(
            object_type, DEFAULT_ENGAGEMENT_PROPERTIES)
        known = set(PROPERTIES[object_type]) | set(extra_custom_properties(object_type))
        names = [n for n in names if n in known]  # unknown names are ignored silently
        assoc_types = [t for t in (resolve_type(a) for a in _csv(request.query.get("associations")))
                       if t is not None]
        matching = [r for r in self.crm.records[object_type].values()
                    if r.id >= after and r.archived == archived]
        page = matching[:limit]
        results = []
        for record in page:
            item = self._render(record, names)
            if assoc_types:
                item["associations"] = {
                    to: {"results": [{"id": str(i), "type": f"{SINGULAR[object_type]}_to_"
                                                             f"{SINGULAR[to]}"}
                                     for i in self.crm.associated(object_type, record.id, to)]}
                    for to in assoc_types}
            results.append(item)
        body: dict[str, Any] = {"results": results}
        if len(matching) > limit:
            nxt = str(matching[limit].id)
            body["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        return Response(200, body)

    # search -------------------------------------------------------------------------------
    def search(self, request: Request) -> Response:
        object_type = self._type(request.params["object_type"])
        try:
            body = request.json()
        except ValueError:
            raise BadRequest("Invalid input JSON on line 1") from None
        groups = body.get("filterGroups") or []
        if len(groups) > 5 or any(len(g.get("filters") or []) > 6 for g in groups) or \
                sum(len(g.get("filters") or []) for g in groups) > 18:
            raise BadRequest("Search allows at most 5 filterGroups, 6 filters per group and "
                             "18 filters in total.")
        sorts = body.get("sorts") or []
        if len(sorts) > 1:
            raise BadRequest("Search supports only one sort.")
        limit = _int(body.get("limit", 10), "limit")
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise BadRequest(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
        offset = _int(body.get("after") or 0, "after")
        if offset >= self.search_cap:
            raise BadRequest(f"Paging past {self.search_cap} results is not supported.")
        self.search_counts[object_type] += 1
        now = self.crm.now_ms()
        found = [r for r in self.crm.records[object_type].values()
                 if self.crm.searchable(r, now)
                 and (not groups or any(all(_matches(r, f) for f in g.get("filters") or [])
                                        for g in groups))]
        if sorts:
            name = sorts[0].get("propertyName")
            descending = str(sorts[0].get("direction", "ASCENDING")).upper() == "DESCENDING"
            missing = float("-inf") if descending else float("inf")

            def key(r: Record):
                value = _comparable(object_type, name, r.value(name))
                return (value is None, value if value is not None else missing, r.id)
            found.sort(key=key, reverse=descending)
        # with no sort HubSpot returns records by creation, oldest first (ids ascend)
        names = body.get("properties") or DEFAULT_SEARCH_PROPERTIES.get(
            object_type, DEFAULT_ENGAGEMENT_PROPERTIES)
        end = min(offset + limit, self.search_cap, len(found))
        out: dict[str, Any] = {"total": len(found),
                               "results": [self._render(r, names) for r in found[offset:end]]}
        if end < len(found):
            out["paging"] = {"next": {"after": str(end)}}
        return Response(200, out)

    # associations -------------------------------------------------------------------------
    def batch_read(self, request: Request) -> Response:
        from_type = self._type(request.params["from_type"])
        to_type = self._type(request.params["to_type"])
        try:
            inputs = request.json().get("inputs")
        except (ValueError, AttributeError):
            raise BadRequest("Invalid input JSON on line 1") from None
        if not isinstance(inputs, list):
            raise BadRequest("inputs is required")
        if len(inputs) > MAX_BATCH_INPUTS:
            raise BadRequest(f"Batch input limit of {MAX_BATCH_INPUTS} exceeded: "
                             f"{len(inputs)} inputs")
        self.association_inputs += len(inputs)
        started = iso(self.crm.now_ms())
        index = self.crm.reverse_index(from_type, to_type)
        type_id = ASSOCIATION_TYPE_IDS.get((from_type, to_type), 1)
        results, missing = [], []
        for item in inputs:
            raw_id = str(item.get("id", "")) if isinstance(item, dict) else str(item)
            source = self.crm.get(from_type, raw_id)
            targets = []
            if source is not None and not source.archived:
                targets = [t for t in index.get(source.id, [])
                           if (r := self.crm.get(to_type, t)) is not None and not r.archived]
            if not targets:
                missing.append(raw_id)
                continue
            start = _int(item.get("after") or 0, "after") if isinstance(item, dict) else 0
            chunk = targets[start:start + MAX_ASSOCIATIONS_PER_ID]
            result: dict[str, Any] = {
                "from": {"id": raw_id},
                "to": [{"toObjectId": t, "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]}
                    for t in chunk]}
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
        return Response(207, body)

    # properties ---------------------------------------------------------------------------
    def properties(self, request: Request) -> Response:
        object_type = self._type(request.params["object_type"])
        custom = CUSTOM_PROPERTIES.get(object_type, set())
        results = [_property(name, kind, name not in custom)
                   for name, kind in PROPERTIES[object_type].items()]
        results += [_property(name, "string", False)
                    for name in extra_custom_properties(object_type)]
        return Response(200, {"results": results})

    def set_tier(self, requests_per_10s: int) -> None:
        """Switch the burst limit (Free/Starter 100, Professional/Enterprise 190 per 10 s)."""
        self.limit = SlidingWindowLimit(requests_per_10s, 10.0)

    # bulk mutations for tests -------------------------------------------------------------
    def touch_many(self, object_type: str, ids, at_ms: int, **properties: str | None) -> None:
        """Give many records one and the same last-modified time (a bulk import)."""
        with self.lock:
            for record_id in ids:
                self.crm.edit(object_type, int(record_id), at_ms=at_ms, **properties)


def _property(name: str, kind: str, hubspot_defined: bool) -> dict[str, Any]:
    field_type = {"datetime": "date", "number": "number", "enumeration": "select",
                  "bool": "booleancheckbox"}.get(kind, "text")
    return {"name": name, "label": name.replace("_", " ").title(), "type": kind,
            "fieldType": field_type, "groupName": "contactinformation", "description": "",
            "options": [], "hubspotDefined": hubspot_defined, "calculated": False,
            "hasUniqueValue": name == "hs_object_id", "hidden": False,
            "displayOrder": -1, "formField": False, "archived": False}


def _csv(values: list[str] | None) -> list[str]:
    return [part for value in values or [] for part in value.split(",") if part]


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an integer, got {value!r}") from None


def create_app(profile: str, seed: int, clock: Clock) -> HubSpotApp:
    """The HubSpot stand-in with seeded CRM data and a private-app token."""
    crm = Crm(clock)
    crm.generate(profile, seed)
    return HubSpotApp(crm, token=f"pat-na1-{uuid.UUID(int=seed + 3).hex[:8]}-sandbox-"
                                 f"{uuid.UUID(int=seed * 31 + 1).hex[-12:]}")
