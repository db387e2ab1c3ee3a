"""``prp doctor`` for HubSpot: list one record of every configured object type with the key.

The key is a Service Key (HubSpot > Development > Keys > Service keys) or an existing legacy
private-app token: both travel as ``Authorization: Bearer`` and look alike (``pat-...``), so
nothing here tells them apart. A refused scope is named as the box to tick on the key.
"""

from __future__ import annotations

import dlt
import requests
from dlt.common.configuration import with_config

from pipelines.runtime.checks import TIMEOUT, json_body, secret, setting
from pipelines.runtime.errors import ConfigurationError, PipelineError

CREATE_KEY = ("in HubSpot open Development > Keys > Service keys > Create service key (super "
              "admins and users with Developer tools access can)")
# the scopes each object type needs in 2026-09 (api-facts §7.3), named when a 403 names none
SCOPES = {"contacts": ("crm.objects.contacts.read",),
          "companies": ("crm.objects.companies.read",),
          "emails": ("crm.objects.contacts.read", "sales-email-read")}
ENGAGEMENT_SCOPES = ("crm.objects.contacts.read",)


@with_config(sections=("sources", "hubspot"))
def _hubspot_key(api_key: str = dlt.secrets.value) -> str:
    return api_key


def scopes_for(object_type: str) -> tuple[str, ...]:
    """The read scopes an object type needs on the key (every engagement needs contacts')."""
    return SCOPES.get(object_type, ENGAGEMENT_SCOPES)


def check_hubspot() -> str:
    """List one record of every configured object type with the Service Key."""
    from pipelines.sources.hubspot.client import required_scopes
    from pipelines.sources.hubspot.objects import load_objects
    from pipelines.sources.hubspot.paths import DEFAULT_API_VERSION, ApiPaths, checked_version

    token = secret(_hubspot_key)
    base = setting("sources.hubspot", "base_url", "https://api.hubapi.com").rstrip("/")
    paths = ApiPaths(checked_version(setting("sources.hubspot", "api_version",
                                             DEFAULT_API_VERSION)))
    objects, engagements = load_objects(dlt.config.get("sources.hubspot.objects_file"))
    missing: list[str] = []
    refused: list[str] = []
    for spec in [*objects, *engagements]:
        response = requests.get(f"{base}{paths.objects(spec.object_type)}",
                                params={"limit": 1},
                                headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
        if response.status_code == 401:
            raise ConfigurationError(
                "sources.hubspot.api_key was rejected (401): it is expired, rotated or mistyped; "
                f"{CREATE_KEY}, tick the read scopes `prp doctor` names (or the README lists) "
                "and store the key there")
        if response.status_code == 403:
            refused.append(spec.object_type)
            missing += [s for s in required_scopes(json_body(response))
                        or scopes_for(spec.object_type) if s not in missing]
        elif response.status_code >= 300:
            raise PipelineError(f"HubSpot answered {response.status_code} for "
                                f"{paths.objects(spec.object_type)}")
    if missing:
        raise ConfigurationError(
            f"the HubSpot key cannot read {', '.join(refused)}: tick the scope(s) "
            f"{', '.join(missing)} on the Service Key (HubSpot > Development > Keys > Service "
            "keys > your key > Scopes; a legacy private app: Settings > Integrations > Private "
            "apps > Scopes), or drop those objects from the objects file")
    return (f"key accepted, {len(objects) + len(engagements)} object types readable "
            f"(API {paths.version})")
