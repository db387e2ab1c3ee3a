"""The dlt destination a run loads into, built from the project's settings."""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import dlt
from dlt.common.configuration.container import Container
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.common.destination import Destination

from pipelines.runtime.settings import Settings

# DuckDB's cache while a pipeline loads (it spills past it): uncapped it grows with the load,
# and a run on 4x the heavy HubSpot profile peaked at 680 MB (430 MB with the cap). Readers
# (status, report, dbt) open their own connections, without it. A memory_limit in
# [destination.duckdb.credentials] global_config wins.
LOAD_MEMORY_LIMIT = "128MB"


def destination_for(settings: Settings) -> Destination:
    """dlt's DuckDB or BigQuery destination for ``settings``; make one per run."""
    if settings.destination == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        destination = _load_memory_capped(dlt.destinations.duckdb(str(settings.duckdb_path)))
    else:
        # GCP_PROJECT_ID names the BigQuery project; credentials come from dlt's config
        # ([destination.bigquery.credentials]) or the default Google credentials.
        project = os.environ.get("GCP_PROJECT_ID")
        # Every connection google-cloud-bigquery opens would warn that the optional Storage
        # API client is not installed: the project reads small results over REST on purpose.
        warnings.filterwarnings("ignore", message="Cannot create BigQuery Storage client",
                                category=UserWarning)
        destination = dlt.destinations.bigquery(**({"project_id": project} if project else {}))
    return _configuration_resolved_once(destination)


def _load_memory_capped(destination: Destination) -> Destination:
    """DuckDB ``destination`` whose connections start with ``LOAD_MEMORY_LIMIT``."""
    resolve = destination.configuration

    def configuration(initial_config: Any, accept_partial: bool = False) -> Any:
        config = resolve(initial_config, accept_partial=accept_partial)
        credentials = getattr(config, "credentials", None)
        if credentials is not None and hasattr(credentials, "global_config"):
            credentials.global_config = {"memory_limit": LOAD_MEMORY_LIMIT,
                                         **(credentials.global_config or {})}
        return config

    destination.configuration = configuration  # type: ignore[method-assign]
    return destination


def _configuration_resolved_once(destination: Destination) -> Destination:
    """Resolve each configuration dlt asks this destination for once per pipeline.

    dlt asks a destination for its configuration about a dozen times per run: a partial one
    for its capabilities in every step, and a full one for every client it opens. Each time it
    looks every field up through every config provider, about a quarter of a quiet run's CPU.
    Within a run the providers do not change, so an answer is kept for the pipeline it was
    resolved for (its name is the only part of the section context a destination's lookup
    uses: dlt resolves it under explicit sections) and, for a full configuration, for the
    same initial values. A client gets a configuration that another client of the same run
    may hold too; dlt's own load workers already share one. The destination's class is left
    alone, because dlt records it in the pipeline's state; make one destination per run.
    """
    resolve = destination.configuration
    resolved: dict[tuple, Any] = {}

    def configuration(initial_config: Any, accept_partial: bool = False) -> Any:
        values = None  # a partial configuration (capabilities) is kept per pipeline alone
        if not accept_partial:
            values = _plain_values(initial_config)
            if values is None:  # holds objects: resolve as dlt does
                return resolve(initial_config, accept_partial)
        key = (Container()[ConfigSectionContext].pipeline_name, values)
        if key not in resolved:
            resolved[key] = resolve(initial_config, accept_partial=accept_partial)
        return resolved[key]

    destination.configuration = configuration  # type: ignore[method-assign]
    return destination


def _plain_values(initial_config: Any) -> str | None:
    """The initial values of a full configuration as text, or None if one is an object.

    dlt's load jobs pass configurations that already hold resolved credentials (and their
    connection pool): those resolve quickly and are not kept.
    """
    values = dict(initial_config) if initial_config is not None else {}
    if not all(value is None or isinstance(value, str | int | float | bool)
               for value in values.values()):
        return None
    return json.dumps(values, sort_keys=True)
