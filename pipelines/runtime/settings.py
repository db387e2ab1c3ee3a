"""Project-wide settings (destination, datasets, time zone), resolved when a command runs.

They come from dlt's providers in dlt's order: environment (``PRP__DESTINATION``),
``.dlt/secrets.toml``, ``.dlt/config.toml`` (section ``[prp]``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.local_zone import local_time_zone

DESTINATIONS = ("duckdb", "bigquery")
# dlt's loader file formats. DuckDB defaults to parquet: on the heavy bench profile it loads
# ~20x faster than insert_values and peaks at 449 MB instead of 5.6 GB (bench/results).
LOADER_FILE_FORMATS = ("parquet", "insert_values", "jsonl", "csv")
DEFAULT_LOADER_FILE_FORMAT = {"duckdb": "parquet", "bigquery": None}  # None: dlt's own default
# Dataset names become schema names on both engines: letters, digits and underscores only.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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
    data_dir: Path = field(default_factory=lambda: Path("data").resolve())
    lock_timeout_seconds: float = 30.0
    timezone_configured: bool = False  # set by the person, so it outranks an account's zone
    loader_file_format: str | None = None  # None: dlt's default for the destination
    stall_notice_seconds: float = 10.0  # a request without an answer this long is reported

    @property
    def warehouse_label(self) -> str:
        """The warehouse as a person names it: the DuckDB file, or the BigQuery project."""
        if self.destination == "duckdb":
            return str(self.duckdb_path)
        return f"bigquery:{os.environ.get('GCP_PROJECT_ID') or 'default project'}"

    @property
    def state_dir(self) -> Path:
        """dlt's working directory for this warehouse and raw dataset (state belongs to it)."""
        key = hashlib.sha256(self.warehouse_label.encode()).hexdigest()[:10]
        return self.data_dir / "dlt" / f"{self.destination}-{self.raw_dataset}-{key}"

    @property
    def lock_file(self) -> Path:
        """The project's lock for this warehouse (``pipelines.runtime.lock``)."""
        key = hashlib.sha256(self.warehouse_label.encode()).hexdigest()[:10]
        return self.data_dir / "dlt" / f"{self.destination}-{key}.lock"

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
    # unset: the machine's own zone (the Fitbit source prefers the account's zone when readable)
    configured_zone = _setting("timezone", "")
    timezone = configured_zone or local_time_zone()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"prp.timezone {timezone!r} is not an IANA time zone such as 'Europe/London' "
            "(set PRP__TIMEZONE or [prp] timezone in .dlt/config.toml)"
        ) from exc
    default_target = "prod" if destination == "bigquery" else "dev"
    target = _identifier("target", _setting("target", default_target), "PRP__TARGET")
    raw_dataset = os.environ.get("BIGQUERY_DATASET") or _setting("raw_dataset", "raw_data")
    return Settings(
        destination=destination,
        target=target,
        duckdb_path=Path(_setting("duckdb_path", "data/warehouse.duckdb")).resolve(),
        raw_dataset_base=_identifier("raw_dataset", raw_dataset, "PRP__RAW_DATASET or BIGQUERY_DATASET"),
        analytics_dataset_base=_identifier("analytics_dataset", _setting("analytics_dataset", "analytics"),
                                           "PRP__ANALYTICS_DATASET"),
        timezone=timezone,
        timezone_configured=bool(configured_zone),
        data_dir=Path(_setting("data_dir", "data")).resolve(),
        lock_timeout_seconds=_seconds("lock_timeout_seconds", "30"),
        loader_file_format=_loader_file_format(destination),
        stall_notice_seconds=_seconds("stall_notice_seconds", "10"),
    )


def _loader_file_format(destination: str) -> str | None:
    """The file format dlt writes load packages in: the setting, else the destination's default."""
    value = _setting("loader_file_format", "").lower()
    if not value:
        return DEFAULT_LOADER_FILE_FORMAT[destination]
    if value not in LOADER_FILE_FORMATS:
        raise ConfigurationError(
            f"prp.loader_file_format must be one of {', '.join(LOADER_FILE_FORMATS)}, got {value!r} "
            "(set PRP__LOADER_FILE_FORMAT or [prp] loader_file_format in .dlt/config.toml)")
    return value


def _identifier(key: str, value: str, env: str) -> str:
    """A target or dataset name that is a valid schema name on both engines, as given."""
    if not IDENTIFIER.match(value):
        raise ConfigurationError(
            f"prp.{key} {value!r} is not a valid name: use letters, digits and underscores, "
            f"starting with a letter (set {env} or [prp] {key} in .dlt/config.toml)")
    return value


def _seconds(key: str, default: str) -> float:
    value = _setting(key, default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise ConfigurationError(f"prp.{key} {value!r} is not a number of seconds (set "
                                 f"PRP__{key.upper()} or [prp] {key} in .dlt/config.toml)")
    return seconds


def ensure_writable(settings: Settings) -> None:
    """Create the data and warehouse directories, or fail naming the setting that points there."""
    targets = [("data_dir", settings.data_dir)]
    if settings.destination == "duckdb":
        targets.append(("duckdb_path", settings.duckdb_path.parent))
    for key, directory in targets:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if not os.access(directory, os.W_OK):
                raise PermissionError(f"{directory} is not writable")
        except OSError as exc:
            raise ConfigurationError(
                f"prp.{key} points to {directory}, which cannot be created or written "
                f"({exc.strerror or exc}); set PRP__{key.upper()} to a writable path") from None
