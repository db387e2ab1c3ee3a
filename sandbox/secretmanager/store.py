"""The secrets a Secret Manager project holds: secrets, their numbered versions and states.

Version ids start at 1 and go up by one per ``addVersion``; ``latest`` names the most recently
created version whatever its state, so accessing it after disabling it fails (as documented).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import google_crc32c

ENABLED, DISABLED, DESTROYED = "ENABLED", "DISABLED", "DESTROYED"
STATE_NUMBERS = {"STATE_UNSPECIFIED": 0, ENABLED: 1, DISABLED: 2, DESTROYED: 3}
MAX_PAYLOAD_BYTES = 64 * 1024


def crc32c(data: bytes) -> int:
    """The CRC32C checksum Secret Manager reports as ``dataCrc32c``."""
    return google_crc32c.value(data)


@dataclass
class Version:
    number: int
    data: bytes
    created: datetime
    state: str = ENABLED
    client_checksum: bool = False


@dataclass
class Secret:
    name: str
    created: datetime
    versions: list[Version] = field(default_factory=list)

    def version(self, version_id: str) -> Version | None:
        """A version by number, or ``latest`` (the newest, in any state)."""
        if version_id == "latest":
            return self.versions[-1] if self.versions else None
        if not version_id.isdigit():
            return None
        return next((v for v in self.versions if v.number == int(version_id)), None)

    def add(self, data: bytes, created: datetime, client_checksum: bool = False) -> Version:
        version = Version(len(self.versions) + 1, data, created, client_checksum=client_checksum)
        self.versions.append(version)
        return version

    def latest_value(self) -> str | None:
        """The newest enabled version's payload as text (test helper)."""
        enabled = [v for v in self.versions if v.state == ENABLED]
        return enabled[-1].data.decode() if enabled else None
