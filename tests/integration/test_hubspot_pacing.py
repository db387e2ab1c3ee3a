"""HubSpot's client paces by the window HubSpot states in its headers, over plain HTTP.

The stand-in sends ``X-HubSpot-RateLimit-Max``/``-Remaining``/``-Interval-Milliseconds`` as
HubSpot does (search none, and none of the burst ones while its limits are lifted); the client
takes the account's budget from them, whatever tier the configuration names, and counts what
other apps have used of the window.
"""

from __future__ import annotations

import pytest
import requests

from pipelines.sources.hubspot.client import HubSpotClient
from sandbox import start_sandbox

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def box():
    sandbox = start_sandbox(profile="small", seed=5, apis=("hubspot",), rate_limits=True)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def app(box):
    app = box.app("hubspot")
    yield app
    app.set_tier(100)
    app.set_rate_limits(True)


def client(box, **settings) -> HubSpotClient:
    app = box.app("hubspot")
    return HubSpotClient(box.url("hubspot"), app.token, **settings)


def burst_pacer(hubspot: HubSpotClient):
    return hubspot.api.session.pacer


def test_the_tier_the_headers_state_replaces_the_configured_one(box, app):
    app.set_tier(190)  # a Professional account; the setting still names the lowest tier
    hubspot = client(box, requests_per_10s=100)
    next(hubspot.list_pages("companies", ["name"]))
    assert burst_pacer(hubspot).limit == 190
    assert burst_pacer(hubspot).window == pytest.approx(10.0 * 1.02 + 0.1)


def test_a_configured_tier_above_the_accounts_is_lowered_by_the_headers(box, app):
    hubspot = client(box, requests_per_10s=190)
    next(hubspot.list_pages("companies", ["name"]))
    assert burst_pacer(hubspot).limit == 100


def test_requests_other_apps_made_in_the_window_take_their_slots(box, app):
    for _ in range(30):  # another app's requests on the same account, moments ago
        requests.get(f"{box.url('hubspot')}/crm/objects/2026-09/companies",
                     headers={"Authorization": f"Bearer {app.token}"}, timeout=10)
    hubspot = client(box, requests_per_10s=100)
    next(hubspot.list_pages("companies", ["name"]))
    # ours and theirs: the pacer counts at least what HubSpot says is used of the window
    assert len(burst_pacer(hubspot).expiries) >= 31


def test_with_the_limits_lifted_no_burst_headers_come_and_the_setting_holds(box, app):
    app.set_rate_limits(False)
    response = requests.get(f"{box.url('hubspot')}/crm/objects/2026-09/companies",
                            headers={"Authorization": f"Bearer {app.token}"}, timeout=10)
    assert "X-HubSpot-RateLimit-Max" not in response.headers
    assert "X-HubSpot-RateLimit-Daily-Remaining" in response.headers
    hubspot = client(box, requests_per_10s=2000)
    next(hubspot.list_pages("companies", ["name"]))
    assert burst_pacer(hubspot).limit == 2000


def test_search_answers_carry_no_rate_limit_headers(box, app):
    response = requests.post(f"{box.url('hubspot')}/crm/objects/2026-09/companies/search",
                             json={"limit": 1}, headers={"Authorization": f"Bearer {app.token}"},
                             timeout=10)
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("x-hubspot-ratelimit")]
