"""The Google Health stand-in is checked, not assumed: shapes against Google's discovery document,
filters, paging, range limits, auth, rate limits and the OAuth endpoints, over plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import googleapiclient
import jsonschema
import pytest
import requests

from sandbox import start_sandbox
from sandbox.google import listing
from sandbox.ratelimit import SlidingWindowLimit

pytestmark = pytest.mark.integration

DISCOVERY = (Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
             / "health.v4.json")
USER = "/v4/users/me"
TYPES = ("steps", "distance", "floors", "active-minutes", "daily-resting-heart-rate", "sleep",
         "daily-heart-rate-variability", "daily-oxygen-saturation", "daily-respiratory-rate",
         "daily-sleep-temperature-derivations", "daily-vo2-max", "time-in-heart-rate-zone",
         "active-zone-minutes", "exercise", "weight", "body-fat")
ROLLUPS = ("steps", "distance", "floors", "active-minutes", "total-calories",
           "time-in-heart-rate-zone", "active-zone-minutes")


def _convert(schema: dict) -> dict:
    """A discovery-document schema as JSON Schema; objects reject unknown fields."""
    if "$ref" in schema:
        return {"$ref": "#/definitions/" + schema["$ref"]}
    kind = schema.get("type")
    if kind == "object":
        props = {k: _convert(v) for k, v in schema.get("properties", {}).items()}
        out: dict = {"type": "object", "properties": props}
        if "additionalProperties" in schema:
            out["additionalProperties"] = _convert(schema["additionalProperties"])
        elif props:
            out["additionalProperties"] = False
        return out
    if kind == "array":
        return {"type": "array", "items": _convert(schema.get("items", {}))}
    if kind == "string":
        out = {"type": "string"}
        if "enum" in schema:
            out["enum"] = schema["enum"]
        fmt = schema.get("format")
        if fmt in ("int64", "uint64"):
            out["pattern"] = r"^-?\d+$"
        elif fmt == "google-datetime":
            out["pattern"] = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
        elif fmt == "google-duration":
            out["pattern"] = r"^-?\d+(\.\d+)?s$"
        return out
    if kind in ("integer", "number", "boolean"):
        return {"type": kind}
    return {}


@pytest.fixture(scope="module")
def discovery_schemas() -> jsonschema.protocols.Validator:
    """A validator over every converted schema, itself checked against the meta-schema once.

    (``jsonschema.validate`` checks the whole schema again on every call: about 0.5 s of CPU each.)
    """
    document = json.loads(DISCOVERY.read_text())
    assert document["id"] == "health:v4"
    root = {"definitions": {name: _convert(schema) for name, schema in document["schemas"].items()}}
    validator = jsonschema.validators.validator_for(root)
    validator.check_schema(root)
    return validator(root)


def check(schemas: jsonschema.protocols.Validator, name: str, instance) -> None:
    """``instance`` against one named schema, failing with the error ``jsonschema.validate`` picks."""
    error = jsonschema.exceptions.best_match(
        schemas.evolve(schema={"$ref": f"#/definitions/{name}", **schemas.schema}).iter_errors(instance))
    if error is not None:
        raise error


def check_error(schemas: jsonschema.protocols.Validator, body: dict) -> None:
    assert set(body) == {"error"}
    error = dict(body["error"])
    assert error.pop("status").isupper()
    check(schemas, "Status", error)


@pytest.fixture
def box():
    sandbox = start_sandbox("small", apis=("google",))
    yield sandbox
    sandbox.stop()


@pytest.fixture
def google(box):
    return box.app("google")


@pytest.fixture
def url(box):
    return box.url("google")


def access_token(app, url: str) -> str:
    env = app.env(url)
    answer = requests.post(env["SOURCES__FITBIT__TOKEN_URL"], data={
        "grant_type": "refresh_token", "refresh_token": env["SOURCES__FITBIT__REFRESH_TOKEN"],
        "client_id": env["SOURCES__FITBIT__CLIENT_ID"],
        "client_secret": env["SOURCES__FITBIT__CLIENT_SECRET"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["expires_in"] <= 3600 and body["token_type"] == "Bearer"
    assert "refresh_token" not in body  # Google does not rotate by default
    return body["access_token"]


@pytest.fixture
def api(google, url):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {access_token(google, url)}"

    def call(method: str, path: str, **kwargs) -> requests.Response:
        return session.request(method, url + path, **kwargs)

    return call


def rollup_body(start, end, **extra) -> dict:
    def civil(d):
        return {"date": {"year": d.year, "month": d.month, "day": d.day}}

    return {"range": {"start": civil(start), "end": civil(end)}, **extra}


def test_responses_match_the_discovery_document(google, api, discovery_schemas):
    google.filter_mode = "documented"  # floors may be listed too
    today = google.data.today()
    for data_type in TYPES:
        answer = api("GET", f"{USER}/dataTypes/{data_type}/dataPoints")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["dataPoints"], data_type
        check(discovery_schemas, "ListDataPointsResponse", body)
    for data_type in ROLLUPS:
        answer = api("POST", f"{USER}/dataTypes/{data_type}/dataPoints:dailyRollUp",
                     json=rollup_body(today - timedelta(days=13), today + timedelta(days=1)))
        assert answer.status_code == 200, answer.text
        check(discovery_schemas, "DailyRollUpDataPointsResponse", answer.json())
    for path, schema in (("identity", "Identity"), ("profile", "Profile"),
                         ("settings", "Settings")):
        answer = api("GET", f"{USER}/{path}")
        check(discovery_schemas, schema, answer.json())
    # errors: a bad filter, a too-long range, no credential, the rate limit
    bad_filter = api("GET", f"{USER}/dataTypes/sleep/dataPoints",
                     params={"filter": 'sleep.start_time >= "2026-01-01T00:00:00Z"'})
    too_long = api("POST", f"{USER}/dataTypes/total-calories/dataPoints:dailyRollUp",
                   json=rollup_body(today - timedelta(days=20), today))
    google.faults.inject("rate_limit", 1, path_contains="/v4/")
    limited = api("GET", f"{USER}/identity")
    anonymous = requests.get(bad_filter.url.split("/v4/")[0] + f"{USER}/identity")
    for answer, status in ((bad_filter, 400), (too_long, 400), (limited, 429), (anonymous, 401)):
        assert answer.status_code == status
        check_error(discovery_schemas, answer.json())
    assert limited.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert anonymous.json()["error"]["status"] == "UNAUTHENTICATED"


def test_points_carry_int64_strings_offsets_and_come_newest_first(api):
    body = api("GET", f"{USER}/dataTypes/steps/dataPoints", params={"pageSize": 50}).json()
    starts = [p["steps"]["interval"]["startTime"] for p in body["dataPoints"]]
    assert starts == sorted(starts, reverse=True)
    point = body["dataPoints"][0]["steps"]
    assert isinstance(point["count"], str) and point["count"].isdigit()
    assert point["interval"]["startUtcOffset"].endswith("s")
    sleep = api("GET", f"{USER}/dataTypes/sleep/dataPoints").json()["dataPoints"][0]
    assert sleep["name"].startswith("users/") and "/dataTypes/sleep/dataPoints/" in sleep["name"]
    assert isinstance(sleep["sleep"]["summary"]["minutesAsleep"], str)


def test_observed_filters_are_strict(google, api):
    google.filter_mode = "observed"
    cases = {
        ("steps", 'steps.interval.civil_start_time >= "2026-11-01"'): 200,
        ("steps", 'steps.interval.civil_start_time < "2026-11-01"'): 400,
        ("steps", 'steps.interval.start_time >= "2026-11-01T00:00:00Z"'): 400,
        ("steps", 'steps.interval.civil_start_time >= "2026-11-01T00:00:00Z"'): 400,
        ("daily-resting-heart-rate", 'daily_resting_heart_rate.date >= "2026-11-01"'): 200,
        ("daily-resting-heart-rate",
         'daily_resting_heart_rate.interval.start_time >= "2026-11-01T00:00:00Z"'): 400,
        ("sleep", 'sleep.interval.end_time >= "2026-11-01T00:00:00Z"'): 400,
        ("daily-vo2-max", 'daily_vo2_max.date >= "2026-11-01"'): 200,
        ("daily-vo2-max", 'daily_vo2_max.date < "2026-11-01"'): 400,
        ("weight", 'weight.sample_time.civil_time >= "2026-11-01"'): 200,
        ("weight", 'weight.sample_time.physical_time >= "2026-11-01T00:00:00Z"'): 400,
        ("exercise", 'exercise.interval.civil_start_time >= "2026-11-01"'): 200,
        ("exercise", 'exercise.interval.start_time >= "2026-11-01T00:00:00Z"'): 400,
        ("floors", ""): 400,
        ("total-calories", ""): 400,
    }
    for (data_type, expression), status in cases.items():
        params = {"filter": expression} if expression else {}
        answer = api("GET", f"{USER}/dataTypes/{data_type}/dataPoints", params=params)
        assert answer.status_code == status, (data_type, expression, answer.text)
    member = api("GET", f"{USER}/dataTypes/sleep/dataPoints",
                 params={"filter": 'sleep.start_time >= "2026-11-01T00:00:00Z"'}).json()
    assert member["error"]["details"][0]["reason"] == "INVALID_DATA_POINT_FILTER_DATA_TYPE_MEMBER"
    fmt = api("GET", f"{USER}/dataTypes/steps/dataPoints",
              params={"filter": 'steps.interval.civil_start_time >= "01/11/2026"'}).json()
    assert fmt["error"]["details"][0]["reason"] == (
        "INVALID_DATA_POINT_FILTER_CIVIL_DATE_TIME_FORMAT")
    calories = api("GET", f"{USER}/dataTypes/total-calories/dataPoints").json()
    assert "rollup, dailyRollup" in calories["error"]["message"]


def test_documented_filters_select_what_they_say(google, api):
    google.filter_mode = "documented"
    today = google.data.today()
    since = today - timedelta(days=10)
    weights = all_pages(api, f"{USER}/dataTypes/weight/dataPoints", filter=(
        f'weight.sample_time.physical_time >= "{since}T00:00:00Z" AND '
        f'weight.sample_time.physical_time < "{today}T00:00:00Z"'))
    assert weights and all(f"{since}" <= p["weight"]["sampleTime"]["physicalTime"] < f"{today}"
                           for p in weights)
    workouts = all_pages(api, f"{USER}/dataTypes/exercise/dataPoints",
                         filter=f'exercise.interval.civil_start_time >= "{since}"', pageSize=100)
    assert len(workouts) == sum(1 for e in google.data.visible_exercises()
                                if e.local_start_date >= since)
    lower, upper = today - timedelta(days=5), today - timedelta(days=2)
    expression = (f'daily_resting_heart_rate.date >= "{lower}" AND '
                  f'daily_resting_heart_rate.date < "{upper}"')
    body = api("GET", f"{USER}/dataTypes/daily-resting-heart-rate/dataPoints",
               params={"filter": expression}).json()
    days = {p["dailyRestingHeartRate"]["date"]["day"] for p in body.get("dataPoints", [])}
    expected = {d.day for d in google.data.truth_resting_heart_rate() if lower <= d < upper}
    assert days == expected
    end = f"{today - timedelta(days=3)}T00:00:00Z"
    sleep = api("GET", f"{USER}/dataTypes/sleep/dataPoints",
                params={"filter": f'sleep.interval.end_time >= "{end}"'}).json()
    assert all(p["sleep"]["interval"]["endTime"] >= end for p in sleep["dataPoints"])
    either = api("GET", f"{USER}/dataTypes/sleep/dataPoints", params={
        "filter": f'sleep.interval.end_time < "2000-01-01T00:00:00Z" OR '
                  f'sleep.interval.end_time >= "{end}"'})
    assert either.status_code == 200 and len(either.json()["dataPoints"]) == len(
        sleep["dataPoints"])
    no_or = api("GET", f"{USER}/dataTypes/steps/dataPoints", params={
        "filter": 'steps.interval.start_time < "2000-01-01T00:00:00Z" OR '
                  'steps.interval.start_time >= "2026-01-01T00:00:00Z"'})
    assert no_or.status_code == 400
    wrong_type = api("GET", f"{USER}/dataTypes/steps/dataPoints",
                     params={"filter": 'distance.interval.start_time >= "2026-01-01T00:00:00Z"'})
    assert wrong_type.status_code == 400


def test_sleep_pages_hold_25_and_a_full_last_page_still_has_a_token(google, api):
    # list shows every device's sessions: the main device's and the second watch's
    sessions = len(google.data.truth_sleep_sessions()) + len(google.data.visible_other_sleeps())
    seen, pages, params = 0, 0, {"pageSize": 100}
    while True:
        body = api("GET", f"{USER}/dataTypes/sleep/dataPoints", params=params).json()
        pages += 1
        assert len(body.get("dataPoints", [])) <= 25
        seen += len(body.get("dataPoints", []))
        if "nextPageToken" not in body:
            break
        params = {"pageSize": 100, "pageToken": body["nextPageToken"]}
    assert seen == sessions
    assert pages == sessions // 25 + 1  # a last full page is followed by an empty {}
    google.empty_pages = 1
    empty = api("GET", f"{USER}/dataTypes/sleep/dataPoints").json()
    assert "dataPoints" not in empty and empty["nextPageToken"]
    after = api("GET", f"{USER}/dataTypes/sleep/dataPoints",
                params={"pageToken": empty["nextPageToken"]}).json()
    assert len(after["dataPoints"]) == 25
    mismatched = api("GET", f"{USER}/dataTypes/sleep/dataPoints",
                     params={"pageToken": empty["nextPageToken"], "pageSize": 5})
    assert mismatched.status_code == 400


def test_daily_rollup_limits_and_values(google, api):
    today = google.data.today()
    path = f"{USER}/dataTypes/{{}}/dataPoints:dailyRollUp"
    ok = api("POST", path.format("steps"), json=rollup_body(today - timedelta(days=89),
                                                             today + timedelta(days=1)))
    assert ok.status_code == 200
    windows = ok.json()["rollupDataPoints"]
    truth = google.data.truth_daily_activity()
    for element in windows:
        d = element["civilStartTime"]["date"]
        day = today.replace(year=d["year"], month=d["month"], day=d["day"])
        expected = truth.get(day, {}).get("steps")
        assert (int(element["steps"]["countSum"]) if "steps" in element else None) == expected
    assert api("POST", path.format("steps"), json=rollup_body(
        today - timedelta(days=91), today)).status_code == 400
    assert api("POST", path.format("active-minutes"), json=rollup_body(
        today - timedelta(days=14), today)).status_code == 200
    assert api("POST", path.format("active-minutes"), json=rollup_body(
        today - timedelta(days=15), today)).status_code == 400
    bare = api("POST", path.format("steps"), json={"range": {
        "start": {"year": 2026, "month": 11, "day": 1},
        "end": {"year": 2026, "month": 11, "day": 8}}})
    assert bare.status_code == 400 and 'Unknown name "year"' in bare.json()["error"]["message"]
    unknown = api("POST", path.format("steps"), json=rollup_body(today, today + timedelta(1),
                                                                 bogus=1))
    assert unknown.status_code == 400
    # an off-wrist day has a window without a value member; a worn idle value would be "0"
    off = [d for d in (today - timedelta(days=i) for i in range(1, 35)) if d not in truth]
    if off:
        answer = api("POST", path.format("steps"), json=rollup_body(off[0], off[0] + timedelta(1)))
        assert "steps" not in answer.json()["rollupDataPoints"][0]


def test_auth_failures_and_expiry(box, google, url, api):
    assert api("GET", f"{USER}/identity").status_code == 200
    assert requests.get(url + f"{USER}/identity").status_code == 401
    bad = requests.get(url + f"{USER}/identity", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["status"] == "UNAUTHENTICATED"
    box.clock.advance(hours=1, seconds=1)  # access tokens last one hour
    assert api("GET", f"{USER}/identity").status_code == 401


def test_rate_limit_is_300_per_minute_per_user(google, api):
    assert (google.limit.limit, google.limit.window) == (300, 60.0)
    google.limit = SlidingWindowLimit(300, 60.0)
    for _ in range(297):  # as if 297 requests had just been made
        assert google.limit.hit() is None
    statuses = [api("GET", f"{USER}/identity").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429] and google.rejected == 1
    body = api("GET", f"{USER}/identity").json()
    assert body["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert body["error"]["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"


def test_token_endpoint_rotation_and_invalid_grant(google, url):
    env = google.env(url)
    form = {"grant_type": "refresh_token", "client_id": env["SOURCES__FITBIT__CLIENT_ID"],
            "client_secret": env["SOURCES__FITBIT__CLIENT_SECRET"],
            "refresh_token": env["SOURCES__FITBIT__REFRESH_TOKEN"]}
    token_url = env["SOURCES__FITBIT__TOKEN_URL"]
    wrong_client = requests.post(token_url, data={**form, "client_secret": "x"})
    assert wrong_client.status_code == 401 and wrong_client.json()["error"] == "invalid_client"
    google.oauth.rotate = google.oauth.reject_used = True
    first = requests.post(token_url, data=form).json()
    assert first["refresh_token"] != form["refresh_token"]
    reused = requests.post(token_url, data=form)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    second = requests.post(token_url, data={**form, "refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    google.oauth.revoke()
    revoked = requests.post(token_url, data={**form, "refresh_token": second.json()[
        "refresh_token"]})
    assert revoked.json() == {"error": "invalid_grant",
                              "error_description": "Token has been expired or revoked."}


def test_authorization_code_flow_with_pkce(google, url):
    env = google.env(url)
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()
    params = {"client_id": env["SOURCES__FITBIT__CLIENT_ID"], "response_type": "code",
              "redirect_uri": "http://127.0.0.1:9/", "scope": " ".join(
                  "https://www.googleapis.com/auth/googlehealth." + s
                  for s in ("sleep.readonly", "activity_and_fitness.readonly")),
              "code_challenge": challenge, "code_challenge_method": "S256", "state": "xyz",
              "access_type": "offline"}
    auth_url = env["SOURCES__FITBIT__AUTHORIZATION_URL"]
    no_pkce = {k: v for k, v in params.items() if not k.startswith("code_challenge")}
    assert requests.get(auth_url, params=no_pkce, allow_redirects=False).status_code == 400
    remote = {**params, "redirect_uri": "https://evil.example/cb"}
    assert requests.get(auth_url, params=remote, allow_redirects=False).status_code == 400
    answer = requests.get(auth_url, params=params, allow_redirects=False)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["xyz"]
    exchange = {"grant_type": "authorization_code", "code": query["code"][0],
                "redirect_uri": params["redirect_uri"], "client_id": params["client_id"],
                "client_secret": env["SOURCES__FITBIT__CLIENT_SECRET"]}
    token_url = env["SOURCES__FITBIT__TOKEN_URL"]
    wrong = requests.post(token_url, data={**exchange, "code_verifier": "w" * 64})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    right = requests.post(token_url, data={**exchange, "code_verifier": verifier})
    assert right.status_code == 200 and right.json()["refresh_token"].startswith("1//")
    again = requests.post(token_url, data={**exchange, "code_verifier": verifier})
    assert again.status_code == 400  # a code is single-use


def all_pages(api, path: str, **params) -> list[dict]:
    """Every point of a list or reconcile walk, following tokens."""
    points: list[dict] = []
    while True:
        answer = api("GET", path, params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        points += body.get("dataPoints", [])
        if not body.get("nextPageToken"):
            return points
        params = {**params, "pageToken": body["nextPageToken"]}


def night_of(point: dict) -> tuple[int, int, int]:
    civil = point["sleep"]["interval"]["civilEndTime"]["date"]
    return civil["year"], civil["month"], civil["day"]


def test_item9_reconcile_gives_one_session_per_night(google, api, discovery_schemas):
    listed = all_pages(api, f"{USER}/dataTypes/sleep/dataPoints")
    devices = {p["dataSource"]["device"]["displayName"] for p in listed}
    assert devices == {"Charge 6", "Pixel Watch 3"}  # two devices recorded some nights
    mains = [p for p in listed if p["sleep"]["metadata"]["mainSleep"]]
    assert len({night_of(p) for p in mains}) < len(mains)
    reconciled = all_pages(api, f"{USER}/dataTypes/sleep/dataPoints:reconcile")
    truth = google.data.truth_sleep_sessions()
    assert sorted(p["dataPointName"] for p in reconciled) == sorted(s["id"] for s in truth)
    assert all("dataSource" not in p and "name" not in p for p in reconciled)
    first = api("GET", f"{USER}/dataTypes/sleep/dataPoints:reconcile",
                params={"pageSize": 100}).json()
    assert len(first["dataPoints"]) == 25 and first["nextPageToken"]
    check(discovery_schemas, "ReconcileDataPointsResponse", first)
    family = {"dataSourceFamily": "users/me/dataSourceFamilies/google-wearables"}
    assert api("GET", f"{USER}/dataTypes/sleep/dataPoints:reconcile",
               params=family).status_code == 200
    assert api("GET", f"{USER}/dataTypes/sleep/dataPoints", params=family).status_code == 400
    google.modes.second_device = False
    assert len(all_pages(api, f"{USER}/dataTypes/sleep/dataPoints")) == len(truth)


def test_reconcile_states_no_order_and_pages_in_the_mode_s(google, api):
    """Only ``list`` documents newest first; reconcile pages come shuffled (strict default),
    oldest first or newest first, every session once across the pages in each."""
    assert google.modes.reconcile_order == "shuffled"
    path = f"{USER}/dataTypes/sleep/dataPoints:reconcile"
    truth = sorted(s["id"] for s in google.data.truth_sleep_sessions())
    orders = {}
    for order in ("shuffled", "oldest_first", "newest_first"):
        google.modes.reconcile_order = order
        points = all_pages(api, path)
        assert sorted(p["dataPointName"] for p in points) == truth
        orders[order] = [p["sleep"]["interval"]["endTime"] for p in points]
    assert orders["oldest_first"] == sorted(orders["oldest_first"])
    assert orders["newest_first"] == orders["oldest_first"][::-1]
    assert orders["shuffled"] not in (orders["oldest_first"], orders["newest_first"])


def test_a_listing_scans_the_history_once_however_many_pages_it_takes(box, google, api,
                                                                     monkeypatch):
    """A scan of the whole history for every page made serving a backfill grow with the square
    of the history; a listing's later pages reuse what its first page matched."""
    scans = []
    scan = listing.items
    monkeypatch.setattr(listing, "items",
                        lambda data, query: scans.append(query.data_type) or scan(data, query))
    path = f"{USER}/dataTypes/sleep/dataPoints:reconcile"
    first = all_pages(api, path)
    assert len(first) > 25 and scans == ["sleep"]  # two pages or more, one scan
    # the next listing scans afresh: an edit between runs shows
    # the latest day with a main sleep (not every night has one: it depends on the day)
    days = (google.data.today() - timedelta(days=i) for i in range(1, 30))
    gone = next(d for d in days if any(s.main_sleep for s in google.data.sessions_ending_on(d)))
    google.data.delete_sleep(gone)
    second = all_pages(api, path)
    assert len(second) == len(first) - 1 and len(scans) == 2
    assert sorted(p["dataPointName"] for p in second) == sorted(
        s["id"] for s in google.data.truth_sleep_sessions())
    # once the clock moves, a later page scans again (what is visible may have changed)
    token = api("GET", path).json()["nextPageToken"]
    box.clock.advance(minutes=1)
    assert api("GET", path, params={"pageToken": token}).status_code == 200
    assert len(scans) == 4


def test_item10_trip_nights_carry_their_own_offset(google, api):
    trip = google.data.trips[0]
    reconciled = all_pages(api, f"{USER}/dataTypes/sleep/dataPoints:reconcile")
    by_name = {p["dataPointName"]: p["sleep"]["interval"] for p in reconciled}
    on_trip = [s for s in google.data.truth_sleep_sessions()
               if trip.first <= s["sleep_date"] <= trip.last]
    assert on_trip
    for session in on_trip:
        interval = by_name[session["id"]]
        assert interval["endUtcOffset"] == "32400s"  # Tokyo, whatever the home zone
        civil = interval["civilEndTime"]["date"]
        assert (civil["year"], civil["month"], civil["day"]) == (
            session["sleep_date"].year, session["sleep_date"].month, session["sleep_date"].day)
    nights = [s for s in on_trip if s["is_main_sleep"]]
    assert nights  # a trip night wakes in Tokyo's morning: the evening before in London
    for night in nights:  # dated at home, the night would move (a nap on the trip may not)
        assert night["end"].astimezone(google.data.zone).date() != night["sleep_date"]
    home = [p for p in reconciled if p["dataPointName"] not in {s["id"] for s in on_trip}]
    assert {p["sleep"]["interval"]["endUtcOffset"] for p in home} <= {"0s", "3600s"}


def test_item11_unticked_scope_is_left_out_of_the_grant(google, url):
    google.modes.consent_unticked = ("sleep.readonly",)
    env = google.env(url)
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()
    scopes = ("sleep.readonly", "activity_and_fitness.readonly")
    params = {"client_id": env["SOURCES__FITBIT__CLIENT_ID"], "response_type": "code",
              "redirect_uri": "http://127.0.0.1:9/",
              "scope": " ".join("https://www.googleapis.com/auth/googlehealth." + s
                                for s in scopes),
              "code_challenge": challenge, "code_challenge_method": "S256",
              "access_type": "offline"}
    answer = requests.get(env["SOURCES__FITBIT__AUTHORIZATION_URL"], params=params,
                          allow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(env["SOURCES__FITBIT__TOKEN_URL"], data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        "redirect_uri": params["redirect_uri"], "client_id": params["client_id"],
        "client_secret": env["SOURCES__FITBIT__CLIENT_SECRET"]}).json()
    assert tokens["scope"].split() == [
        "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly"]
    refreshed = requests.post(env["SOURCES__FITBIT__TOKEN_URL"], data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": params["client_id"],
        "client_secret": env["SOURCES__FITBIT__CLIENT_SECRET"]}).json()
    assert "sleep.readonly" not in refreshed["scope"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {refreshed['access_token']}"
    denied = session.get(url + f"{USER}/dataTypes/sleep/dataPoints:reconcile")
    assert denied.status_code == 403
    assert denied.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    today = google.data.today()
    assert session.post(url + f"{USER}/dataTypes/steps/dataPoints:dailyRollUp", json=rollup_body(
        today - timedelta(days=3), today)).status_code == 200
    partial = google.refresh_token_for("activity_and_fitness.readonly")  # the same, directly
    assert partial in google.oauth.refresh_tokens


def test_item12_floors_roll_up_range_is_shorter_than_documented(google, api):
    today = google.data.today()
    path = f"{USER}/dataTypes/floors/dataPoints:dailyRollUp"
    assert google.modes.rollup_max_days == {"floors": 14}  # the field report, by default
    assert api("POST", path, json=rollup_body(today - timedelta(days=14), today)).status_code == 200
    too_long = api("POST", path, json=rollup_body(today - timedelta(days=15), today))
    assert too_long.status_code == 400
    assert "range" in too_long.json()["error"]["message"]
    google.modes.rollup_max_days = {}  # the discovery document: 90 days for floors
    assert api("POST", path, json=rollup_body(today - timedelta(days=90), today)).status_code == 200
    google.modes.rollup_max_days = {"steps": 5}
    assert api("POST", f"{USER}/dataTypes/steps/dataPoints:dailyRollUp",
               json=rollup_body(today - timedelta(days=6), today)).status_code == 400
