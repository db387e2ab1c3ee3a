"""Google Health API v4 and Google OAuth over HTTP, on one loopback origin.

Routes: ``GET /v4/users/me/dataTypes/{type}/dataPoints`` (AIP-160 filter, pageSize, pageToken,
newest first), ``GET .../dataPoints:reconcile`` (the same, one stream merged across devices,
plus dataSourceFamily, in an order the documentation does not state:
``modes.reconcile_order``), ``POST .../dataPoints:dailyRollUp`` (civil days, per-type maximum
range),
``GET /v4/users/me/{identity,profile,settings}``, ``POST /token``, ``GET /o/oauth2/v2/auth``.
Limits: 300 requests per minute per user (429 RESOURCE_EXHAUSTED), 401 UNAUTHENTICATED for a
missing, unknown or expired access token, 403 for a missing scope.

This module wires the routes; the concerns live beside it: ``access`` (tokens and scopes),
``errors`` (the error shape), ``filters`` (AIP-160), ``listing`` (dataPoints.list/reconcile),
``modes`` (switches for open evidence),
``rollup`` (dailyRollUp), ``paging`` (page tokens) and ``render`` (JSON shapes).
"""

from __future__ import annotations

import base64
import binascii
import math
import random
from collections import Counter
from collections.abc import Callable

from sandbox.clock import Clock
from sandbox.google import listing, rollup
from sandbox.google.access import access_denied
from sandbox.google.data import HealthData
from sandbox.google.errors import QUOTA_MESSAGE, ApiFailure, error_response
from sandbox.google.modes import HealthModes
from sandbox.google.oauth import SCOPE_PREFIX, OAuthError, OAuthServer
from sandbox.google.render import date_json, duration
from sandbox.ratelimit import SlidingWindowLimit
from sandbox.server import App, Request, Response


class HealthApp(App):
    """The Google Health API stand-in. ``filter_mode`` is ``observed`` (default) or ``documented``.

    ``documented`` accepts the filter members of the discovery document; ``observed`` is as
    strict as a live client saw the API in July 2026: interval types take only
    ``civil_start_time >=``, daily types only ``date >=``, sleep takes no filter at all and
    ``floors`` refuses list. Pipelines must work against both.
    """

    name = "google"
    unlimited_env = {"SOURCES__FITBIT__REQUESTS_PER_SECOND": "200"}

    def __init__(self, data: HealthData, oauth: OAuthServer, refresh_token: str):
        super().__init__()
        self.data = data
        self.oauth = oauth
        self.refresh_token = refresh_token
        self.filter_mode = "observed"
        self.modes = HealthModes()
        self.limit = SlidingWindowLimit(300, 60.0)
        self.send_retry_after = False  # whether Google sends Retry-After on 429 is unverified
        self.empty_pages = 0  # the next N list pages come back empty but with a token
        self.snapshots = listing.Snapshots()  # a listing's later pages reuse its first scan
        self.calls: Counter[tuple[str, str]] = Counter()  # (method, data type) -> requests
        self.rejected = 0  # 429 answers sent (faults and the per-user limit)
        # called with each authorised /v4/ request before it is answered (test probes)
        self.observers: list[Callable[[Request], None]] = []
        self.route("GET", "/v4/users/{user}/dataTypes/{dataType}/dataPoints", self.list_points)
        self.route("GET", "/v4/users/{user}/dataTypes/{dataType}/dataPoints:reconcile",
                   self.reconcile_points)
        self.route("POST", "/v4/users/{user}/dataTypes/{dataType}/dataPoints:dailyRollUp",
                   self.daily_roll_up)
        self.route("GET", "/v4/users/{user}/identity", self.identity)
        self.route("GET", "/v4/users/{user}/profile", self.profile)
        self.route("GET", "/v4/users/{user}/settings", self.settings)
        self.route("POST", "/token", self.token)
        self.route("GET", "/o/oauth2/v2/auth", self.authorize)

    # --- plumbing -------------------------------------------------------------------------

    def refresh_token_for(self, *scopes: str) -> str:
        """A refresh token granting only ``scopes`` (suffixes such as ``"sleep.readonly"``)."""
        return self.oauth.new_refresh_token(tuple(SCOPE_PREFIX + s for s in scopes))

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
        return error_response(status, code, message, reason, method)

    def rate_limited(self, retry_after: int | None) -> Response:
        self.rejected += 1
        response = self.error(429, "RESOURCE_EXHAUSTED", QUOTA_MESSAGE,
                              reason="RATE_LIMIT_EXCEEDED")
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
        denied = access_denied(request, self.oauth)
        if denied is not None:
            return denied
        wait = self.limit.hit()
        if wait is not None:
            return self.rate_limited(math.ceil(wait))
        if request.params.get("user") != "me" and request.params.get("user") != (
                self.data.health_user_id):
            return self.error(404, "NOT_FOUND", "User not found.")
        for observer in self.observers:
            observer(request)
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
            location = self.oauth.authorize(query, unticked=self.modes.consent_unticked)
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
                              "membershipStartDate": date_json(self.data.first_day),
                              "autoWalkingStrideLengthMm": 742, "autoRunningStrideLengthMm": 1103})

    def settings(self, request: Request) -> Response:
        offset = self.data.offset_at(self.data.now())
        return Response(200, {"name": "users/me/settings", "timeZone": self.data.time_zone,
                              "utcOffset": duration(offset),
                              "distanceUnit": "DISTANCE_UNIT_KILOMETERS",
                              "weightUnit": "WEIGHT_UNIT_KILOGRAMS",
                              "languageLocale": "en_GB"})

    # --- data points ----------------------------------------------------------------------

    def list_points(self, request: Request) -> Response:
        data_type = request.params["dataType"]
        self.calls[("list", data_type)] += 1
        query = listing.parse_list(data_type, request, self.filter_mode,
                                   second_device=self.modes.second_device)
        return self.points_page(query)

    def reconcile_points(self, request: Request) -> Response:
        data_type = request.params["dataType"]
        self.calls[("reconcile", data_type)] += 1
        query = listing.parse_list(data_type, request, self.filter_mode, reconcile=True,
                                   order=self.modes.reconcile_order)
        return self.points_page(query)

    def points_page(self, query: listing.ListQuery) -> Response:
        if self.empty_pages > 0:
            self.empty_pages -= 1
            return Response(200, listing.empty_page(query))
        return Response(200, listing.list_page(self.data, query, self.snapshots))

    def daily_roll_up(self, request: Request) -> Response:
        data_type = request.params["dataType"]
        self.calls[("dailyRollUp", data_type)] += 1
        return Response(200, rollup.daily_roll_up(self.data, data_type, request,
                                                  self.modes.rollup_max_days))


def create_app(profile: str, seed: int, clock: Clock, scale: int = 1) -> HealthApp:
    """The Google Health stand-in with a seeded user (``scale`` times the profile's days of
    history), an OAuth client and one refresh token."""
    rng = random.Random(f"{seed}:oauth")
    client_id = f"{rng.randrange(10**11, 10**12)}-sandbox{seed}.apps.googleusercontent.com"
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    client_secret = "GOCSPX-" + "".join(rng.choice(alphabet) for _ in range(28))
    oauth = OAuthServer(clock, client_id, client_secret)
    app = HealthApp(HealthData(profile, seed, clock, scale=scale), oauth, oauth.new_refresh_token())
    return app


__all__ = ["HealthApp", "create_app"]
