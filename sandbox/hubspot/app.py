"""HubSpot CRM over HTTP: Service Key auth, objects, search, associations, properties.

Routes (as ``api-facts.md`` sections 1 and 7 describe them), each under the date-versioned
path (``<v>`` = 2026-03 or 2026-09, ``versions.py``) and its legacy twin:

- ``GET  /crm/objects/<v>/{type}`` (``/crm/v3/objects/{type}``): ``limit`` <= 100, ``after``,
  ``properties``, ``archived`` (``true`` returns only archived records, for 90 days),
  ``associations``; 414 when the URL is too long.
- ``GET  /crm/objects/<v>/{type}/{id}``: one record; an id a merge absorbed answers with the
  merged record, under its new id.
- ``POST /crm/objects/<v>/{type}/search``: filterGroups (<= 5 groups, <= 6 filters each,
  <= 18 in all) with EQ/NEQ/GT/GTE/LT/LTE/IN/NOT_IN/BETWEEN/HAS_PROPERTY/NOT_HAS_PROPERTY,
  one sort, ``limit`` <= 200, ``after`` (an offset), ``total``; at most ``search_cap`` results
  per query (10,000; paging past it is a 400); archived records never match; writes reach
  the index ``index_lag_ms`` of sandbox time after they happen; 5 requests/s, no
  rate-limit headers.
- ``POST /crm/associations/<v>/{from}/{to}/batch/read`` (``/crm/v4/associations/...``):
  <= 1,000 inputs; ``errors`` for ids that have no associations (a 207; a 200 in 2026-09);
  <= 500 associations per id, then paging.
- ``GET  /crm/properties/<v>/{type}`` (``/crm/v3/properties/{type}``): every property,
  ``hubspotDefined`` false for custom ones.
- 2026-09 records send an empty value as ``null``; the legacy paths answer 410 after their end
  of support on the sandbox clock (strict mode, ``versions.py``).
- Everything but search shares the per-app burst limit (``requests_per_10s``, default the
  Free/Starter 100 per 10 s) and sends the ``X-HubSpot-RateLimit-*`` headers; a 429 has
  HubSpot's error shape with ``policyName`` and no ``Retry-After``.

Test handles (all thread-safe; times are the sandbox clock's):

- ``app.token`` is a Service Key with every scope; ``app.service_key(without={scope})`` makes
  another key with a box left unticked (``legacy=True``: a private-app token, same ``pat-``
  look, same Bearer header).
- ``app.crm.edit(type, id, **props)``, ``app.crm.create(type, props)``,
  ``app.crm.archive(type, id)``, ``app.crm.purge(type, id)`` (a GDPR deletion: no trace left),
  ``app.crm.associate(from_type, id, to_type, id)``,
  ``app.crm.dissociate(...)`` (association changes leave last-modified times alone, as in
  HubSpot), ``app.touch_many(type, ids, at_ms)`` (many records, one timestamp),
  ``app.merge(type, primary_id, secondary_id)`` (contacts or companies: a NEW record with a new
  id takes both records' associations and the primary's values; both old ids vanish from list,
  search and associations, not archived, and a GET by either returns the new record, whose
  ``hs_merged_object_ids`` names them); then ``clock.advance(minutes=1)`` so the search index
  catches up.
- ``app.modes`` (``sandbox.hubspot.modes.HubSpotModes``, real behaviour by default):
  ``edit_between_search_pages`` (a record is edited after each search page that has more to
  come; ``app.mid_read_edits`` lists them), ``missing_scopes`` (scopes every key lacks: the
  object types needing them answer 403 ``MISSING_SCOPES``, see ``schema.REQUIRED_SCOPES``),
  ``scope_error_key`` (where that 403 names the scopes), ``legacy_sunset``,
  ``batch_errors_status``, ``archived_retention_days``.
- ``app.search_cap`` (lower it to cross the cap cheaply), ``app.index_lag_ms``,
  ``app.set_tier(requests_per_10s)``, ``app.search_limit`` (SlidingWindowLimit),
  ``app.daily_limit`` / ``app.daily_used``, ``app.max_url_length``.
- Ground truth, computed from the records, never from the warehouse:
  ``app.truth.live_ids(type)`` / ``archived_ids(type)`` (sets of id strings),
  ``app.truth.merged_ids(type)`` ({old id: merged record's id});
  ``app.truth.live_engagements()`` -> {engagement id: (type, hs_timestamp)};
  ``app.truth.pairs(from_type, to_type)`` -> {(from id, to id)} over live records, with
  ``from_type="engagements"`` for all six engagement types;
  ``app.truth.contact_engagements(contact_id)`` -> [(engagement id, type, hs_timestamp)];
  ``app.truth.contact_companies(contact_id)`` -> {company id}.
- Counters: ``app.counts`` per endpoint label
  (``"POST /crm/objects/{version}/{object_type}/search"``), ``app.requests_to(prefix)``, plus
  ``app.search_counts[type]`` and ``app.association_inputs`` (ids asked for through batch reads).

This module wires the routes and holds the test handles; the concerns live beside it:
``listing``, ``search``, ``associations`` (the endpoints), ``versions`` (API generations),
``limits`` (rate-limit headers and 429s), ``errors`` (error shape), ``params`` (request
parameters), ``render`` (JSON shapes).
"""

from __future__ import annotations

import uuid
from collections import Counter
from urllib.parse import urlencode

from sandbox.clock import Clock
from sandbox.hubspot import associations, listing, search, versions
from sandbox.hubspot.crm import Crm
from sandbox.hubspot.errors import BadRequest, error_response, missing_scopes_response
from sandbox.hubspot.limits import DAILY_LIMIT, limit_headers, rate_limit_response
from sandbox.hubspot.modes import HubSpotModes
from sandbox.hubspot.params import csv_values, parse_type
from sandbox.hubspot.render import render_property, render_record
from sandbox.hubspot.schema import (
    CUSTOM_PROPERTIES,
    DEFAULT_ENGAGEMENT_PROPERTIES,
    DEFAULT_LIST_PROPERTIES,
    PROPERTIES,
    REQUIRED_SCOPES,
    extra_custom_properties,
    resolve_type,
)
from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import App, Request, Response


class HubSpotApp(App):
    name = "hubspot"
    unlimited_env = {"SOURCES__HUBSPOT__REQUESTS_PER_10S": "2000",
                     "SOURCES__HUBSPOT__SEARCH_REQUESTS_PER_SECOND": "200"}

    def __init__(self, crm: Crm, token: str, requests_per_10s: int = 100):
        super().__init__()
        self.crm = crm
        self.token = token  # a Service Key with every scope this API's routes need
        # every key the account accepts -> the scopes it lacks (``service_key`` adds more)
        self.keys: dict[str, frozenset[str]] = {token: frozenset()}
        self.limit = SlidingWindowLimit(requests_per_10s, 10.0)
        self.search_limit = SlidingWindowLimit(5, 1.0)
        self.daily_used = 0
        self.daily_limit = DAILY_LIMIT
        self.search_cap = 10_000
        self.max_url_length = 3_000
        self.search_counts: Counter[str] = Counter()
        self.association_inputs = 0
        self.modes = HubSpotModes()
        self.mid_read_edits: list[tuple[str, str]] = []
        self.truth = crm
        for method, pattern, handler in (
            # the date-versioned paths (api-facts §7.2)
            ("GET", "/crm/objects/{version}/{object_type}", self.list_objects),
            ("GET", "/crm/objects/{version}/{object_type}/{record_id}", self.get_object),
            ("POST", "/crm/objects/{version}/{object_type}/search", self.search),
            ("POST", "/crm/associations/{version}/{from_type}/{to_type}/batch/read",
             self.batch_read),
            ("GET", "/crm/properties/{version}/{object_type}", self.properties),
            # the legacy ones, unsupported after their dates in the strict mode
            ("GET", "/crm/v3/objects/{object_type}", self.list_objects),
            ("GET", "/crm/v3/objects/{object_type}/{record_id}", self.get_object),
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
        return error_response(status, code, message, category)

    def rate_limited(self, retry_after: int | None, search: bool = False,
                     daily: bool = False) -> Response:
        """HubSpot's 429: no Retry-After, the policy in the body (and headers off search)."""
        response = rate_limit_response(search=search, daily=daily)
        if not search:
            response.headers.update(self._limit_headers())
        return response

    def _limit_headers(self) -> dict[str, str]:
        return limit_headers(self.limit, self.daily_limit, self.daily_used)

    def before(self, request: Request, endpoint: str) -> Response | None:
        bearer = request.header("authorization") or ""
        token = bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else None
        if token is None or token not in self.keys:
            return self.error(401, "invalid_authentication",
                              "Authentication credentials not found. This API supports OAuth "
                              "2.0 authentication.")
        version = versions.version_of(request.params)
        if version != versions.LEGACY and version not in versions.DATE_VERSIONS:
            return versions.unknown_version_response(version)
        sunset = versions.sunset_of(request.path, self.crm.clock.now())
        if sunset is not None and self.modes.legacy_sunset:
            return versions.unsupported_response(request.path, sunset)
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
        return self._scope_check(request, token)

    def _scope_check(self, request: Request, token: str) -> Response | None:
        """403 MISSING_SCOPES when the key lacks a scope an object type in the path needs."""
        types = [resolve_type(request.params[name]) for name in
                 ("object_type", "from_type", "to_type") if name in request.params]
        lacking = self.modes.missing_scopes | self.keys[token]
        missing = sorted({scope for t in types if t for scope in REQUIRED_SCOPES.get(t, ())
                          if scope in lacking})
        if not missing:
            return None
        return missing_scopes_response(missing, self.modes.scope_error_key)

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

    # endpoints ----------------------------------------------------------------------------
    def _nullable(self, request: Request) -> bool:
        return versions.version_of(request.params) in versions.NULLABLE_VERSIONS

    def list_objects(self, request: Request) -> Response:
        object_type = parse_type(request.params["object_type"])
        return Response(200, listing.list_objects(
            self.crm, object_type, request, self._nullable(request),
            self.modes.archived_retention_days))

    def get_object(self, request: Request) -> Response:
        """One record by id; an id a merge absorbed answers with the merged record (its new id)."""
        object_type = parse_type(request.params["object_type"])
        record = self.crm.resolve(object_type, request.params["record_id"])
        if record is None or record.archived:
            raise BadRequest("Object not found.", 404,
                             "OBJECT_NOT_FOUND")
        names = csv_values(request.query.get("properties")) or DEFAULT_LIST_PROPERTIES.get(
            object_type, DEFAULT_ENGAGEMENT_PROPERTIES)
        return Response(200, render_record(record, names, self._nullable(request)))

    def search(self, request: Request) -> Response:
        object_type = parse_type(request.params["object_type"])
        try:
            body = request.json()
        except ValueError:
            raise BadRequest("Invalid input JSON on line 1") from None
        query = search.parse_search(body, self.search_cap)
        self.search_counts[object_type] += 1
        answer = search.run_search(self.crm, object_type, query, self.search_cap,
                                   self._nullable(request))
        if self.modes.edit_between_search_pages and answer.get("paging"):
            edited = search.edit_one_of(self.crm, object_type, answer["results"])
            if edited:
                self.mid_read_edits.append((object_type, edited))
        return Response(200, answer)

    def batch_read(self, request: Request) -> Response:
        from_type = parse_type(request.params["from_type"])
        to_type = parse_type(request.params["to_type"])
        inputs = associations.read_inputs(request)
        self.association_inputs += len(inputs)
        status = self.modes.batch_errors_status if self._nullable(request) else 207
        return associations.batch_read(self.crm, from_type, to_type, inputs, status)

    def properties(self, request: Request) -> Response:
        object_type = parse_type(request.params["object_type"])
        custom = CUSTOM_PROPERTIES.get(object_type, set())
        results = [render_property(name, kind, name not in custom)
                   for name, kind in PROPERTIES[object_type].items()]
        results += [render_property(name, "string", False)
                    for name in extra_custom_properties(object_type)]
        return Response(200, {"results": results})

    # test handles -------------------------------------------------------------------------
    def service_key(self, without: set[str] | frozenset[str] = frozenset(),
                    legacy: bool = False) -> str:
        """A further key of this account, created without the scopes in ``without`` (a box
        left unticked); ``legacy`` makes it a private-app token. Both look alike (``pat-``)."""
        with self.lock:
            kind = "app" if legacy else "key"
            token = f"pat-na1-{kind}{len(self.keys):02d}-{uuid.uuid4().hex}"
            self.keys[token] = frozenset(without)
            return token

    def set_tier(self, requests_per_10s: int) -> None:
        """Switch the burst limit (Free/Starter 100, Professional/Enterprise 190 per 10 s)."""
        enabled = self.limit.enabled  # lifted limits stay lifted
        self.limit = SlidingWindowLimit(requests_per_10s, 10.0)
        self.limit.enabled = enabled

    def merge(self, object_type: str, primary_id: int | str, secondary_id: int | str) -> str:
        """Merge two contacts (or companies) into a new record (``Crm.merge``); its id."""
        with self.lock:
            return str(self.crm.merge(object_type, int(primary_id), int(secondary_id)).id)

    def touch_many(self, object_type: str, ids, at_ms: int, **properties: str | None) -> None:
        """Give many records one and the same last-modified time (a bulk import)."""
        with self.lock:
            for record_id in ids:
                self.crm.edit(object_type, int(record_id), at_ms=at_ms, **properties)


def create_app(profile: str, seed: int, clock: Clock, scale: int = 1) -> HubSpotApp:
    """The HubSpot stand-in with seeded CRM data (``scale`` times the profile's) and a Service
    Key with every scope."""
    crm = Crm(clock)
    crm.generate(profile, seed, scale)
    return HubSpotApp(crm, token=f"pat-na1-{uuid.UUID(int=seed + 3).hex[:8]}-sandbox-"
                                 f"{uuid.UUID(int=seed * 31 + 1).hex[-12:]}")
