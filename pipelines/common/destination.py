"""The dlt destination a run loads into, built from the project's settings."""

from __future__ import annotations

import os
from typing import Any

import dlt
from dlt.common.configuration.container import Container
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.common.destination import Destination

from pipelines.common.settings import Settings


def destination_for(settings: Settings) -> Destination:
    """dlt's DuckDB or BigQuery destination for ``settings``; make one per run."""
    if settings.destination == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        destination = dlt.destinations.duckdb(str(settings.duckdb_path))
    else:
        # GCP_PROJECT_ID names the BigQuery project; credentials come from dlt's config
        # ([destination.bigquery.credentials]) or the default Google credentials.
        project = os.environ.get("GCP_PROJECT_ID")
        destination = dlt.destinations.bigquery(**({"project_id": project} if project else {}))
    return _capabilities_config_resolved_once(destination)


def _capabilities_config_resolved_once(destination: Destination) -> Destination:
    """Resolve the configuration dlt reads capabilities from once per config section.

    dlt asks a destination for its capabilities a dozen times per run, and each time resolves a
    partial configuration through every config provider (about a fifth of a quiet run's CPU).
    Within a run the providers do not change, so the first answer is kept for the section
    (the pipeline's name) it was resolved in. Only that partial resolution is kept: the full
    configuration a client gets is still resolved each time. The destination's class is left
    alone, because dlt records it in the pipeline's state.
    """
    resolve = destination.configuration
    resolved: dict[tuple, Any] = {}

    def configuration(initial_config: Any, accept_partial: bool = False) -> Any:
        if not accept_partial:  # a client's full configuration
            return resolve(initial_config, accept_partial)
        section = Container()[ConfigSectionContext]
        key = (section.pipeline_name, tuple(section.sections))
        if key not in resolved:
            resolved[key] = resolve(initial_config, accept_partial=True)
        return resolved[key]

    destination.configuration = configuration  # type: ignore[method-assign]
    return destination
