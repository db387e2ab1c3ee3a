"""The machine's own time zone, the default personal time zone when none is configured."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _valid(name: str | None) -> str | None:
    name = (name or "").strip().lstrip(":")
    if not name or name.startswith("/"):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _from_localtime_link(path: Path = Path("/etc/localtime")) -> str | None:
    """``/etc/localtime -> .../zoneinfo/Europe/Berlin`` (Linux, macOS) names the zone."""
    try:
        target = str(path.resolve())
    except OSError:
        return None
    marker = "zoneinfo/"
    return _valid(target.split(marker, 1)[1]) if marker in target else None


def _from_etc_timezone(path: Path = Path("/etc/timezone")) -> str | None:
    try:
        return _valid(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def local_time_zone() -> str:
    """The IANA name of the machine's zone: ``TZ``, else the system's setting, else ``UTC``."""
    return (_valid(os.environ.get("TZ")) or _from_localtime_link() or _from_etc_timezone()
            or "UTC")
