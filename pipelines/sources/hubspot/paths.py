"""HubSpot's date-versioned CRM paths (``api-facts.md`` §7.1-7.2), the version a setting.

``/crm/v4/associations`` loses support on 2027-03-30 and ``/crm/v3/...`` in September 2027;
HubSpot asks integrations to move straight to the date-based versions. Every call the source
and ``prp doctor`` make goes through ``ApiPaths``, so one setting
(``[sources.hubspot] api_version``, default ``2026-09``, the latest GA) moves them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.runtime.errors import ConfigurationError

DEFAULT_API_VERSION = "2026-09"
# a release (``2026-09``) or a beta (``2026-09-beta``); HubSpot ships one each March and September
_VERSION = re.compile(r"^20\d\d-(0[1-9]|1[0-2])(-beta)?$")


def checked_version(version: str | None) -> str:
    """``version`` when it is a HubSpot date version, else a ``ConfigurationError``."""
    text = str(version or DEFAULT_API_VERSION).strip()
    if not _VERSION.match(text):
        raise ConfigurationError(
            f"sources.hubspot.api_version {text!r} is not a HubSpot API version: use a date "
            f"version such as {DEFAULT_API_VERSION!r} (YYYY-MM)")
    return text


@dataclass(frozen=True)
class ApiPaths:
    """The paths of one HubSpot API version."""

    version: str = DEFAULT_API_VERSION

    def objects(self, object_type: str) -> str:
        return f"/crm/objects/{self.version}/{object_type}"

    def search(self, object_type: str) -> str:
        return f"/crm/objects/{self.version}/{object_type}/search"

    def properties(self, object_type: str) -> str:
        return f"/crm/properties/{self.version}/{object_type}"

    def association_batch_read(self, from_type: str, to_type: str) -> str:
        return f"/crm/associations/{self.version}/{from_type}/{to_type}/batch/read"
