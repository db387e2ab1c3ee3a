"""Read the next page while this one is worked on: an iterator run one step ahead in a thread.

A source that pages through an API waits for each answer and then turns it into rows, one after
the other. Run ahead by ``depth`` pages, the request for the next page is in flight (and the
API, or its stand-in, busy answering it) while the rows of this one are built: the waiting
overlaps the work. The pages come in their order; an error is raised where the page would have
come; stopping early stops the thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def prefetched(pages: Iterable[T], depth: int = 1, name: str = "prp-prefetch") -> Iterator[T]:
    """``pages`` in order, read up to ``depth`` ahead of the consumer in a background thread."""
    ahead: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failed(exc))
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5)
