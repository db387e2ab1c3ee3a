"""Notion API 2025-09-03 to 2026-12-01 over HTTP: auth and version checks, the per-connection
60-second request window, filters, sorts, cursors, the 10,000-result query cap.

Property ids are handed out URL-encoded, as Notion does; a path is decoded once and compared with
the decoded id, so an id encoded a second time by the client is not found (404). From 2026-03-11
``archived`` is gone from responses and rejected in requests (``in_trash`` replaces it).
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sandbox.clock import Clock
from sandbox.notion import render
from sandbox.notion.modes import NotionModes
from sandbox.notion.workspace import Page, Property, Workspace
from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import App, Request, Response

SUPPORTED_VERSIONS = ("2025-09-03", "2026-03-11", "2026-12-01")
IN_TRASH_VERSION = "2026-03-11"  # from this version on `archived` is rejected (use `in_trash`)
WINDOW_S = 60.0  # Notion's rate limits count requests per 60-second window
CONNECTION_LIMIT = 180  # per connection (600 on Business and Enterprise: ``app.limit.limit = 600``)
SPACE_LIMIT = 2_700  # the workspace's own limit, shared by every connection (not published)
SPACE_RETRY_AFTER_S = 90  # the workspace limit asks for waits past the 60-s window
MAX_PAGE_SIZE = 100
# rollup functions the property-item endpoint leaves uncomputed (`type: "unsupported"`)
UNSUPPORTED_ROLLUPS = ("show_unique", "unique", "median", "count_per_group", "percent_per_group")
DATE_OPERATORS = ("equals", "before", "after", "on_or_before", "on_or_after")


class BadRequest(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.status = code, status


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise BadRequest("validation_error", f"body.filter: {value!r} is not a date") from None
    if parsed.tzinfo is None:  # a bare date compares as midnight UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _compare(actual: Any, condition: dict[str, Any]) -> bool:
    if not isinstance(condition, dict) or len(condition) != 1:
        raise BadRequest("validation_error", "body.filter: a condition needs one operator")
    (op, expected), = condition.items()
    if op == "is_empty":
        return actual in (None, "", [])
    if op == "is_not_empty":
        return actual not in (None, "", [])
    if actual is None:
        return False
    if op in ("equals",):
        return actual == expected
    if op == "does_not_equal":
        return actual != expected
    if op in ("before", "less_than"):
        return actual < expected
    if op in ("after", "greater_than"):
        return actual > expected
    if op in ("on_or_before", "less_than_or_equal_to"):
        return actual <= expected
    if op in ("on_or_after", "greater_than_or_equal_to"):
        return actual >= expected
    raise BadRequest("validation_error", f"body.filter: unsupported operator {op!r}")


class NotionApp(App):
    name = "notion"
    unlimited_env = {"SOURCES__NOTION__REQUESTS_PER_MINUTE": "100000"}

    def __init__(self, workspace: Workspace, token: str):
        super().__init__()
        self.ws = workspace
        self.token = token
        self.modes = NotionModes()
        self.versions: Counter[str] = Counter()  # Notion-Version header values received
        self.limit = SlidingWindowLimit(CONNECTION_LIMIT, WINDOW_S)  # this integration's connection
        self.space_limit = SlidingWindowLimit(SPACE_LIMIT, WINDOW_S)  # the whole workspace
        self.route("POST", "/v1/search", self.search)
        self.route("POST", "/v1/data_sources/{data_source_id}/query", self.query)
        self.route("GET", "/v1/data_sources/{data_source_id}", self.get_data_source)
        self.route("GET", "/v1/pages/{page_id}", self.get_page)
        self.route("GET", "/v1/pages/{page_id}/properties/{property_id}", self.get_property)

    # plumbing ---------------------------------------------------------------------------
    def env(self, url: str) -> dict[str, str]:
        return {"SOURCES__NOTION__BASE_URL": url, "SOURCES__NOTION__API_KEY": self.token}

    def reset_counts(self) -> None:
        super().reset_counts()
        self.versions.clear()

    def error(self, status: int, code: str, message: str) -> Response:
        return Response(status, {"object": "error", "status": status, "code": code,
                                 "message": message, "request_id": str(uuid.uuid4())})

    def rate_limited(self, retry_after: int | None, reason: str | None = None) -> Response:
        """A 429 naming which limit was hit (an injected one: ``modes.rate_limit_reason``)."""
        self.modes.check()
        reason = reason or self.modes.rate_limit_reason
        response = self.error(429, "rate_limited",
                              "You have been rate limited. Please try again in a few minutes.")
        response.body["additional_data"] = {"rate_limit_reason": reason}
        if retry_after is not None and reason != "public_api_request_blocked":
            response.headers["Retry-After"] = str(retry_after)
            response.body["additional_data"]["retry_after"] = str(retry_after)
        return response

    def before(self, request: Request, endpoint: str) -> Response | None:
        auth = request.header("authorization") or ""
        if auth != f"Bearer {self.token}":
            return self.error(401, "unauthorized", "API token is invalid.")
        version = request.header("notion-version")
        self.versions[version or "none"] += 1
        if not version:
            return self.error(400, "missing_version", "Notion-Version header failed validation: "
                              "Notion-Version header should be defined, instead was `undefined`.")
        if version not in SUPPORTED_VERSIONS:
            return self.error(400, "validation_error",
                              f"Notion-Version {version} does not serve data sources.")
        request.version = version  # type: ignore[attr-defined]
        wait = self.limit.hit()
        if wait is not None:
            return self.rate_limited(math.ceil(wait), "public_api_request_rate_limit")
        wait = self.space_limit.hit()
        if wait is not None:
            return self.rate_limited(math.ceil(wait) + SPACE_RETRY_AFTER_S,
                                     "public_api_space_request_rate_limit")
        return None

    def _legacy(self, request: Request) -> bool:
        """A version before 2026-03-11: responses still carry ``archived``."""
        return getattr(request, "version", IN_TRASH_VERSION) < IN_TRASH_VERSION

    def _future(self, request: Request) -> bool:
        """2026-12-01's behaviour: asked for, or served early (``modes.serve_2026_12_01``)."""
        return self.modes.serve_2026_12_01 or getattr(request, "version", "") >= "2026-12-01"

    def dispatch(self, request: Request) -> Response | None:
        try:
            return super().dispatch(request)
        except BadRequest as exc:
            return self.error(exc.status, exc.code, str(exc))

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            raise BadRequest("invalid_json", "Error parsing JSON body.") from None
        if not isinstance(body, dict):
            raise BadRequest("validation_error", "body should be an object.")
        if not self._legacy(request):
            for where, part in (("body", body), ("body.filter", body.get("filter"))):
                if isinstance(part, dict) and "archived" in part:
                    raise BadRequest("validation_error", f"body failed validation: {where}.archived "
                                     "should be not present, instead was `"
                                     f"{str(part['archived']).lower()}`.")
        return body

    def _paginate(self, items: list[Any], body: dict[str, Any], key) -> tuple[list[Any], str | None]:
        size = body.get("page_size", MAX_PAGE_SIZE)
        if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            raise BadRequest("validation_error",
                             f"body.page_size should be a number between 1 and {MAX_PAGE_SIZE}.")
        start = 0
        cursor = body.get("start_cursor")
        if cursor:
            ids = [key(item) for item in items]
            if cursor not in ids:
                raise BadRequest("validation_error", "body.start_cursor is not a valid cursor.")
            start = ids.index(cursor)
        chunk = items[start:start + size]
        following = items[start + size:start + size + 1]
        return chunk, key(following[0]) if following else None

    # search -------------------------------------------------------------------------------
    def search(self, request: Request) -> Response:
        body = self._body(request)
        wanted = (body.get("filter") or {}).get("value")
        if wanted not in (None, "page", "data_source"):
            raise BadRequest("validation_error", 'body.filter.value should be "page" or "data_source".')
        text = (body.get("query") or "").lower()
        found: list[tuple[datetime, str, dict]] = []
        legacy, future = self._legacy(request), self._future(request)
        if wanted in (None, "data_source"):
            for ds in self.ws.data_sources.values():
                if text in ds.title.lower():
                    found.append((ds.last_edited_time, ds.id, render.data_source_object(
                        self.ws, ds, legacy_archived=legacy, title_only=future)))
        if wanted in (None, "page"):
            wanted_props = self._filter_properties(request)
            for page in self.ws.live_pages():
                title = self.ws.pages[page.id].values.get("title") or ""
                if text in str(title).lower():
                    found.append((page.last_edited_time, page.id,
                                  self._page_object(page, request, wanted_props)))
        direction = (body.get("sort") or {}).get("direction", "descending")
        found.sort(key=lambda t: (t[0], t[1]), reverse=direction == "descending")
        chunk, next_cursor = self._paginate(found, body, key=lambda t: t[1])
        return Response(200, render.listing([t[2] for t in chunk], next_cursor,
                                            "page_or_data_source"))

    # query --------------------------------------------------------------------------------
    def _page_field(self, page: Page, spec: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """The value a filter or sort looks at, and the condition object that applies."""
        if "timestamp" in spec:
            ts = spec["timestamp"]
            if ts not in ("created_time", "last_edited_time"):
                raise BadRequest("validation_error", f"unknown timestamp {ts!r}")
            return getattr(page, ts), spec.get(ts, {})
        ds = self.ws.data_sources[page.data_source_id]
        name = spec.get("property")
        prop = next((p for p in ds.properties.values() if name in (p.name, p.id)), None)
        if prop is None:
            raise BadRequest("validation_error",
                             f"Could not find property with name or id: {name}")
        value = page.values.get(prop.id)
        if prop.type == "date" and value:
            value = _parse_time(value)
        if prop.type == "checkbox":
            value = bool(value)
        return value, spec.get(prop.type, {})

    def _matches(self, page: Page, spec: dict[str, Any] | None) -> bool:
        if not spec:
            return True
        if "and" in spec:
            return all(self._matches(page, part) for part in spec["and"])
        if "or" in spec:
            return any(self._matches(page, part) for part in spec["or"])
        actual, condition = self._page_field(page, spec)
        if isinstance(actual, datetime) and isinstance(condition, dict):
            condition = {op: _parse_time(v) if op in DATE_OPERATORS else v
                         for op, v in condition.items()}
        return _compare(actual, condition)

    def query(self, request: Request) -> Response:
        ds = self.ws.data_sources.get(request.params["data_source_id"])
        if ds is None:
            raise BadRequest("object_not_found", "Could not find data source with ID: "
                             f"{request.params['data_source_id']}. Make sure the relevant pages and "
                             "databases are shared with your integration.", 404)
        body = self._body(request)
        in_trash = self._trash_wanted(body)
        result_type = body.get("result_type")
        if result_type not in (None, "page", "data_source"):
            raise BadRequest("validation_error", 'body.result_type should be "page" or "data_source".')
        archived = body.get("is_archived", False)
        if not isinstance(archived, bool):
            raise BadRequest("validation_error", "body.is_archived should be a boolean.")
        # the archive partition is chosen before filters and sorts apply
        pages = [p for p in self.ws.pages.values()
                 if p.data_source_id == ds.id and p.shared and p.in_trash == in_trash
                 and p.is_archived == archived and self._matches(p, body.get("filter"))]
        sorts = body.get("sorts") or [{"timestamp": "created_time", "direction": "descending"}]
        pages.sort(key=lambda p: p.id)
        for sort in reversed(sorts):
            pages.sort(key=lambda p, s=sort: (self._page_field(p, s)[0] is None,
                                              self._page_field(p, s)[0] or 0),
                       reverse=sort.get("direction") == "descending")
        # a wiki lists its child data sources among its rows unless asked for pages only
        children = ([self.ws.data_sources[c] for c in ds.children]
                    if result_type != "page" and not archived else [])
        items: list[Any] = children + ([] if result_type == "data_source" else pages)
        capped = len(items) > self.modes.query_cap
        items = items[:self.modes.query_cap]
        chunk, next_cursor = self._paginate(items, body, key=lambda item: item.id)
        wanted = self._filter_properties(request)
        legacy = self._legacy(request)
        results = [self._page_object(item, request, wanted) if isinstance(item, Page)
                   else render.data_source_object(self.ws, item, legacy_archived=legacy,
                                                  title_only=self._future(request))
                   for item in chunk]
        return Response(200, render.listing(results, next_cursor, "page_or_data_source",
                                            capped=capped))

    @staticmethod
    def _filter_properties(request: Request) -> list[str]:
        """``filter_properties`` ids from the query string (repeated, with or without ``[]``)."""
        return request.query.get("filter_properties", []) + request.query.get("filter_properties[]", [])

    def _trash_wanted(self, body: dict[str, Any]) -> bool:
        """Whether a query asks for trashed pages, as the current ``modes.in_trash`` reads it."""
        self.modes.check()
        field = next((f for f in ("in_trash", "archived") if f in body), None)
        if field is None:
            return False
        if self.modes.in_trash == "reject":
            raise BadRequest("validation_error", f"body failed validation: body.{field} should be "
                             "not present, instead was `" + str(body[field]).lower() + "`.")
        return self.modes.in_trash == "honour" and bool(body[field])

    def _page_object(self, page: Page, request: Request, filter_properties: list[str] | None = None,
                     single: bool = False) -> dict[str, Any]:
        """A page as the API renders it, limited to ``filter_properties`` (ids) when given.

        In a list (not ``single``) under 2026-12-01, no ``filter_properties`` means the title only.
        """
        future = self._future(request)
        obj = render.page_object(self.ws, page, self.modes.relation_has_more,
                                 legacy_archived=self._legacy(request), null_names=future)
        if not filter_properties and future and not single:
            obj["properties"] = {name: value for name, value in obj["properties"].items()
                                 if value["type"] == "title"}
        if filter_properties:
            # a query string is decoded once, so an id arrives decoded or (encoded by the
            # client's URL library) as returned; either names the property
            wanted = set(filter_properties) | {unquote(pid) for pid in filter_properties}
            obj["properties"] = {name: value for name, value in obj["properties"].items()
                                 if value["id"] in wanted or unquote(value["id"]) in wanted}
        return obj

    # single objects --------------------------------------------------------------------------
    def get_data_source(self, request: Request) -> Response:
        ds = self.ws.data_sources.get(request.params["data_source_id"])
        if ds is None:
            raise BadRequest("object_not_found", "Could not find data source.", 404)
        return Response(200, render.data_source_object(self.ws, ds,
                                                       legacy_archived=self._legacy(request)))

    def _visible_page(self, page_id: str) -> Page:
        """A page the integration can see (trashed ones included, as Notion returns them)."""
        page = self.ws.pages.get(page_id)
        if page is None or not page.shared:
            raise BadRequest("object_not_found", f"Could not find page with ID: {page_id}. Make "
                             "sure the relevant pages and databases are shared with your "
                             "integration.", 404)
        return page

    def get_page(self, request: Request) -> Response:
        page = self._visible_page(request.params["page_id"])
        return Response(200, self._page_object(page, request, self._filter_properties(request),
                                               single=True))

    def _property(self, page: Page, path_id: str) -> Property:
        """The property named in a path: the path was decoded once; ids are stored encoded."""
        ds = self.ws.data_sources[page.data_source_id]
        prop = next((p for p in ds.properties.values() if unquote(p.id) == path_id), None)
        if prop is None:
            raise BadRequest("object_not_found", f"Could not find property with ID: {path_id}.", 404)
        return prop

    def get_property(self, request: Request) -> Response:
        page = self._visible_page(request.params["page_id"])
        prop = self._property(page, request.params["property_id"])
        if prop.type in ("relation", "people", "rollup"):
            return self._property_list(request, page, prop)
        item = render.property_value(self.ws, page, prop)
        item.pop("has_more", None)
        if prop.type == "formula":  # the endpoint computes over every reference
            item["formula"] = render.computed(self.ws, page, prop, None)
        return Response(200, {"object": "property_item", **item})

    def _property_list(self, request: Request, page: Page, prop: Property) -> Response:
        """A paginated list of property items (7.6 of the API facts).

        relation/people: one item per reference. A rollup with ``show_original`` lists the target
        property's values (flattened, one item each) and says ``{type: array, array: []}``; other
        rollups list the relation's references and only the last page carries the value (earlier
        pages say ``incomplete``); functions the endpoint does not compute say ``unsupported``.
        """
        if prop.type == "rollup" and prop.config["function"] == "show_original":
            items = [{"object": "property_item", "id": prop.config["property"], **value}
                     for value in render.target_values(self.ws, page, prop, None)]
        else:
            refs = list(page.values.get(prop.config["relation"] if prop.type == "rollup"
                                        else prop.id) or [])
            kind = "people" if prop.type == "people" else "relation"
            null_names = self._future(request)
            items = [{"object": "property_item", "id": prop.id, "type": kind,
                      kind: render.user(self.ws, ref, null_names) if kind == "people" else {"id": ref}}
                     for ref in refs]
        body = {"page_size": self._page_size(request), "start_cursor": request.arg("start_cursor")}
        # cursors are opaque: a position in the list (rollup values repeat, so no id would do)
        chunk, next_cursor = self._paginate(list(enumerate(items)), body, key=lambda t: str(t[0]))
        summary: dict[str, Any] = {
            "type": prop.type, "id": prop.id, prop.type: {},
            "next_url": (f"/v1/pages/{page.id}/properties/{prop.id}?start_cursor={next_cursor}"
                         if next_cursor else None)}
        if prop.type == "rollup":
            summary["rollup"] = self._rollup_summary(page, prop, last=next_cursor is None)
        return Response(200, render.listing([item for _, item in chunk], next_cursor,
                                            "property_item", summary))

    def _rollup_summary(self, page: Page, prop: Property, last: bool) -> dict[str, Any]:
        function = prop.config["function"]
        if function == "show_original":
            return {"type": "array", "array": [], "function": function}
        if function in UNSUPPORTED_ROLLUPS:
            return {"type": "unsupported", "unsupported": {}, "function": function}
        if not last:
            return {"type": "incomplete", "incomplete": {}, "function": function}
        return render.computed(self.ws, page, prop, None)

    def _page_size(self, request: Request) -> int:
        try:
            return int(request.arg("page_size", str(MAX_PAGE_SIZE)))
        except ValueError:
            raise BadRequest("validation_error", "page_size should be a number.") from None


def create_app(profile: str, seed: int, clock: Clock, scale: int = 1) -> NotionApp:
    """The Notion stand-in with a seeded workspace (``scale`` times the profile's days of
    history) and an integration token."""
    workspace = Workspace(profile, seed, clock, scale)
    return NotionApp(workspace, token=f"ntn_sandbox_{seed:04d}_{uuid.UUID(int=seed).hex[:16]}")
