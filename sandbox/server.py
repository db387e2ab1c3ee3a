"""The HTTP plumbing shared by every stand-in: routing, counters, faults, a threaded server.

Each API is an ``App`` with its own routes, error shape and limits; ``AppServer`` serves
one app on its own loopback origin, as the real APIs each have their own origin.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

try:  # dlt's own dependency: encodes a page of records several times faster than json
    import orjson
except ImportError:  # pragma: no cover - the standard library does the same, slower
    orjson = None

from sandbox.faults import FaultPlan
from sandbox.faults import control as faults_control
from sandbox.ratelimit import SlidingWindowLimit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # path parameters from the route

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body as JSON; raises ``ValueError`` when it is not valid JSON."""
        if orjson is not None:
            try:
                return orjson.loads(self.body or b"{}")
            except ValueError:  # json decides (it reads NaN, UTF-16, huge integers)
                pass
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as-is (malformed-JSON faults, HTML pages)

    def encoded(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        if orjson is not None:
            try:
                return orjson.dumps(self.body, option=orjson.OPT_NON_STR_KEYS)
            except TypeError:  # what orjson refuses (a huge integer) json still writes
                pass
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]
CONTROL_PATH = "/_sandbox/faults"  # GET shows, POST injects ({"kind", "count", ...}), DELETE clears


class App:
    """Base class for an API stand-in: subclasses add routes and their error shape."""

    name = "app"
    # settings that let a client go as fast as it can once the rate limits are off
    unlimited_env: dict[str, str] = {}

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], str, Handler]] = []
        self.counts: Counter[str] = Counter()
        self.faults = FaultPlan()
        self.lock = threading.RLock()  # guards the app's data against concurrent requests
        # After a 429 with Retry-After, requests before that time are refused again and
        # counted, so tests can check a client honours Retry-After without timing anything.
        self.retry_after_until = 0.0
        self.early_retries = 0

    def set_rate_limits(self, enabled: bool) -> None:
        """Switch every published rate limit of this app on or off."""
        for value in vars(self).values():
            if isinstance(value, SlidingWindowLimit):
                value.enabled = enabled

    def clear_rate_windows(self) -> None:
        """Forget the requests every rate limit of this app has counted (as if a window had
        passed since): a measurement repeated at once starts from a fresh window."""
        for value in vars(self).values():
            if isinstance(value, SlidingWindowLimit):
                value.clear()

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` on a path pattern with ``{name}`` parameters."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+?)", pattern) + "$")
        self.routes.append((method, regex, f"{method} {pattern}", handler))

    def error(self, status: int, code: str, message: str) -> Response:
        """A response in this API's error shape; subclasses override."""
        return Response(status, {"error": {"code": status, "status": code, "message": message}})

    def rate_limited(self, retry_after: int | None) -> Response:
        response = self.error(429, "rate_limited", "Too many requests.")
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def before(self, request: Request, endpoint: str) -> Response | None:
        """Auth and limit checks run before the handler; return a response to stop."""
        return None

    def dispatch(self, request: Request) -> Response | None:
        """Route a request; ``None`` means drop the connection without answering."""
        path = request.path
        if path == CONTROL_PATH:  # fault control, so a failure can be reproduced by hand
            try:
                body = request.json() if request.body else {}
            except ValueError:
                return Response(400, {"error": "the body is not JSON"})
            status, answer = faults_control(self.faults, request.method, body)
            return Response(status, answer)
        for method, regex, endpoint, handler in self.routes:
            match = regex.match(path)
            if not match:
                continue
            if method != request.method:
                continue
            self.counts[endpoint] += 1
            if time.monotonic() < self.retry_after_until:
                self.early_retries += 1
                return self.rate_limited(max(1, round(self.retry_after_until - time.monotonic())))
            fault = self.faults.take(path)
            if fault is not None:
                if fault.kind == "drop":
                    return None
                if fault.kind == "rate_limit":
                    if fault.retry_after:
                        self.retry_after_until = time.monotonic() + fault.retry_after
                    return self.rate_limited(fault.retry_after)
                if fault.kind == "server_error":
                    return self.error(fault.status, "internal_server_error", "Transient failure.")
                if fault.kind == "malformed":
                    return Response(200, raw=b'{"object": "list", "results": [')
                if fault.kind == "slow":
                    time.sleep(fault.seconds)
            request.params = {k: unquote(v) for k, v in match.groupdict().items()}
            stop = self.before(request, endpoint)
            if stop is not None:
                return stop
            with self.lock:
                return handler(request)
        self.counts[f"{request.method} (unknown)"] += 1
        return self.error(404, "not_found", f"No route for {request.method} {path}.")

    def requests_to(self, endpoint_prefix: str = "") -> int:
        """How many requests reached endpoints whose label starts with the prefix."""
        return sum(n for label, n in self.counts.items() if label.startswith(endpoint_prefix)
                   or label.split(" ", 1)[-1].startswith(endpoint_prefix))

    def reset_counts(self) -> None:
        self.counts.clear()


class _Handler(BaseHTTPRequestHandler):
    server: _AppHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small JSON replies would otherwise wait ~40 ms each

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read counters
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        response = self.server.app.dispatch(request)
        if response is None:
            self.close_connection = True
            self.connection.close()
            return
        payload = response.encoded()
        self.send_response(response.status)
        content_type = "application/json" if response.raw is None else "text/plain"
        headers = {"Content-Type": content_type, **response.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve


class _AppHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.app = app


# How often the serving thread checks for stop(): the standard library's 0.5 s made stopping a
# sandbox of four stand-ins take up to two seconds of idle waiting (the tests stop hundreds).
# Shorter polls cost idle CPU (about 1 ms a second per stand-in at 0.1 s).
SHUTDOWN_POLL_SECONDS = 0.1


class AppServer:
    """Serves one app on 127.0.0.1 in a background thread."""

    def __init__(self, app: App, port: int = 0):
        self.app = app
        self.httpd = _AppHTTPServer(app, port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(SHUTDOWN_POLL_SECONDS,),
                                       name=f"sandbox-{app.name}", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AppServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
