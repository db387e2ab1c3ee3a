"""Notion API 2025-09-03 over HTTP: auth and version checks, 3 req/s, filters, sorts, cursors.

Property ids are handed out URL-encoded, as Notion does; a path is decoded once and compared with
the decoded id, so an id encoded a second time by the client is not found (404).
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sandbox.clock import Clock
from sandbox.notion import render
from sandbox.notion.modes import NotionModes
from sandbox.notion.workspace import Page, Property, Workspace
from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import App, Request, Response

SUPPORTED_VERSIONS = ("2025-09-03", "2026-03-11")
MAX_PAGE_SIZE = 100
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
    unlimited_env = {"SOURCES__NOTION__REQUESTS_PER_SECOND": "200"}

    def __init__(self, workspace: Workspace, token: str):
        super().__init__()
        self.ws = workspace
        self.token = token
        self.modes = NotionModes()
        self.limit = SlidingWindowLimit(30, 10.0)  # an average of 3 requests/s, bursts allowed
        self.route("POST", "/v1/search", self.search)
        self.route("POST", "/v1/data_sources/{data_source_id}/query", self.query)
        self.route("GET", "/v1/data_sources/{data_source_id}", self.get_data_source)
        self.route("GET", "/v1/pages/{page_id}", self.get_page)
        self.route("GET", "/v1/pages/{page_id}/properties/{property_id}", self.get_property)

    # plumbing ---------------------------------------------------------------------------
    def env(self, url: str) -> dict[str, str]:
        return {"SOURCES__NOTION__BASE_URL": url, "SOURCES__NOTION__API_KEY": self.token}

    def error(self, status: int, code: str, message: str) -> Response:
        return Response(status, {"object": "error", "status": status, "code": code,
                                 "message": message, "request_id": str(uuid.uuid4())})

    def rate_limited(self, retry_after: int | None) -> Response:
        response = self.error(429, "rate_limited",
                              "You have been rate limited. Please try again in a few minutes.")
        response.body["additional_data"] = {"rate_limit_reason": "connection_rate_limit"}
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def before(self, request: Request, endpoint: str) -> Response | None:
        auth = request.header("authorization") or ""
        if auth != f"Bearer {self.token}":
            return self.error(401, "unauthorized", "API token is invalid.")
        version = request.header("notion-version")
        if not version:
            return self.error(400, "missing_version", "Notion-Version header failed validation: "
                              "Notion-Version header should be defined, instead was `undefined`.")
        if version not in SUPPORTED_VERSIONS:
            return self.error(400, "validation_error",
                              f"Notion-Version {version} does not serve data sources.")
        wait = self.limit.hit()
        if wait is not None:
            return self.rate_limited(math.ceil(wait))
        return None

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
        if wanted in (None, "data_source"):
            for ds in self.ws.data_sources.values():
                if text in ds.title.lower():
                    found.append((ds.last_edited_time, ds.id, render.data_source_object(self.ws, ds)))
        if wanted in (None, "page"):
            for page in self.ws.live_pages():
                title = self.ws.pages[page.id].values.get("title") or ""
                if text in str(title).lower():
                    found.append((page.last_edited_time, page.id, self._page_object(page)))
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
        pages = [p for p in self.ws.pages.values()
                 if p.data_source_id == ds.id and p.shared and p.in_trash == in_trash
                 and self._matches(p, body.get("filter"))]
        sorts = body.get("sorts") or [{"timestamp": "created_time", "direction": "descending"}]
        pages.sort(key=lambda p: p.id)
        for sort in reversed(sorts):
            pages.sort(key=lambda p, s=sort: (self._page_field(p, s)[0] is None,
                                              self._page_field(p, s)[0] or 0),
                       reverse=sort.get("direction") == "descending")
        chunk, next_cursor = self._paginate(pages, body, key=lambda p: p.id)
        wanted = request.query.get("filter_properties", [])
        results = [self._page_object(page, wanted) for page in chunk]
        return Response(200, render.listing(results, next_cursor, "page_or_data_source"))

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

    def _page_object(self, page: Page, filter_properties: list[str] | None = None) -> dict[str, Any]:
        """A page as the API renders it, limited to ``filter_properties`` (ids) when given."""
        obj = render.page_object(self.ws, page, self.modes.relation_has_more)
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
        return Response(200, render.data_source_object(self.ws, ds))

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
        return Response(200, self._page_object(page, request.query.get("filter_properties", [])))

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
        """A paginated list of property items: relation/people refs, or a rollup's relation refs.

        A rollup's value in ``property_item.rollup`` covers the references returned so far, so
        only the last page (``has_more: false``) carries the whole value.
        """
        refs_of = prop.config["relation"] if prop.type == "rollup" else prop.id
        refs = list(page.values.get(refs_of) or [])
        kind = "people" if prop.type == "people" else "relation"
        items = [{"object": "property_item", "id": prop.id, "type": kind,
                  kind: render.user(self.ws, ref) if kind == "people" else {"id": ref}}
                 for ref in refs]
        body = {"page_size": self._page_size(request), "start_cursor": request.arg("start_cursor")}
        chunk, next_cursor = self._paginate(items, body, key=lambda item: item[kind]["id"])
        summary: dict[str, Any] = {
            "type": prop.type, "id": prop.id, prop.type: {},
            "next_url": (f"/v1/pages/{page.id}/properties/{prop.id}?start_cursor={next_cursor}"
                         if next_cursor else None)}
        if prop.type == "rollup":
            seen = refs.index(chunk[-1][kind]["id"]) + 1 if chunk else 0
            partial = {**page.values, prop.config["relation"]: refs[:seen]}
            summary["rollup"] = render.computed(
                self.ws, Page(page.id, page.data_source_id, page.created_time,
                              page.last_edited_time, partial), prop, None)
        return Response(200, render.listing(chunk, next_cursor, "property_item", summary))

    def _page_size(self, request: Request) -> int:
        try:
            return int(request.arg("page_size", str(MAX_PAGE_SIZE)))
        except ValueError:
            raise BadRequest("validation_error", "page_size should be a number.") from None


def create_app(profile: str, seed: int, clock: Clock) -> NotionApp:
    """The Notion stand-in with a seeded workspace and an integration token."""
    workspace = Workspace(profile, seed, clock)
    return NotionApp(workspace, token=f"ntn_sandbox_{seed:04d}_{uuid.UUID(int=seed).hex[:16]}")
