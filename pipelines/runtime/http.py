"""One HTTP stack for every source: pacing under published limits, retries, dlt's REST client.

``PacedSession`` is a requests ``Session`` that paces every request below the API's limit
(instead of collecting 429s), retries 429, 5xx, dropped connections and malformed JSON with
backoff, honours ``Retry-After`` in full (up to a ceiling) and counts requests per API.
``ApiClient`` is dlt's ``RESTClient`` on such a session, so paging is dlt's paginators and
errors are the project's own, with a message a person can act on.
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import functools
import logging
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from dlt.common import json as dlt_json
from dlt.common.configuration.specs.runtime_configuration import RuntimeConfiguration
from dlt.common.jsonpath import JSONPath, TJsonPath, compile_path
from dlt.sources.helpers.rest_client.client import PageData, RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator, JSONResponseCursorPaginator
from requests.auth import AuthBase
from requests.hooks import dispatch_hook

from pipelines.runtime.errors import ConfigurationError, PipelineError
from pipelines.runtime.stall import stall_watch

log = logging.getLogger("prp.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
_COUNTING = threading.Lock()  # request and retry counts, from any thread


@dataclass(frozen=True)
class RetryCap:
    retries: int
    wait_seconds: float
    timeout_seconds: float


# set by ``quick_answers``: a check a person waits on retries little, a run retries fully
_RETRY_CAP: contextvars.ContextVar[RetryCap | None] = contextvars.ContextVar("retry_cap", default=None)


@contextlib.contextmanager
def quick_answers(retries: int = 2, wait_seconds: float = 5.0,
                  timeout_seconds: float = 20.0) -> Iterator[None]:
    """Requests in this block retry at most ``retries`` times, wait at most ``wait_seconds``
    between tries and ``timeout_seconds`` for an answer (``prp doctor``: an API that is down
    is said in seconds, not minutes)."""
    token = _RETRY_CAP.set(RetryCap(retries, wait_seconds, timeout_seconds))
    try:
        yield
    finally:
        _RETRY_CAP.reset(token)


class ApiError(PipelineError):
    """A request that failed for good (after retries, or a non-retryable status)."""

    def __init__(self, api: str, method: str, path: str, status: int | None, detail: str):
        self.status = status
        super().__init__(f"{api}: {method} {path} failed ({status or 'no response'}): {detail}")


class AuthError(ApiError, ConfigurationError):
    """401/403: the credential is wrong, expired or lacks a scope (exit code 2)."""

    exit_code = 2


@dataclass
class RunMetrics:
    """Requests, retries and warnings of one run, per API (read by the run summary).

    One per run, in the run's context (``pipelines.runtime.context``), handed to each session.
    """

    requests: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)  # what a run skipped, for its summary

    def warn(self, logger: logging.Logger, message: str) -> None:
        """Log ``message`` as a warning and keep it for the run summary."""
        logger.warning(message)
        self.warnings.append(message)


class Pacer:
    """Token bucket: at most ``rate`` requests per second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic):
        if rate <= 0:
            raise ConfigurationError(f"request rate must be positive, got {rate}")
        self.rate = rate
        self.capacity = max(1, burst)
        self.tokens = float(self.capacity)
        self.clock = clock
        self.updated = clock()
        self.blocked_until = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until one request may be sent."""
        with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                delay = max(self.blocked_until - now, (1 - self.tokens) / self.rate, 0.0)
                if delay <= 0:
                    self.tokens -= 1
                    return
                time.sleep(delay)

    def hold(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (an API asked us to back off)."""
        with self.lock:
            self.blocked_until = max(self.blocked_until, self.clock() + seconds)
            self.tokens = 0.0


class WindowPacer:
    """At most ``limit`` requests in any ``window`` seconds: the APIs' own rule, mirrored.

    A token bucket that is safe under a sliding window must spread its requests evenly, so
    the work done between requests adds to the waiting. Mirroring the window instead sends
    up to ``limit`` requests as fast as the work allows, then waits for the oldest to leave
    the window: the work overlaps the wait. Each request is counted as leaving the window a
    little late (2 % plus 0.1 s) so that network latency and clock reads never let one land
    inside the API's window.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] | None = None):
        if limit < 1 or window <= 0:
            raise ConfigurationError(f"request limit must be at least 1 per window, got {limit} "
                                     f"per {window}s")
        self.limit = int(limit)
        self.window = _with_margin(window)
        self.ceiling: int | None = None  # set by ``slow_to``: no API header raises it again
        self.clock = clock
        self.expiries: deque[float] = deque()  # when each request sent leaves the window
        self.blocked_until = 0.0
        self.lock = threading.Lock()

    def _now(self) -> float:
        return self.clock() if self.clock else time.monotonic()

    def wait(self) -> None:
        """Block until one request may be sent."""
        with self.lock:
            while True:
                now = self._now()
                while self.expiries and self.expiries[0] <= now + 1e-6:  # float sums may fall short
                    self.expiries.popleft()
                full = self.expiries[0] - now if len(self.expiries) >= self.limit else 0.0
                delay = max(self.blocked_until - now, full, 0.0)
                if delay <= 1e-6:
                    self.expiries.append(now + self.window)
                    return
                time.sleep(delay)

    def hold(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (an API asked us to back off)."""
        with self.lock:
            self.blocked_until = max(self.blocked_until, self._now() + seconds)

    def slow_to(self, limit: int) -> None:
        """Send at most ``limit`` requests per window from now on (an API asked for less)."""
        with self.lock:
            self.limit = max(1, min(self.limit, int(limit)))
            self.ceiling = self.limit

    def adopt(self, limit: int, window: float) -> None:
        """Use the budget the API states for itself (its rate-limit headers), up or down.

        The headers are the account's own limit (a tier set too low in the configuration is
        raised, one set too high is lowered); a budget ``slow_to`` lowered stays lowered.
        """
        if limit < 1 or window <= 0:
            return
        with self.lock:
            self.limit = min(int(limit), self.ceiling or int(limit))
            self.window = _with_margin(window)

    def observe_used(self, used: int) -> None:
        """Take the API's count of requests in its window into account (from its headers).

        When the API counts more than we sent (an earlier run's requests, another app's), the
        difference is counted as sent now: when those leave the API's window is unknown, so
        they are assumed to stay a whole window.
        """
        with self.lock:
            now = self._now()
            ours = sum(1 for expiry in self.expiries if expiry > now)
            self.expiries.extend([now + self.window] * max(0, used - ours))


def _with_margin(window: float) -> float:
    """How long a request is counted in a ``window``-second window: a little longer (2 % plus
    0.1 s), so that latency and clock reads never let one land inside the API's window."""
    return window * 1.02 + 0.1


@dataclass(frozen=True)
class StatedWindow:
    """An API's rate-limit headers: ``limit`` requests per ``window`` seconds, ``remaining``."""

    limit: int
    window: float
    remaining: int


def window_pacer(requests_per_second: float, window: float) -> WindowPacer:
    """A ``WindowPacer`` for an average rate over a window (``3`` over ``10`` s: 30 per 10 s)."""
    if requests_per_second <= 0:
        raise ConfigurationError(f"request rate must be positive, got {requests_per_second}")
    return WindowPacer(max(1, int(requests_per_second * window)), window)


def retry_after_seconds(response: requests.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class PacedSession(requests.Session):
    """A session that paces, retries and counts every request it sends (dlt has no pacer)."""

    def __init__(
        self,
        api: str,
        *,
        requests_per_second: float = 5.0,
        burst: int = 1,
        max_retries: int = 8,
        backoff_base: float = 0.5,
        backoff_max: float = 60.0,
        retry_after_max: float = 900.0,
        timeout: float = 60.0,
        retry_hint: Callable[[requests.Response], float | None] | None = None,
        pace_hint: Callable[[requests.Response], float | None] | None = None,
        window_hint: Callable[[requests.Response], StatedWindow | None] | None = None,
        pacer: Pacer | WindowPacer | None = None,
        retry_window: float = 0.0,
        metrics: RunMetrics | None = None,
        final: Callable[[requests.Response], bool] | None = None,
    ):
        super().__init__()
        self.api = api
        # the run's metrics (its context's); a session outside a run counts for itself
        self.metrics = metrics if metrics is not None else RunMetrics()
        self.pacer = pacer or Pacer(requests_per_second, burst)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.timeout = timeout
        self.retry_hint = retry_hint
        self.pace_hint = pace_hint
        self.window_hint = window_hint  # the API's budget and what is left of it, from its headers
        # the API's own rate window: a retry sooner than that lands in the same window and
        # is refused again, so no wait is ever shorter
        self.retry_window = retry_window
        # a response of a retryable status that retrying cannot help (an API's block): returned
        self.final = final

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send with pacing and retries; response hooks see only the final answer."""
        hooks, request.hooks = request.hooks, {"response": []}
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        cap = _RETRY_CAP.get()
        if cap is not None and isinstance(kwargs["timeout"], int | float):
            kwargs["timeout"] = min(kwargs["timeout"], cap.timeout_seconds)
        try:
            response = self._send_with_retries(request, **kwargs)
        finally:
            request.hooks = hooks
        return dispatch_hook("response", hooks, response, **kwargs)

    def _send_with_retries(self, request: requests.PreparedRequest, **kwargs: Any
                           ) -> requests.Response:
        path = urlsplit(request.url or "").path
        last_problem = "no attempt made"
        response: requests.Response | None = None
        cap = _RETRY_CAP.get()
        max_retries = self.max_retries if cap is None else min(self.max_retries, cap.retries)
        for attempt in range(max_retries + 1):
            self.pacer.wait()
            with _COUNTING:  # sessions are shared by threads that read ahead (prefetch)
                self.metrics.requests[self.api] += 1
            response = None
            timeout = kwargs["timeout"] if isinstance(kwargs["timeout"], int | float) else None
            try:
                # a slow answer is reported while it is awaited, not after a silent minute
                with stall_watch.waiting(f"{self.api}: {request.method} {path}", timeout):
                    response = super().send(request, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"connection problem ({type(exc).__name__})"
            else:
                self._apply_pace_hint(response)
                if response.status_code in RETRY_STATUSES and not (
                        self.final is not None and self.final(response)):
                    last_problem = f"HTTP {response.status_code}"
                elif response.status_code < 300 and not _json_parses(response):
                    last_problem = "malformed JSON in the response"
                else:
                    return response
            if attempt == max_retries:
                break
            delay = self._wait_for_retry(response, attempt)
            if cap is not None:
                delay = min(delay, cap.wait_seconds)
            with _COUNTING:
                self.metrics.retries[self.api] += 1
            log.info("%s: %s %s: %s, retrying in %.1fs (attempt %d of %d)", self.api,
                     request.method, path, last_problem, delay, attempt + 1, max_retries)
            self.pacer.hold(delay)
        raise ApiError(self.api, request.method or "?", path,
                       response.status_code if response is not None else None,
                       f"gave up after {max_retries} retries: {last_problem}")

    def _apply_pace_hint(self, response: requests.Response) -> None:
        if self.window_hint is not None and isinstance(self.pacer, WindowPacer):
            stated = self.window_hint(response)
            if stated is not None:
                self.pacer.adopt(stated.limit, stated.window)
                self.pacer.observe_used(stated.limit - stated.remaining)
        if self.pace_hint is not None:
            pause = self.pace_hint(response)
            if pause:
                self.pacer.hold(pause)

    def _backoff(self, attempt: int) -> float:
        delay = self.backoff_base * 2**attempt
        # jitter so retries do not stampede; it only adds, so no wait is below the schedule
        return min(self.backoff_max, delay * (1 + random.random() / 2))

    def _wait_for_retry(self, response: requests.Response | None, attempt: int) -> float:
        """Seconds to wait before retry ``attempt`` (0-based): never less than the API's window."""
        return max(self.retry_window, self._hinted_or_backoff(response, attempt))

    def _hinted_or_backoff(self, response: requests.Response | None, attempt: int) -> float:
        hinted = None
        if response is not None:
            hinted = retry_after_seconds(response)
            if hinted is None and self.retry_hint is not None:
                hinted = self.retry_hint(response)
        if hinted is None:
            return self._backoff(attempt)
        if hinted > self.retry_after_max:
            log.warning("%s: the API asked to wait %.0fs (Retry-After); waiting the %.0fs "
                        "ceiling instead", self.api, hinted, self.retry_after_max)
            return self.retry_after_max
        if hinted > self.backoff_max:
            log.warning("%s: the API asked to wait %.0fs (Retry-After); waiting that long",
                        self.api, hinted)
        return hinted


def _json_parses(response: requests.Response) -> bool:
    """Parse a 2xx body once; dlt's client and paginators then reuse the parsed value.

    dlt's JSON module (orjson) parses a page of records about twice as fast as requests' own;
    what it refuses (not UTF-8, ``NaN``) goes to requests' parser, which decides.
    """
    if not response.content:
        return True
    try:
        parsed = dlt_json.loadb(response.content)
    except ValueError:
        try:
            parsed = response.json()
        except ValueError:
            return False
    response.json = lambda **_: parsed  # type: ignore[method-assign]
    return True


@functools.cache
def json_path(expression: str) -> JSONPath:
    """``expression`` compiled once per process.

    dlt compiles a JSON path given as text each time it uses it (every page it reads, every
    paginator made), at about a millisecond each; a compiled path it uses as it is.
    """
    return compile_path(expression)


def _compiled(path: TJsonPath | None) -> JSONPath | None:
    return json_path(path) if isinstance(path, str) else path


def cursor_paginator(cursor_path: str, *, has_more_path: str | None = None,
                     **options: Any) -> JSONResponseCursorPaginator:
    """dlt's ``JSONResponseCursorPaginator`` with its paths compiled once (``json_path``)."""
    return JSONResponseCursorPaginator(cursor_path=json_path(cursor_path),
                                       has_more_path=_compiled(has_more_path), **options)


class ApiClient(RESTClient):
    """dlt's REST client on a ``PacedSession``, raising the project's errors for 4xx/5xx."""

    def __init__(self, api: str, base_url: str, session: PacedSession, *,
                 headers: Mapping[str, str] | None = None, auth: AuthBase | None = None,
                 paginator: BasePaginator | None = None, data_selector: str | None = None):
        # dlt reads its runtime configuration only for the error hook it adds when a call brings
        # none; every call here brings the project's own, so it is not resolved (~15 ms each)
        super().__init__(base_url.rstrip("/"), headers=dict(headers or {}), auth=auth,
                         paginator=paginator, data_selector=_compiled(data_selector),
                         session=session, config=RuntimeConfiguration())
        self.api = api

    def _error_hook(self, ok_statuses: tuple[int, ...] = ()) -> Callable[..., None]:
        def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            if response.status_code >= 400 and response.status_code not in ok_statuses:
                raise_api_error(self.api, response)
        return check

    def paginate(self, path: str = "", method: Any = "GET", params: dict[str, Any] | None = None,
                 json: dict[str, Any] | None = None, paginator: BasePaginator | None = None,
                 data_selector: str | None = None, ok_statuses: tuple[int, ...] = (),
                 **kwargs: Any) -> Iterator[PageData[Any]]:
        """dlt's paginate, with errors raised as ``ApiError``/``AuthError``."""
        hooks = {"response": [self._error_hook(ok_statuses)]}
        yield from super().paginate(path, method=method, params=params, json=json,
                                    paginator=paginator, data_selector=_compiled(data_selector),
                                    hooks=hooks, **kwargs)

    def request_json(self, method: str, path: str, *, params: Any = None, json: Any = None,
                     data: Any = None, headers: Mapping[str, str] | None = None,
                     ok_statuses: tuple[int, ...] = ()) -> Any:
        """One request; its decoded JSON body (``None`` when empty)."""
        response = self.request(path, method=method, params=params, json=json, data=data,
                                headers=dict(headers or {}) or None,
                                hooks={"response": [self._error_hook(ok_statuses)]})
        return response.json() if response.content else None


def raise_api_error(api: str, response: requests.Response) -> None:
    """Raise ``AuthError`` for 401/403, else ``ApiError``, with a secret-free detail."""
    request = response.request
    path = urlsplit(request.url or "").path if request is not None else "?"
    method = (request.method if request is not None else None) or "?"
    error_type = AuthError if response.status_code in (401, 403) else ApiError
    raise error_type(api, method, path, response.status_code, _error_detail(response))


def _error_detail(response: requests.Response) -> str:
    """A short, secret-free description of an error body (APIs echo no credentials)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err.get("status") or err)[:300]
        for key in ("message", "error_description", "error", "code"):
            if body.get(key):
                return str(body[key])[:300]
    return str(body)[:300]
