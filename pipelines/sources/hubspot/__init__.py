"""HubSpot CRM as a dlt source: ``hubspot_source`` and ``refresh_hubspot``."""

from pipelines.runtime.runner import make_refresh
from pipelines.sources.hubspot.source import hubspot_source

# the objects file that last passed its check is remembered beside this warehouse's dlt state
refresh_hubspot = make_refresh("hubspot", hubspot_source, inject=lambda settings: {
    "objects_check_record": str(settings.state_dir / "hubspot-objects-checked")})

__all__ = ["hubspot_source", "refresh_hubspot"]
