"""One HTTP client for every source: pacing under published limits, retries with backoff.

Sources pace themselves below each API's limit instead of collecting 429s, and still
retry 429, 5xx, dropped connections and malformed JSON with backoff, honouring
``Retry-After`` (or a source-specific hint such as HubSpot's rate-limit headers).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from pipelines.common.errors import ConfigurationError, PipelineError

log = logging.getLogger("prp.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})


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
    """Requests made and retries taken during one run, per API (read by the run summary)."""

    requests: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)

    def reset(self) -> None:
        self.requests.clear()
        self.retries.clear()


metrics = RunMetrics()


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


class ApiClient:
    """A paced, retrying JSON client for one API origin."""

    def __init__(
        self,
        api: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        requests_per_second: float = 5.0,
        burst: int = 1,
        max_retries: int = 8,
        backoff_base: float = 0.5,
        backoff_max: float = 60.0,
        timeout: float = 60.0,
        retry_hint: Callable[[requests.Response], float | None] | None = None,
        pace_hint: Callable[[requests.Response], float | None] | None = None,
        session: requests.Session | None = None,
    ):
        self.api = api
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.pacer = Pacer(requests_per_second, burst)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.timeout = timeout
        self.retry_hint = retry_hint
        self.pace_hint = pace_hint
        self.session = session or requests.Session()

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2**attempt)
        return delay * (0.5 + random.random() / 2)  # jitter so retries do not stampede

    def _wait_for_retry(self, response: requests.Response | None, attempt: int) -> float:
        hinted = None
        if response is not None:
            hinted = retry_after_seconds(response)
            if hinted is None and self.retry_hint is not None:
                hinted = self.retry_hint(response)
        return min(self.backoff_max, hinted) if hinted is not None else self._backoff(attempt)

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        ok_statuses: tuple[int, ...] = (),
    ) -> Any:
        """Send a request and return its decoded JSON body, retrying what is transient.

        ``ok_statuses`` lists extra non-2xx statuses the caller handles itself (e.g. 207).
        """
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        merged = {**self.headers, **(headers or {})}
        last_problem = "no attempt made"
        for attempt in range(self.max_retries + 1):
            self.pacer.wait()
            metrics.requests[self.api] += 1
            response = None
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=data,
                    headers=merged, timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"connection problem ({type(exc).__name__})"
            else:
                if self.pace_hint is not None:
                    pause = self.pace_hint(response)
                    if pause:
                        self.pacer.hold(pause)
                if response.status_code < 300 or response.status_code in ok_statuses:
                    try:
                        return response.json() if response.content else None
                    except (ValueError, json.JSONDecodeError):
                        last_problem = "malformed JSON in the response"
                elif response.status_code in RETRY_STATUSES:
                    last_problem = f"HTTP {response.status_code}"
                else:
                    self._raise_for(method, path, response)
            if attempt == self.max_retries:
                break
            delay = self._wait_for_retry(response, attempt)
            metrics.retries[self.api] += 1
            log.info("%s: %s %s: %s, retrying in %.1fs (attempt %d of %d)",
                     self.api, method, path, last_problem, delay, attempt + 1, self.max_retries)
            self.pacer.hold(delay)
        raise ApiError(self.api, method, path, response.status_code if response is not None else None,
                       f"gave up after {self.max_retries} retries: {last_problem}")

    def _raise_for(self, method: str, path: str, response: requests.Response) -> None:
        detail = _error_detail(response)
        error_type = AuthError if response.status_code in (401, 403) else ApiError
        raise error_type(self.api, method, path, response.status_code, detail)


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
