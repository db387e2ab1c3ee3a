"""``prp doctor`` for HubSpot: list one record of every configured object type."""

from __future__ import annotations

import dlt
import requests
from dlt.common.configuration import with_config

from pipelines.runtime.checks import TIMEOUT, json_body, secret, setting
from pipelines.runtime.errors import ConfigurationError, PipelineError


@with_config(sections=("sources", "hubspot"))
def _hubspot_key(api_key: str = dlt.secrets.value) -> str:
    return api_key


def check_hubspot() -> str:
    """List one record of every configured object type with the private-app token."""
    from pipelines.sources.hubspot.client import required_scopes
    from pipelines.sources.hubspot.objects import load_objects

    token = secret(_hubspot_key)
    base = setting("sources.hubspot", "base_url", "https://api.hubapi.com").rstrip("/")
    objects, engagements = load_objects(dlt.config.get("sources.hubspot.objects_file"))
    missing: list[str] = []
    for spec in [*objects, *engagements]:
        response = requests.get(f"{base}/crm/v3/objects/{spec.object_type}", params={"limit": 1},
                                headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
        if response.status_code == 401:
            raise ConfigurationError("sources.hubspot.api_key was rejected (401): create a new "
                                     "private-app access token and store it there")
        if response.status_code == 403:
            missing += [s for s in required_scopes(json_body(response)) or [spec.object_type]
                        if s not in missing]
        elif response.status_code >= 300:
            raise PipelineError(f"HubSpot answered {response.status_code} for {spec.object_type}")
    if missing:
        raise ConfigurationError(f"the HubSpot private app lacks scope(s) {', '.join(missing)}: "
                                 "grant them in HubSpot (Settings > Integrations > Private apps)")
    return f"token accepted, {len(objects) + len(engagements)} object types readable"
