"""The sliding-window pacer: a window's worth at once, then each slot as the oldest request leaves."""

import pytest

import pipelines.runtime.http as http
from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.http import WindowPacer, window_pacer

pytestmark = pytest.mark.unit


@pytest.fixture
def clock(monkeypatch):
    """A clock the pacer's sleeps move forward instead of sleeping."""
    now = [100.0]
    monkeypatch.setattr(http.time, "sleep", lambda s: now.__setitem__(0, now[0] + s))
    return now


def send_times(pacer: WindowPacer, clock: list[float], n: int) -> list[float]:
    times = []
    for _ in range(n):
        pacer.wait()
        times.append(clock[0])
    return times


def test_a_window_goes_at_once_then_never_more_than_the_limit_in_any_window(clock):
    pacer = WindowPacer(3, 10.0, clock=lambda: clock[0])
    times = send_times(pacer, clock, 7)
    assert times[:3] == [100.0] * 3
    assert times[3] == pytest.approx(100.0 + pacer.window)
    # never more than 3 requests within the API's own 10 s
    assert all(times[i + 3] - times[i] > 10.0 for i in range(len(times) - 3))


def test_hold_delays_the_next_request(clock):
    pacer = WindowPacer(5, 1.0, clock=lambda: clock[0])
    pacer.wait()
    pacer.hold(30.0)
    pacer.wait()
    assert clock[0] == pytest.approx(130.0)


def test_rates_become_a_window_and_nonsense_is_a_configuration_error():
    assert window_pacer(3, 10.0).limit == 30
    assert window_pacer(5, 60.0).limit == 300
    with pytest.raises(ConfigurationError):
        window_pacer(0, 10.0)


def test_requests_the_api_counts_beyond_ours_take_their_slots_for_a_window(clock):
    pacer = WindowPacer(4, 10.0, clock=lambda: clock[0])
    pacer.wait()
    pacer.observe_used(3)  # an earlier run sent two more within the API's window
    times = send_times(pacer, clock, 2)
    assert times[0] == 100.0 and times[1] == pytest.approx(100.0 + pacer.window)
    pacer.observe_used(1)  # the API counts no more than we do: nothing changes
    assert len(pacer.expiries) <= 4


def test_slow_to_lowers_the_budget_for_the_rest_of_the_run(clock):
    pacer = WindowPacer(4, 10.0, clock=lambda: clock[0])
    pacer.slow_to(2)
    times = send_times(pacer, clock, 3)
    assert times[:2] == [100.0] * 2 and times[2] == pytest.approx(100.0 + pacer.window)
    pacer.slow_to(9)  # never raised again by a later hint
    assert pacer.limit == 2


def test_the_budget_an_api_states_replaces_the_configured_one_up_or_down(clock):
    pacer = WindowPacer(100, 10.0, clock=lambda: clock[0])
    pacer.adopt(190, 10.0)  # a Professional account: more than the lowest tier configured
    assert pacer.limit == 190
    pacer.adopt(50, 20.0)  # a budget lower than configured: the API's word holds
    assert pacer.limit == 50 and pacer.window == pytest.approx(20.0 * 1.02 + 0.1)
    pacer.adopt(0, 10.0)  # nonsense headers change nothing
    assert pacer.limit == 50


def test_a_budget_slowed_for_the_rest_of_the_run_is_not_raised_by_headers(clock):
    pacer = WindowPacer(180, 60.0, clock=lambda: clock[0])
    pacer.slow_to(90)
    pacer.adopt(180, 60.0)
    assert pacer.limit == 90
