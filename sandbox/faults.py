"""Fault switches: the next N requests to an app misbehave in a chosen way."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

KINDS = ("rate_limit", "server_error", "drop", "malformed", "slow")


@dataclass
class Fault:
    kind: str
    path_contains: str = ""
    retry_after: int | None = 1
    status: int = 503
    seconds: float = 1.0


@dataclass
class FaultPlan:
    """A queue of faults; each request takes the first matching one."""

    _queue: deque[Fault] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    fired: int = 0

    def inject(self, kind: str, count: int = 1, **options) -> None:
        """Make the next ``count`` matching requests fail with ``kind`` (see ``KINDS``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {KINDS}")
        with self._lock:
            self._queue.extend(Fault(kind, **options) for _ in range(count))

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._queue:
                if fault.path_contains in path:
                    self._queue.remove(fault)
                    self.fired += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    @property
    def pending(self) -> int:
        return len(self._queue)


def parse_spec(spec: str) -> tuple[str, str, int, dict]:
    """``api:kind[:count[:path_contains[:retry_after]]]`` -> (api, kind, count, options).

    For ``prp sandbox serve --faults hubspot:rate_limit:8:/search``: the next 8 search
    requests to the HubSpot stand-in are refused with a 429.
    """
    parts = spec.split(":")
    if len(parts) < 2 or parts[1] not in KINDS:
        raise ValueError(f"fault {spec!r} is not api:kind[:count[:path[:retry_after]]] with kind one "
                         f"of {', '.join(KINDS)}")
    api, kind = parts[0], parts[1]
    try:
        count = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        options: dict = {"path_contains": parts[3]} if len(parts) > 3 else {}
        if len(parts) > 4:
            options["retry_after"] = int(parts[4]) if parts[4] else None
    except ValueError:
        raise ValueError(f"fault {spec!r}: count and retry_after are whole numbers") from None
    return api, kind, count, options


def control(plan: FaultPlan, method: str, body: dict) -> tuple[int, dict]:
    """The control endpoint ``/_sandbox/faults``: GET shows, POST injects, DELETE clears."""
    if method == "POST":
        options = {k: body[k] for k in ("path_contains", "retry_after", "status", "seconds") if k in body}
        try:
            plan.inject(str(body.get("kind", "")), int(body.get("count", 1)), **options)
        except (TypeError, ValueError) as exc:
            return 400, {"error": str(exc)}
    elif method == "DELETE":
        plan.clear()
    elif method != "GET":
        return 405, {"error": "use GET, POST or DELETE"}
    return 200, {"pending": plan.pending, "fired": plan.fired, "kinds": list(KINDS)}
