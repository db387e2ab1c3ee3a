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
  HubSpot), ``app.touch_many(type, ids, at_ms)`` (many records, one timestamp),
  ``app.merge(type, survivor_id, absorbed_id)`` (contacts or companies: the absorbed record
  vanishes from list, search and associations, not archived; the survivor's
  ``hs_merged_object_ids`` names it and its last-modified time moves);
  then ``clock.advance(minutes=1)`` so the search index catches up.
- ``app.modes`` (``sandbox.hubspot.modes.HubSpotModes``, real behaviour by default):
  ``edit_between_search_pages`` (a record is edited after each search page that has more to
  come; ``app.mid_read_edits`` lists them), ``missing_scopes`` (scopes the token lacks: the
  object types needing them answer 403 ``MISSING_SCOPES``, see ``schema.REQUIRED_SCOPES``),
  ``scope_error_key`` (where that 403 names the scopes).
- ``app.search_cap`` (lower it to cross the cap cheaply), ``app.index_lag_ms``,
  ``app.set_tier(requests_per_10s)``, ``app.search_limit`` (SlidingWindowLimit),
  ``app.daily_limit`` / ``app.daily_used``, ``app.max_url_length``.
- Ground truth, computed from the records, never from the warehouse:
  ``app.truth.live_ids(type)`` / ``archived_ids(type)`` (sets of id strings),
  ``app.truth.merged_ids(type)`` ({absorbed id: survivor id});
  ``app.truth.live_engagements()`` -> {engagement id: (type, hs_timestamp)};
  ``app.truth.pairs(from_type, to_type)`` -> {(from id, to id)} over live records, with
  ``from_type="engagements"`` for all six engagement types;
  ``app.truth.contact_engagements(contact_id)`` -> [(engagement id, type, hs_timestamp)];
  ``app.truth.contact_companies(contact_id)`` -> {company id}.
- Counters: ``app.counts`` per endpoint label (``"POST /crm/v3/objects/{object_type}/search"``),
  ``app.requests_to(prefix)``, plus ``app.search_counts[type]`` and
  ``app.association_inputs`` (ids asked for through batch reads).

This module wires the routes and holds the test handles; the concerns live beside it:
``listing``, ``search``, ``associations`` (the endpoints), ``limits`` (rate-limit headers and
429s), ``errors`` (error shape), ``params`` (request parameters), ``render`` (JSON shapes).
"""

from __future__ import annotations

import uuid
from collections import Counter
from urllib.parse import urlencode

from sandbox.clock import Clock
from sandbox.hubspot import associations, listing, search
from sandbox.hubspot.crm import Crm
from sandbox.hubspot.errors import BadRequest, error_response, missing_scopes_response
from sandbox.hubspot.limits import DAILY_LIMIT, limit_headers, rate_limit_response
from sandbox.hubspot.modes import HubSpotModes
from sandbox.hubspot.params import parse_type
from sandbox.hubspot.render import render_property
from sandbox.hubspot.schema import (
    CUSTOM_PROPERTIES,
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
        self.token = token
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
        return self._scope_check(request)

    def _scope_check(self, request: Request) -> Response | None:
        """403 MISSING_SCOPES when the token lacks a scope an object type in the path needs."""
        types = [resolve_type(request.params[name]) for name in
                 ("object_type", "from_type", "to_type") if name in request.params]
        missing = sorted({scope for t in types if t for scope in REQUIRED_SCOPES.get(t, ())
                          if scope in self.modes.missing_scopes})
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
    def list_objects(self, request: Request) -> Response:
        object_type = parse_type(request.params["object_type"])
        return Response(200, listing.list_objects(self.crm, object_type, request))

    def search(self, request: Request) -> Response:
        object_type = parse_type(request.params["object_type"])
        try:
            body = request.json()
        except ValueError:
            raise BadRequest("Invalid input JSON on line 1") from None
        query = search.parse_search(body, self.search_cap)
        self.search_counts[object_type] += 1
        answer = search.run_search(self.crm, object_type, query, self.search_cap)
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
        return associations.batch_read(self.crm, from_type, to_type, inputs)

    def properties(self, request: Request) -> Response:
        object_type = parse_type(request.params["object_type"])
        custom = CUSTOM_PROPERTIES.get(object_type, set())
        results = [render_property(name, kind, name not in custom)
                   for name, kind in PROPERTIES[object_type].items()]
        results += [render_property(name, "string", False)
                    for name in extra_custom_properties(object_type)]
        return Response(200, {"results": results})

    # test handles -------------------------------------------------------------------------
    def set_tier(self, requests_per_10s: int) -> None:
        """Switch the burst limit (Free/Starter 100, Professional/Enterprise 190 per 10 s)."""
        self.limit = SlidingWindowLimit(requests_per_10s, 10.0)

    def merge(self, object_type: str, survivor_id: int | str, absorbed_id: int | str) -> None:
        """Merge two contacts (or companies): see ``Crm.merge``."""
        with self.lock:
            self.crm.merge(object_type, int(survivor_id), int(absorbed_id))

    def touch_many(self, object_type: str, ids, at_ms: int, **properties: str | None) -> None:
        """Give many records one and the same last-modified time (a bulk import)."""
        with self.lock:
            for record_id in ids:
                self.crm.edit(object_type, int(record_id), at_ms=at_ms, **properties)


def create_app(profile: str, seed: int, clock: Clock) -> HubSpotApp:
    """The HubSpot stand-in with seeded CRM data and a private-app token."""
    crm = Crm(clock)
    crm.generate(profile, seed)
    return HubSpotApp(crm, token=f"pat-na1-{uuid.UUID(int=seed + 3).hex[:8]}-sandbox-"
                                 f"{uuid.UUID(int=seed * 31 + 1).hex[-12:]}")
