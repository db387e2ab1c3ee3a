"""Project-wide settings (destination, datasets, time zone), resolved when a command runs.

They come from dlt's providers in dlt's order: environment (``PRP__DESTINATION``),
``.dlt/secrets.toml``, ``.dlt/config.toml`` (section ``[prp]``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt

from pipelines.common.errors import ConfigurationError

DESTINATIONS = ("duckdb", "bigquery")


def _setting(key: str, default: str) -> str:
    value = dlt.config.get(f"prp.{key}")
    return default if value in (None, "") else str(value)


@dataclass(frozen=True)
class Settings:
    """Where data lands and how dates are shown."""

    destination: str
    target: str
    duckdb_path: Path
    raw_dataset_base: str
    analytics_dataset_base: str
    timezone: str

    @property
    def is_prod(self) -> bool:
        return self.target == "prod"

    def _prefixed(self, name: str) -> str:
        return name if self.is_prod else f"{self.target}_{name}"

    @property
    def raw_dataset(self) -> str:
        """Raw dataset, prefixed with the target outside prod (``dev_raw_data``)."""
        return self._prefixed(self.raw_dataset_base)

    @property
    def analytics_dataset(self) -> str:
        return self._prefixed(self.analytics_dataset_base)


def load_settings() -> Settings:
    """Read and check the project settings; bad values raise ``ConfigurationError``."""
    destination = _setting("destination", "duckdb").lower()
    if destination not in DESTINATIONS:
        raise ConfigurationError(
            f"prp.destination must be one of {', '.join(DESTINATIONS)}, got {destination!r} "
            "(set PRP__DESTINATION or [prp] destination in .dlt/config.toml)"
        )
    timezone = _setting("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"prp.timezone {timezone!r} is not an IANA time zone such as 'Europe/London' "
            "(set PRP__TIMEZONE or [prp] timezone in .dlt/config.toml)"
        ) from exc
    default_target = "prod" if destination == "bigquery" else "dev"
    return Settings(
        destination=destination,
        target=_setting("target", default_target),
        duckdb_path=Path(_setting("duckdb_path", "data/warehouse.duckdb")).resolve(),
        raw_dataset_base=os.environ.get("BIGQUERY_DATASET") or _setting("raw_dataset", "raw_data"),
        analytics_dataset_base=_setting("analytics_dataset", "analytics"),
        timezone=timezone,
    )
