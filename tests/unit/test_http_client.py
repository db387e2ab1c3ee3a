"""The shared HTTP stack against a real local server: retries, Retry-After, errors, paging."""

import pytest
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from pipelines.runtime.http import ApiClient, ApiError, AuthError, PacedSession, Pacer, RunMetrics
from sandbox.server import App, AppServer, Response

pytestmark = pytest.mark.unit


class EchoApp(App):
    name = "echo"

    def __init__(self):
        super().__init__()
        self.route("GET", "/ok", lambda r: Response(200, {"ok": True}))
        self.route("GET", "/missing", lambda r: Response(404, {"message": "no such thing"}))
        self.route("GET", "/secret", lambda r: Response(401, {"message": "bad token"}))
        self.route("GET", "/pages", self.pages)

    def pages(self, request):
        """Three pages of two items, chained by ``next``."""
        page = int(request.arg("cursor") or 0)
        body = {"results": [page * 2, page * 2 + 1], "next": str(page + 1) if page < 2 else None}
        return Response(200, body)


@pytest.fixture
def server():
    srv = AppServer(EchoApp()).start()
    yield srv
    srv.stop()


def client(server, **kwargs):
    session = PacedSession("echo", requests_per_second=50, backoff_base=0.01, **kwargs)
    return ApiClient("echo", server.url, session)


@pytest.mark.parametrize("kind", ["server_error", "drop", "malformed"])
def test_transient_failures_are_retried(server, kind):
    server.app.faults.inject(kind, count=2)
    metrics = RunMetrics()
    assert client(server, metrics=metrics).request_json("GET", "/ok") == {"ok": True}
    assert server.app.counts["GET /ok"] == 3
    assert metrics.retries["echo"] == 2 and metrics.requests["echo"] == 3


def test_retry_after_is_honoured(server):
    server.app.faults.inject("rate_limit", count=2, retry_after=1)
    assert client(server).request_json("GET", "/ok") == {"ok": True}
    assert server.app.early_retries == 0


def test_gives_up_after_max_retries(server):
    server.app.faults.inject("server_error", count=5)
    with pytest.raises(ApiError, match="gave up after 2 retries"):
        client(server, max_retries=2).request_json("GET", "/ok")
    assert server.app.counts["GET /ok"] == 3


def test_client_errors_are_not_retried(server):
    with pytest.raises(ApiError, match="no such thing") as err:
        client(server).request_json("GET", "/missing")
    assert err.value.status == 404
    assert server.app.counts["GET /missing"] == 1


def test_auth_errors_are_configuration_errors(server):
    with pytest.raises(AuthError) as err:
        client(server).request_json("GET", "/secret")
    assert err.value.exit_code == 2


def test_pacer_spaces_requests_by_rate(monkeypatch):
    now = [0.0]
    slept = []

    def fake_sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    import pipelines.runtime.http as http

    monkeypatch.setattr(http.time, "sleep", fake_sleep)
    pacer = Pacer(rate=2.0, burst=1, clock=lambda: now[0])
    for _ in range(5):
        pacer.wait()
    # 5 requests at 2/s with a burst of 1: the last one goes out 2 seconds after the first
    assert now[0] == pytest.approx(2.0)


def _record_waits(server, monkeypatch) -> list[float]:
    """Record each wait instead of sleeping; the sandbox sees that time as passed."""
    import pipelines.runtime.http as http

    waited: list[float] = []

    def hold(self, seconds):
        waited.append(seconds)
        server.app.retry_after_until = 0.0

    monkeypatch.setattr(http.Pacer, "hold", hold)
    return waited


def test_retry_after_beyond_a_minute_is_honoured_in_full(server, monkeypatch):
    waited = _record_waits(server, monkeypatch)
    server.app.faults.inject("rate_limit", count=2, retry_after=75)
    assert client(server, backoff_max=60).request_json("GET", "/ok") == {"ok": True}
    assert waited == [75.0, 75.0]
    assert server.app.early_retries == 0


def test_retry_after_is_capped_at_the_ceiling(server, monkeypatch):
    waited = _record_waits(server, monkeypatch)
    server.app.faults.inject("rate_limit", count=1, retry_after=3600)
    assert client(server, retry_after_max=900).request_json("GET", "/ok") == {"ok": True}
    assert waited == [900.0]


def test_paging_goes_through_dlt_paginators_with_retries(server):
    server.app.faults.inject("server_error", count=1, path_contains="/pages")
    paginator = JSONResponseCursorPaginator(cursor_path="next", cursor_param="cursor")
    pages = list(client(server).paginate("/pages", paginator=paginator, data_selector="results"))
    assert [list(page) for page in pages] == [[0, 1], [2, 3], [4, 5]]
    assert server.app.counts["GET /pages"] == 4


def test_paging_raises_the_projects_errors(server):
    paginator = JSONResponseCursorPaginator(cursor_path="next", cursor_param="cursor")
    with pytest.raises(ApiError, match="no such thing"):
        list(client(server).paginate("/missing", paginator=paginator, data_selector="results"))
