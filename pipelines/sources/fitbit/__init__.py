"""Fitbit data from the Google Health API v4: ``fitbit_source`` and ``refresh_fitbit``.

``refresh_fitbit(is_incremental=None, pipeline=None, initial_date=None, end_date=None)`` runs
the source through the shared runner, which injects the OAuth auth object (with the store that
keeps a rotated refresh token) and the fallback time zone; ``prp auth fitbit``
(``pipelines.sources.fitbit.authorize``) obtains the refresh token.
"""

from pipelines.runtime.runner import make_refresh
from pipelines.sources.fitbit.oauth import fitbit_injections
from pipelines.sources.fitbit.source import fitbit_source

refresh_fitbit = make_refresh("fitbit", fitbit_source, inject=fitbit_injections)

__all__ = ["fitbit_source", "refresh_fitbit"]
