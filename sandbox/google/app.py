"""Google Health API v4 and Google OAuth over HTTP, on one loopback origin.

Routes: ``GET /v4/users/me/dataTypes/{type}/dataPoints`` (AIP-160 filter, pageSize, pageToken,
newest first), ``POST .../dataPoints:dailyRollUp`` (civil days, per-type maximum range),
``GET /v4/users/me/{identity,profile,settings}``, ``POST /token``, ``GET /o/oauth2/v2/auth``.
Limits: 300 requests per minute per user (429 RESOURCE_EXHAUSTED), 401 UNAUTHENTICATED for a
missing, unknown or expired access token, 403 for a missing scope.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.clock import Clock
from sandbox.google.data import DATA_TYPES, LEVELS, HealthData, Point, SleepSession
from sandbox.google.oauth import SCOPE_PREFIX, OAuthError, OAuthServer
from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import App, Request, Response

SERVICE = "health.googleapis.com"
LIST_PAGE_DEFAULT, LIST_PAGE_MAX, SESSION_PAGE_MAX = 1440, 10000, 25
SHORT_RANGE_TYPES = (
    "heart-rate", "active-minutes", "total-calories", "calories-in-heart-rate-zone")
ROLLUP_TYPES = ("steps", "distance", "floors", "active-minutes", "total-calories")
SCOPE_FOR = {
    "sleep": "sleep.readonly",
    "daily-resting-heart-rate": "health_metrics_and_measurements.readonly",
}
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
                502: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
DEVICE = {"platform": "FITBIT", "recordingMethod": "PASSIVELY_MEASURED",
          "device": {"displayName": "Charge 6", "formFactor": "FITNESS_BAND",
                     "manufacturer": "Fitbit"}}
CIVIL = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TERM = re.compile(r'^\s*([A-Za-z_.]+)\s*(>=|<=|!=|=|<|>)\s*"([^"]*)"\s*$')


class ApiFailure(Exception):
    """An error answer in Google's shape, with an optional ErrorInfo reason."""

    def __init__(self, status: int, message: str, reason: str | None = None,
                 grpc_status: str | None = None):
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason
        self.grpc_status = grpc_status or STATUS_NAMES.get(status, "UNKNOWN")


def _rfc3339(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds: int) -> str:
    return f"{seconds}s"


def _date_json(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _civil(instant: datetime, offset: int) -> dict:
    local = instant + timedelta(seconds=offset)
    return {"date": _date_json(local.date()),
            "time": {"hours": local.hour, "minutes": local.minute}}


def _interval(start: datetime, end: datetime, start_offset: int, end_offset: int,
              civil: bool = True) -> dict:
    out = {"startTime": _rfc3339(start), "endTime": _rfc3339(end),
           "startUtcOffset": _duration(start_offset), "endUtcOffset": _duration(end_offset)}
    if civil:
        out["civilStartTime"] = _civil(start, start_offset)
        out["civilEndTime"] = _civil(end, end_offset)
    return out


class HealthApp(App):
    """The Google Health API stand-in. ``filter_mode`` is ``observed`` (default) or ``documented``.

    ``documented`` accepts the filter members of the discovery document; ``observed`` is as
    strict as a live client saw the API in July 2026: interval types take only
    ``civil_start_time >=``, daily types only ``date >=``, sleep takes no filter at all and
    ``floors`` refuses list. Pipelines must work against both.
    """

    name = "google"

    def __init__(self, data: HealthData, oauth: OAuthServer, refresh_token: str):
        super().__init__()
        self.data = data
        self.oauth = oauth
        self.refresh_token = refresh_token
        self.filter_mode = "observed"
        self.limit = SlidingWindowLimit(300, 60.0)
        self.send_retry_after = False  # whether Google sends Retry-After on 429 is unverified
        self.empty_pages = 0  # the next N list pages come back empty but with a token
        self.calls: Counter[tuple[str, str]] = Counter()  # (method, data type) -> requests
        self.rejected = 0  # 429 answers sent (faults and the per-user limit)
        # called with each authorised /v4/ request before it is answered (test probes)
        self.observers: list[Callable[[Request], None]] = []
        self.route("GET", "/v4/users/{user}/dataTypes/{dataType}/dataPoints", self.list_points)
        self.route("POST", "/v4/users/{user}/dataTypes/{dataType}/dataPoints:dailyRollUp",
                   self.daily_roll_up)
        self.route("GET", "/v4/users/{user}/identity", self.identity)
        self.route("GET", "/v4/users/{user}/profile", self.profile)
        self.route("GET", "/v4/users/{user}/settings", self.settings)
        self.route("POST", "/token", self.token)
        self.route("GET", "/o/oauth2/v2/auth", self.authorize)

    # --- plumbing -------------------------------------------------------------------------

    def env(self, url: str) -> dict[str, str]:
        return {
            "SOURCES__FITBIT__BASE_URL": url,
            "SOURCES__FITBIT__TOKEN_URL": f"{url}/token",
            "SOURCES__FITBIT__AUTHORIZATION_URL": f"{url}/o/oauth2/v2/auth",
            "SOURCES__FITBIT__CLIENT_ID": self.oauth.client_id,
            "SOURCES__FITBIT__CLIENT_SECRET": self.oauth.client_secret,
            "SOURCES__FITBIT__REFRESH_TOKEN": self.refresh_token,
        }

    def error(self, status: int, code: str, message: str, reason: str | None = None,
              method: str | None = None) -> Response:
        grpc = code if code.isupper() else STATUS_NAMES.get(status, "UNKNOWN")
        details = []
        if reason:
            metadata = {"service": SERVICE}
            if method:
                metadata["method"] = method
            details.append({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                            "domain": "googleapis.com", "metadata": metadata})
        body: dict[str, Any] = {"code": status, "message": message, "status": grpc}
        if details:
            body["details"] = details
        return Response(status, {"error": body})

    def rate_limited(self, retry_after: int | None) -> Response:
        self.rejected += 1
        response = self.error(
            429, "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' "
            f"of service '{SERVICE}'.", reason="RATE_LIMIT_EXCEEDED")
        if self.send_retry_after and retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        elif hasattr(self, "retry_after_until"):
            self.retry_after_until = 0.0  # no Retry-After sent, so no retry counts as early
        return response

    def dispatch(self, request: Request) -> Response | None:
        try:
            return super().dispatch(request)
        except ApiFailure as exc:
            return self.error(exc.status, exc.grpc_status, exc.message, exc.reason)
        except OAuthError as exc:
            return Response(exc.status, {"error": exc.code, "error_description": exc.description})

    def before(self, request: Request, endpoint: str) -> Response | None:
        if not request.path.startswith("/v4/"):
            return None
        auth = request.header("authorization") or ""
        if not auth.startswith("Bearer "):
            return self.error(401, "UNAUTHENTICATED", "Request is missing required authentication "
                              "credential. Expected OAuth 2 access token, login cookie or other "
                              "valid authentication credential.", reason="CREDENTIALS_MISSING")
        token = self.oauth.check_access(auth.removeprefix("Bearer ").strip())
        if token is None:
            return self.error(401, "UNAUTHENTICATED", "Request had invalid authentication "
                              "credentials. Expected OAuth 2 access token, login cookie or other "
                              "valid authentication credential.",
                              reason="ACCESS_TOKEN_EXPIRED")
        needed = self._scope_for(request)
        family = SCOPE_PREFIX + (needed or "").split(".")[0]
        if needed and not any(s.startswith(family) for s in token.scopes):
            return self.error(403, "PERMISSION_DENIED", "Request had insufficient authentication "
                              "scopes.", reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT")
        wait = self.limit.hit()
        if wait is not None:
            return self.rate_limited(math.ceil(wait))
        if request.params.get("user") != "me" and request.params.get("user") != (
                self.data.health_user_id):
            return self.error(404, "NOT_FOUND", "User not found.")
        for observer in self.observers:
            observer(request)
        return None

    def _scope_for(self, request: Request) -> str | None:
        data_type = request.params.get("dataType")
        if data_type:
            return SCOPE_FOR.get(data_type, "activity_and_fitness.readonly")
        if request.path.endswith("/profile"):
            return "profile.readonly"
        if request.path.endswith("/settings"):
            return "settings.readonly"
        return None

    # --- OAuth ----------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        basic = None
        auth = request.header("authorization") or ""
        if auth.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                basic = (user, password)
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError(401, "invalid_client", "Bad client credentials.") from None
        return Response(200, self.oauth.token(request.form(), basic))

    def authorize(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        try:
            location = self.oauth.authorize(query)
        except OAuthError as exc:
            page = f"<html><body><h1>Error {exc.status}: {exc.code}</h1><p>{exc.description}</p>"
            return Response(exc.status, raw=page.encode(), headers={"Content-Type": "text/html"})
        return Response(302, headers={"Location": location})

    # --- users ----------------------------------------------------------------------------

    def identity(self, request: Request) -> Response:
        return Response(200, {"name": "users/me/identity",
                              "healthUserId": self.data.health_user_id,
                              "legacyUserId": "7QX" + self.data.health_user_id[-3:]})

    def profile(self, request: Request) -> Response:
        return Response(200, {"name": "users/me/profile", "age": 38,
                              "membershipStartDate": _date_json(self.data.first_day),
                              "autoWalkingStrideLengthMm": 742, "autoRunningStrideLengthMm": 1103})

    def settings(self, request: Request) -> Response:
        offset = self.data.offset_at(self.data.now())
        return Response(200, {"name": "users/me/settings", "timeZone": self.data.time_zone,
                              "utcOffset": _duration(offset),
                              "distanceUnit": "DISTANCE_UNIT_KILOMETERS",
                              "weightUnit": "WEIGHT_UNIT_KILOGRAMS",
                              "languageLocale": "en_GB"})

    # --- dataPoints.list ------------------------------------------------------------------

    def list_points(self, request: Request) -> Response:
        data_type = request.params["dataType"]
        self.calls[("list", data_type)] += 1
        if data_type not in DATA_TYPES:
            raise ApiFailure(400, f"Unknown data type: {data_type}.", "INVALID_DATA_TYPE")
        observed = self.filter_mode == "observed"
        if data_type == "total-calories" or (data_type == "floors" and observed):
            raise ApiFailure(400, f"Data type {data_type} supports only the following actions: "
                             "rollup, dailyRollup.", "UNSUPPORTED_DATA_TYPE_ACTION")
        if data_type == "sleep" and request.arg("dataSourceFamily"):
            raise ApiFailure(400, "Filtering by data source family is not supported for sleep; "
                             "use ReconcileDataPoints instead.")
        predicate = self._parse_filter(data_type, request.arg("filter") or "")
        page_size = self._page_size(data_type, request.arg("pageSize"))
        query_key = f"{data_type}|{request.arg('filter') or ''}|{page_size}"
        offset = self._decode_token(request.arg("pageToken"), query_key)
        if self.empty_pages > 0:
            self.empty_pages -= 1
            return Response(200, {"nextPageToken": self._token(offset, query_key)})
        items = self._items(data_type)
        matching = sorted((i for i in items if predicate(i)), key=lambda i: i[0], reverse=True)
        page = matching[offset:offset + page_size]
        if not page:
            return Response(200, {})  # an exhausted listing answers with an empty object
        body: dict[str, Any] = {"dataPoints": [item[1]() for item in page]}
        # like the live API, a full page carries a token even when nothing follows
        if len(page) == page_size:
            body["nextPageToken"] = self._token(offset + page_size, query_key)
        return Response(200, body)

    def _page_size(self, data_type: str, raw: str | None) -> int:
        maximum = SESSION_PAGE_MAX if data_type == "sleep" else LIST_PAGE_MAX
        default = SESSION_PAGE_MAX if data_type == "sleep" else LIST_PAGE_DEFAULT
        if raw in (None, ""):
            return default
        try:
            size = int(raw)
        except ValueError:
            raise ApiFailure(400, f"Invalid value at 'page_size' (TYPE_INT32), \"{raw}\"") from None
        if size < 0:
            raise ApiFailure(400, "page_size must not be negative.")
        return default if size == 0 else min(size, maximum)

    def _token(self, offset: int, query_key: str) -> str:
        raw = json.dumps({"o": offset, "q": query_key}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode_token(self, token: str | None, query_key: str) -> int:
        if not token:
            return 0
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            offset, key = int(decoded["o"]), decoded["q"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise ApiFailure(400, "Invalid page token.", "INVALID_PAGE_TOKEN") from None
        if key != query_key:
            raise ApiFailure(400, "The page token does not match the request parameters.",
                             "INVALID_PAGE_TOKEN")
        return offset

    def _items(self, data_type: str) -> list[tuple]:
        """(sort key, render, filter values) per visible point of ``data_type``."""
        if data_type == "sleep":
            return [(s.start, lambda s=s: self._render_sleep(s),
                     {"interval.end_time": s.end,
                      "interval.civil_end_time": s.end + timedelta(seconds=s.end_offset)})
                    for s in self.data.visible_sleeps()]
        if data_type == "daily-resting-heart-rate":
            return [(self.data.local(r.day), lambda r=r: self._render_resting(r), {"date": r.day})
                    for r in self.data.visible_resting()]
        return [(p.start, lambda p=p: self._render_point(p),
                 {"interval.start_time": p.start,
                  "interval.civil_start_time": p.start + timedelta(seconds=p.offset)})
                for p in self.data.visible_points(data_type)]

    def _allowed_members(self, data_type: str) -> dict[str, tuple[str, ...]]:
        """Filter member -> allowed operators, per record kind and filter mode."""
        kind = DATA_TYPES[data_type][2]
        if self.filter_mode == "observed":
            return {"interval": {"interval.civil_start_time": (">=",)},
                    "daily": {"date": (">=",)},
                    "session": {}}[kind]
        return {"interval": {"interval.start_time": (">=", "<"),
                             "interval.civil_start_time": (">=", "<")},
                "daily": {"date": (">=", "<")},
                "session": {"interval.end_time": (">=", "<"),
                            "interval.civil_end_time": (">=", "<")}}[kind]

    def _parse_filter(self, data_type: str, text: str):
        if not text.strip():
            return lambda item: True
        prefix = DATA_TYPES[data_type][1] + "."
        kind = DATA_TYPES[data_type][2]
        allowed = self._allowed_members(data_type)
        joiner = " OR " if kind == "session" and " OR " in text else " AND "
        if " OR " in text and kind != "session":
            raise ApiFailure(400, "Invalid filter: OR is not supported for this data type.",
                             "INVALID_DATA_POINT_FILTER_LOGICAL_OPERATOR")
        checks = []
        for term in text.split(joiner):
            match = TERM.match(term)
            if not match:
                raise ApiFailure(400, f"Invalid filter: cannot parse {term.strip()!r}.",
                                 "INVALID_DATA_POINT_FILTER")
            field_name, op, literal = match.groups()
            if not field_name.startswith(prefix):
                raise ApiFailure(400, f"Invalid filter: field {field_name!r} does not belong to "
                                 f"data type {data_type}.", "INVALID_DATA_POINT_FILTER_DATA_TYPE")
            member = field_name.removeprefix(prefix)
            if member not in allowed:
                raise ApiFailure(400, f"Invalid filter: {field_name!r} is not a supported filter "
                                 f"member for {data_type}.",
                                 "INVALID_DATA_POINT_FILTER_DATA_TYPE_MEMBER")
            if op not in allowed[member]:
                raise ApiFailure(400, f"Invalid filter: operator {op!r} is not supported for "
                                 f"{field_name!r}.", "INVALID_DATA_POINT_FILTER_OPERATOR")
            checks.append((member, op, self._literal(member, literal)))

        def value_ok(values: dict, member: str, op: str, bound) -> bool:
            actual = values[member]
            if isinstance(bound, datetime) and bound.tzinfo is None:
                actual = actual.replace(tzinfo=None)
            return actual >= bound if op == ">=" else actual < bound

        def predicate(item) -> bool:
            results = [value_ok(item[2], m, op, b) for m, op, b in checks]
            return any(results) if joiner == " OR " else all(results)

        return predicate

    def _literal(self, member: str, literal: str):
        try:
            if member == "date":
                if not DATE.match(literal):
                    raise ValueError
                return date.fromisoformat(literal)
            if member.endswith("civil_start_time") or member.endswith("civil_end_time"):
                if not CIVIL.match(literal):
                    raise ValueError
                return datetime.fromisoformat(literal)
            parsed = datetime.fromisoformat(literal.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                raise ValueError
            return parsed
        except ValueError:
            raise ApiFailure(400, f"Invalid filter: literal {literal!r} has the wrong format for "
                             f"{member}.",
                             "INVALID_DATA_POINT_FILTER_CIVIL_DATE_TIME_FORMAT") from None

    # --- rendering ------------------------------------------------------------------------

    def _render_point(self, p: Point) -> dict:
        member = DATA_TYPES[p.data_type][0]
        end_offset = self.data.offset_at(p.end)
        value: dict[str, Any] = {"interval": _interval(p.start, p.end, p.offset, end_offset)}
        if p.data_type == "distance":
            value["millimeters"] = str(p.value)
        elif p.data_type == "active-minutes":
            value["activeMinutesByActivityLevel"] = [
                {"activityLevel": level, "activeMinutes": str(minutes)}
                for level, minutes in p.value.items() if minutes]
        else:
            value["count"] = str(p.value)
        return {"dataSource": DEVICE, member: value}

    def _render_resting(self, r) -> dict:
        return {"dataSource": DEVICE, "dailyRestingHeartRate": {
            "date": _date_json(r.day), "beatsPerMinute": str(r.bpm),
            "dailyRestingHeartRateMetadata": {"calculationMethod": r.method}}}

    def _render_sleep(self, s: SleepSession) -> dict:
        stamp = _rfc3339
        stages = [{"type": st.type, "startTime": stamp(st.start), "endTime": stamp(st.end),
                   "startUtcOffset": _duration(self.data.offset_at(st.start)),
                   "endUtcOffset": _duration(self.data.offset_at(st.end)),
                   "createTime": stamp(s.create_time), "updateTime": stamp(s.update_time)}
                  for st in s.stages]
        minutes, counts = s.stage_minutes(), s.stage_counts()
        return {
            "name": f"users/{self.data.health_user_id}/dataTypes/sleep/dataPoints/{s.id}",
            "dataSource": DEVICE,
            "sleep": {
                "type": s.type,
                "interval": _interval(s.start, s.end, s.start_offset, s.end_offset),
                "stages": stages, "shortAwakenings": [], "outOfBedSegments": [],
                "summary": {
                    "minutesAsleep": str(s.minutes_asleep), "minutesAwake": str(s.minutes_awake),
                    "minutesInSleepPeriod": str(s.minutes_in_sleep_period),
                    "minutesToFallAsleep": "0", "minutesAfterWakeUp": "0",
                    "stagesSummary": [{"type": t, "minutes": str(m), "count": str(counts[t])}
                                      for t, m in sorted(minutes.items())],
                },
                "metadata": {"mainSleep": s.main_sleep, "nap": s.nap, "processed": True,
                             "manuallyEdited": False, "stagesStatus": "SUCCEEDED"
                             if s.type == "STAGES" else "REJECTED_NAP"},
                "createTime": stamp(s.create_time), "updateTime": stamp(s.update_time),
            },
        }

    # --- dataPoints.dailyRollUp -----------------------------------------------------------

    def daily_roll_up(self, request: Request) -> Response:
        data_type = request.params["dataType"]
        self.calls[("dailyRollUp", data_type)] += 1
        if data_type not in ROLLUP_TYPES:
            raise ApiFailure(400, f"Data type {data_type} does not support dailyRollUp here.",
                             "UNSUPPORTED_DATA_TYPE_ACTION")
        try:
            body = request.json()
        except ValueError:
            raise ApiFailure(400, "Invalid JSON payload received.") from None
        if not isinstance(body, dict):
            raise ApiFailure(400, "Invalid JSON payload received. Expected an object.")
        known = {"range", "windowSizeDays", "pageSize", "pageToken", "dataSourceFamily"}
        for key in body:
            if key not in known:
                raise ApiFailure(400, f'Invalid JSON payload received. Unknown name "{key}": '
                                 "Cannot find field.")
        start = self._civil_date(body.get("range"), "start")
        end = self._civil_date(body.get("range"), "end")
        if end <= start:
            raise ApiFailure(400, "range.end must be after range.start.")
        max_days = 14 if data_type in SHORT_RANGE_TYPES else 90
        if (end - start).days > max_days:
            raise ApiFailure(400, f"The maximum range for {data_type} is {max_days} days.",
                             "INVALID_RANGE")
        window = body.get("windowSizeDays", 1)
        if not isinstance(window, int) or window < 1:
            raise ApiFailure(400, "window_size_days must be a positive integer.")
        page_max = 14 if data_type in SHORT_RANGE_TYPES else 90
        page_size = body.get("pageSize") or page_max
        if not isinstance(page_size, int) or page_size < 0:
            raise ApiFailure(400, "page_size must be a positive integer.")
        page_size = min(page_size, page_max)
        fields = {k: v for k, v in body.items() if k != "pageToken"}
        query_key = f"{data_type}|{json.dumps(fields, sort_keys=True)}"
        offset = self._decode_token(body.get("pageToken"), query_key)
        windows = []
        cursor = start
        today = self.data.today()
        while cursor < end and cursor <= today:
            window_end = min(end, cursor + timedelta(days=window))
            windows.append((cursor, window_end))
            cursor = window_end
        page = windows[offset:offset + page_size]
        out: dict[str, Any] = {"rollupDataPoints": [self._rollup(data_type, a, b) for a, b in page]}
        if offset + page_size < len(windows):
            out["nextPageToken"] = self._token(offset + page_size, query_key)
        return Response(200, out)

    def _civil_date(self, range_: Any, key: str) -> date:
        if not isinstance(range_, dict) or not isinstance(range_.get(key), dict):
            raise ApiFailure(400, f"range.{key} is required.")
        value = range_[key]
        if "date" not in value:
            bad = next(iter(value), key)
            raise ApiFailure(400, f'Invalid JSON payload received. Unknown name "{bad}" at '
                             f"'range.{key}': Cannot find field.")
        try:
            d = value["date"]
            day = date(int(d["year"]), int(d["month"]), int(d["day"]))
        except (KeyError, TypeError, ValueError):
            raise ApiFailure(400, f"range.{key}.date is not a valid date.") from None
        time_of_day = value.get("time") or {}
        if any(time_of_day.get(k) for k in ("hours", "minutes", "seconds", "nanos")):
            raise ApiFailure(400, "The range must be aligned with the aggregation window.")
        return day

    def _rollup(self, data_type: str, start: date, end: date) -> dict:
        out: dict[str, Any] = {"civilStartTime": {"date": _date_json(start)},
                               "civilEndTime": {"date": _date_json(end)}}
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        values = [self.data.truth_daily(data_type, d) for d in days]
        values = [v for v in values if v is not None]
        if not values:
            return out  # no worn data: the member is missing (a 0 would mean worn and idle)
        member = DATA_TYPES[data_type][0]
        if data_type == "active-minutes":
            totals = dict.fromkeys(LEVELS, 0)
            for v in values:
                for level, minutes in v.items():
                    totals[level] += minutes
            out[member] = {"activeMinutesRollupByActivityLevel": [
                {"activityLevel": level, "activeMinutesSum": str(m)}
                for level, m in totals.items()]}
        elif data_type == "total-calories":
            out[member] = {"kcalSum": sum(values)}
        elif data_type == "distance":
            out[member] = {"millimetersSum": str(sum(values))}
        else:
            out[member] = {"countSum": str(sum(values))}
        return out


def create_app(profile: str, seed: int, clock: Clock) -> HealthApp:
    """The Google Health stand-in with a seeded user, an OAuth client and one refresh token."""
    rng = random.Random(f"{seed}:oauth")
    client_id = f"{rng.randrange(10**11, 10**12)}-sandbox{seed}.apps.googleusercontent.com"
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    client_secret = "GOCSPX-" + "".join(rng.choice(alphabet) for _ in range(28))
    oauth = OAuthServer(clock, client_id, client_secret)
    app = HealthApp(HealthData(profile, seed, clock), oauth, oauth.new_refresh_token())
    return app


__all__ = ["HealthApp", "create_app"]
