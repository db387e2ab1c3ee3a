"""Notion API 2025-09-03 over HTTP: auth and version checks, 3 req/s, filters, sorts, cursors."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any

from sandbox.clock import Clock
from sandbox.notion import render
from sandbox.notion.workspace import Page, Workspace
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

    def __init__(self, workspace: Workspace, token: str):
        super().__init__()
        self.ws = workspace
        self.token = token
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
                    found.append((page.last_edited_time, page.id, render.page_object(self.ws, page)))
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
        in_trash = bool(body.get("in_trash") or body.get("archived"))
        pages = [p for p in self.ws.pages.values()
                 if p.data_source_id == ds.id and p.in_trash == in_trash
                 and self._matches(p, body.get("filter"))]
        sorts = body.get("sorts") or [{"timestamp": "created_time", "direction": "descending"}]
        pages.sort(key=lambda p: p.id)
        for sort in reversed(sorts):
            pages.sort(key=lambda p, s=sort: (self._page_field(p, s)[0] is None,
                                              self._page_field(p, s)[0] or 0),
                       reverse=sort.get("direction") == "descending")
        chunk, next_cursor = self._paginate(pages, body, key=lambda p: p.id)
        wanted = set(request.query.get("filter_properties", []))
        results = []
        for page in chunk:
            obj = render.page_object(self.ws, page)
            if wanted:
                obj["properties"] = {k: v for k, v in obj["properties"].items() if v["id"] in wanted}
            results.append(obj)
        return Response(200, render.listing(results, next_cursor, "page_or_data_source"))

    # single objects --------------------------------------------------------------------------
    def get_data_source(self, request: Request) -> Response:
        ds = self.ws.data_sources.get(request.params["data_source_id"])
        if ds is None:
            raise BadRequest("object_not_found", "Could not find data source.", 404)
        return Response(200, render.data_source_object(self.ws, ds))

    def _live_page(self, page_id: str) -> Page:
        page = self.ws.pages.get(page_id)
        if page is None:
            raise BadRequest("object_not_found", f"Could not find page with ID: {page_id}.", 404)
        return page

    def get_page(self, request: Request) -> Response:
        return Response(200, render.page_object(self.ws, self._live_page(request.params["page_id"])))

    def get_property(self, request: Request) -> Response:
        page = self._live_page(request.params["page_id"])
        ds = self.ws.data_sources[page.data_source_id]
        prop = ds.properties.get(request.params["property_id"])
        if prop is None:
            raise BadRequest("object_not_found", "Could not find property.", 404)
        if prop.type != "relation":
            item = render.property_value(self.ws, page, prop)
            item.pop("has_more", None)
            return Response(200, {"object": "property_item", **item})
        items = [{"object": "property_item", "id": prop.id, "type": "relation",
                  "relation": {"id": pid}} for pid in page.values.get(prop.id) or []]
        body = {"page_size": int(request.arg("page_size", str(MAX_PAGE_SIZE))),
                "start_cursor": request.arg("start_cursor")}
        chunk, next_cursor = self._paginate(items, body, key=lambda item: item["relation"]["id"])
        return Response(200, render.listing(chunk, next_cursor, "property_item", {
            "type": "relation", "relation": {}, "id": prop.id,
            "next_url": (f"/v1/pages/{page.id}/properties/{prop.id}?start_cursor={next_cursor}"
                         if next_cursor else None)}))


def create_app(profile: str, seed: int, clock: Clock) -> NotionApp:
    """The Notion stand-in with a seeded workspace and an integration token."""
    workspace = Workspace(profile, seed, clock)
    return NotionApp(workspace, token=f"ntn_sandbox_{seed:04d}_{uuid.UUID(int=seed).hex[:16]}")
