"""The machine's own time zone, the default personal time zone when none is configured."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger("prp.settings")
_warned: set[str] = set()


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


def _warn_once_if_invalid(tz: str | None, used: str) -> None:
    """``TZ`` names no zone: say so once per process (settings are read many times a run).

    A path (``:/etc/localtime``) is how POSIX points at a zone file: not a mistake."""
    name = (tz or "").strip().lstrip(":")
    if not name or name.startswith("/") or name in _warned:
        return
    _warned.add(name)
    log.warning("TZ=%r is not a time zone name; using %s instead (set TZ to an IANA name such "
                "as Europe/London, or prp.timezone)", tz, used)


def local_time_zone() -> str:
    """The IANA name of the machine's zone: ``TZ``, else the system's setting, else ``UTC``.

    An invalid ``TZ`` is warned about once, naming it and the zone used instead.
    """
    tz = os.environ.get("TZ")
    named = _valid(tz)
    if named:
        return named
    fallback = _from_localtime_link() or _from_etc_timezone() or "UTC"
    _warn_once_if_invalid(tz, fallback)
    return fallback
