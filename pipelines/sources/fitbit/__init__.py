"""Fitbit data from the Google Health API v4: ``fitbit_source``, ``refresh_fitbit`` and its ``SPEC``.

``refresh_fitbit(is_incremental=None, pipeline=None, initial_date=None, end_date=None)`` runs
the source through the shared runner, which injects the OAuth auth object (with the store that
keeps a rotated refresh token) and the fallback time zone; ``prp auth fitbit``
(``pipelines.sources.fitbit.authorize``) obtains the refresh token.
"""

from pipelines.runtime.privacy import SourcePrivacy
from pipelines.runtime.runner import make_refresh
from pipelines.runtime.source_spec import SourceSpec
from pipelines.sources import privacy_defaults
from pipelines.sources.fitbit.doctor import check_fitbit, check_token_store
from pipelines.sources.fitbit.health_rows import (
    DAILY_TYPES,
    EXERCISE_TABLE,
    SAMPLE_TYPES,
    ZONES_TABLE,
)
from pipelines.sources.fitbit.oauth import fitbit_injections
from pipelines.sources.fitbit.rows import ACTIVITY_TABLE, RESTING_TABLE, SLEEP_TABLE
from pipelines.sources.fitbit.source import fitbit_source

refresh_fitbit = make_refresh("fitbit", fitbit_source, inject=fitbit_injections,
                              privacy=privacy_defaults)


def authorize(open_browser: bool = True, timeout: float = 300.0) -> None:
    """``prp auth fitbit``: the OAuth consent flow, storing the refresh token."""
    from pipelines.sources.fitbit.authorize import authorize_fitbit

    authorize_fitbit(open_browser=open_browser, timeout=timeout)


SPEC = SourceSpec(
    name="fitbit",
    label="Fitbit",
    refresh=refresh_fitbit,
    tables=(SLEEP_TABLE, ACTIVITY_TABLE, RESTING_TABLE, *(t.table for t in DAILY_TYPES),
            ZONES_TABLE, EXERCISE_TABLE, *(t.table for t in SAMPLE_TYPES)),
    marts=("fct_sleep_nightly", "fct_activity_daily", "fct_health_daily", "fct_workouts"),
    connect="set [sources.fitbit] client_id and client_secret, run `prp auth fitbit` once, "
            "then `prp refresh fitbit && prp transform && prp report`",
    doctor=check_fitbit,
    credentials=("client_id", "client_secret", "refresh_token"),
    secrets_check=check_token_store,
    authorize=authorize,
    # what a person types (workout and weigh-in notes, a custom workout name) is redacted in
    # the cloud; the measurements themselves are kept, as every health mart needs them
    privacy=SourcePrivacy(cloud={
        EXERCISE_TABLE: {"notes": "redact", "display_name": "redact"},
        **{t.table: {"notes": "redact"} for t in SAMPLE_TYPES},
    }),
)

__all__ = ["SPEC", "fitbit_source", "refresh_fitbit"]
