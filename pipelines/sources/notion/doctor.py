"""``prp doctor`` for Notion: search for one data source shared with the integration."""

from __future__ import annotations

import dlt
import requests
from dlt.common.configuration import with_config

from pipelines.runtime.checks import TIMEOUT, json_body, secret, setting
from pipelines.runtime.errors import ConfigurationError, PipelineError


@with_config(sections=("sources", "notion"))
def _notion_key(api_key: str = dlt.secrets.value) -> str:
    return api_key


def check_notion() -> str:
    """Search for one data source shared with the integration."""
    token = secret(_notion_key)
    base = setting("sources.notion", "base_url", "https://api.notion.com").rstrip("/")
    version = setting("sources.notion", "notion_version", "2026-03-11")
    response = requests.post(f"{base}/v1/search", timeout=TIMEOUT,
                             json={"filter": {"property": "object", "value": "data_source"},
                                   "page_size": 1},
                             headers={"Authorization": f"Bearer {token}", "Notion-Version": version})
    if response.status_code == 401:
        raise ConfigurationError("sources.notion.api_key was rejected (401): copy the internal "
                                 "integration secret again and store it there")
    if response.status_code >= 300:
        raise PipelineError(f"Notion answered {response.status_code} to a search")
    if not json_body(response).get("results"):
        raise ConfigurationError("the Notion integration sees no database: share your habit "
                                 "databases with it (... > Connections)")
    return "token accepted, databases shared"
