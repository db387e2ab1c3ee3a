"""HubSpot CRM as a dlt source: ``hubspot_source`` and ``refresh_hubspot``."""

from pipelines.common.runner import make_refresh
from pipelines.hubspot.source import hubspot_source

refresh_hubspot = make_refresh("hubspot", hubspot_source)

__all__ = ["hubspot_source", "refresh_hubspot"]
