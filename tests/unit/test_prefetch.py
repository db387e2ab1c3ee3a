"""Reading ahead: the pages in order, errors where they happened, the thread gone after."""

import threading

import pytest

from pipelines.runtime.prefetch import prefetched

pytestmark = pytest.mark.unit


def test_pages_come_in_order_and_the_reader_runs_ahead():
    produced: list[int] = []

    def pages():
        for n in range(5):
            produced.append(n)
            yield n

    seen = []
    for page in prefetched(pages(), depth=1):
        seen.append(page)
        if page == 0:  # while the first page is worked on, the next is already read
            for _ in range(100):
                if len(produced) >= 2:
                    break
                threading.Event().wait(0.01)
            assert len(produced) >= 2
    assert seen == [0, 1, 2, 3, 4]


def test_an_error_is_raised_where_its_page_would_have_come():
    def pages():
        yield 1
        raise ValueError("page 2 failed")

    got = []
    with pytest.raises(ValueError, match="page 2 failed"):
        for page in prefetched(pages()):
            got.append(page)
    assert got == [1]


def test_stopping_early_stops_the_reader():
    def pages():
        n = 0
        while True:
            yield n
            n += 1

    before = {t.name for t in threading.enumerate()}
    reader = prefetched(pages(), name="prp-test-prefetch")
    assert next(reader) == 0
    reader.close()
    assert "prp-test-prefetch" not in {t.name for t in threading.enumerate()} - before
