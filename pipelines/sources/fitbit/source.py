"""Fitbit data (sleep, activity, heart rate, vitals, exercise, body) from the Google Health API v4.

The legacy Fitbit Web API was shut down in November 2026; the user's Fitbit data is now served
by ``health.googleapis.com/v4`` with Google OAuth. The tables keep the name ``fitbit`` (the
device and the data): ``fitbit__sleep``, ``fitbit__activity_daily``,
``fitbit__resting_heart_rate`` and the health tables of ``health_rows.py``. A resource whose
scope the grant lacks is skipped with one warning; the others load.

Incremental by local date: the API has no modified-since cursor and devices sync late, so every
run re-reads a look-back window (``lookback_days``, default 7) before the newest date it read
(``OverlapCursor``), skips what comes back unchanged, and deletes rows the warehouse holds for
that window that the API no longer returns (``deletions.py``). A full refresh (or a first run)
reads from ``initial_date`` (never before the account's membership start). The dates a resource
reads come from ``window.py``, what it reads and yields from ``resources.py``. Sleep comes from
``dataPoints:reconcile``: one session per night even when two devices recorded it; its order is
not documented, so the read is bounded by the end-time filter and always runs to its last page.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import dlt

import pipelines.sources.fitbit.resources as read
from pipelines.runtime.context import RunContext, run_context
from pipelines.runtime.dates import parse_initial_date
from pipelines.runtime.errors import ConfigurationError
from pipelines.sources.fitbit.client import HealthClient
from pipelines.sources.fitbit.health_rows import (
    DAILY_TYPES,
    EXERCISE_COLUMNS,
    EXERCISE_TABLE,
    RESTING,
    SAMPLE_TYPES,
    ZONES_COLUMNS,
    ZONES_TABLE,
)
from pipelines.sources.fitbit.oauth import REAUTHORISE_HINT, GoogleOAuth
from pipelines.sources.fitbit.rows import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TABLE,
    SLEEP_COLUMNS,
    SLEEP_TABLE,
)
from pipelines.sources.fitbit.window import FitbitContext

log = logging.getLogger("prp.fitbit")

ACTIVITY_SCOPE = "activity_and_fitness.readonly"
HEALTH_SCOPE = "health_metrics_and_measurements.readonly"
# the scope (after googlehealth.) each resource needs, by the data types table of the docs; a
# resource not granted is skipped
RESOURCE_SCOPES = {"sleep": "sleep.readonly",
                   "activity_daily": ACTIVITY_SCOPE,
                   "resting_heart_rate": HEALTH_SCOPE,
                   **{t.resource: ACTIVITY_SCOPE if t.data_type == "daily-vo2-max"
                      else HEALTH_SCOPE for t in DAILY_TYPES},
                   "heart_rate_zones": ACTIVITY_SCOPE,
                   "exercise": ACTIVITY_SCOPE,
                   **{t.resource: HEALTH_SCOPE for t in SAMPLE_TYPES}}


def _granted_resources(auth: GoogleOAuth, run: RunContext) -> set[str]:
    """Resources whose scope the user granted; one warning per scope left out, naming the
    resources it skips."""
    granted = {name for name, scope in RESOURCE_SCOPES.items() if auth.granted(scope)}
    for scope in dict.fromkeys(RESOURCE_SCOPES.values()):
        if auth.granted(scope):
            continue
        skipped = ", ".join(n for n, s in RESOURCE_SCOPES.items() if s == scope)
        run.warn(log, f"fitbit: {skipped} skipped: the grant lacks the scope "
                      f"googlehealth.{scope} (the box was unticked at consent); to load "
                      f"{'them' if ',' in skipped else 'it'}, {REAUTHORISE_HINT} and tick it")
    if not granted:
        raise ConfigurationError("fitbit: the grant includes none of the scopes this source "
                                 f"reads ({', '.join(dict.fromkeys(RESOURCE_SCOPES.values()))}): "
                                 f"{REAUTHORISE_HINT}")
    return granted


@dlt.source(name="fitbit", max_table_nesting=0)
def fitbit_source(
    auth: Any = None,
    fallback_time_zone: str = "UTC",
    configured_time_zone: str | None = None,
    base_url: str = dlt.config.value,
    lookback_days: int = 7,
    initial_date: str = "2020-01-01",
    requests_per_second: float = 5.0,
    full_refresh: bool = False,
    since: date | None = None,
    until: date | None = None,
    run: Any = None,
):
    """Sleep, daily activity, resting heart rate, daily vitals (HRV, SpO2, respiratory rate,
    sleep temperature, VO2 max), heart-rate zones, exercise, weight and body fat of the
    authorised user.

    ``auth`` is a ``GoogleOAuth`` (the runner injects it, see ``oauth.fitbit_injections``).
    The access token is refreshed here, before any resource runs, so a rotated refresh token
    is persisted before the first data request and the granted scopes are known. ``run`` is the
    run's context (the runner passes it; see ``pipelines.runtime.context``).
    """
    run = run_context(run, "fitbit")
    if not isinstance(auth, GoogleOAuth):
        raise ConfigurationError("fitbit: fitbit_source needs auth=GoogleOAuth(...) "
                                 "(refresh_fitbit builds it from [sources.fitbit])")
    first_date = parse_initial_date("fitbit", initial_date)
    if int(lookback_days) < 0:
        raise ConfigurationError("sources.fitbit.lookback_days must be 0 or more")
    auth.session.metrics = run.metrics  # token requests and 401 re-sends count in this run
    auth.refresh()
    granted = _granted_resources(auth, run)
    client = HealthClient(base_url, auth, requests_per_second=float(requests_per_second),
                          metrics=run.metrics)
    ctx = FitbitContext(client, auth, full_refresh, since, until, first_date, int(lookback_days),
                        fallback_time_zone, configured_time_zone)
    resources = {
        "sleep": dlt.resource(read.sleep(ctx), name="sleep", table_name=SLEEP_TABLE,
                              primary_key="sleep_id", write_disposition="merge",
                              columns=SLEEP_COLUMNS),
        "activity_daily": dlt.resource(read.activity(ctx), name="activity_daily",
                                       table_name=ACTIVITY_TABLE,
                                       primary_key="activity_date", write_disposition="merge",
                                       columns=ACTIVITY_COLUMNS),
        "heart_rate_zones": dlt.resource(read.zones(ctx), name="heart_rate_zones",
                                         table_name=ZONES_TABLE, primary_key="zone_date",
                                         write_disposition="merge", columns=ZONES_COLUMNS),
        "exercise": dlt.resource(read.exercise(ctx), name="exercise", table_name=EXERCISE_TABLE,
                                 primary_key="exercise_id", write_disposition="merge",
                                 columns=EXERCISE_COLUMNS),
    }
    for kind in (RESTING, *DAILY_TYPES):
        resources[kind.resource] = dlt.resource(
            read.daily(ctx, kind), name=kind.resource, table_name=kind.table,
            primary_key="measured_date", write_disposition="merge", columns=kind.columns)
    for sample in SAMPLE_TYPES:
        resources[sample.resource] = dlt.resource(
            read.samples(ctx, sample), name=sample.resource, table_name=sample.table,
            primary_key="measurement_id", write_disposition="merge", columns=sample.columns)
    return [resource for name, resource in resources.items() if name in granted]
