"""Incremental or full refresh, decided by the seed's rules.

In order of precedence:
1. an explicit ``is_incremental`` argument (``refresh_notion(is_incremental=False)``);
2. ``FORCE_FULL_REFRESH=true|1|yes`` (the workflow input sets it);
3. ``PIPELINE_NAME=<SOURCE>`` together with ``<SOURCE>_FULL_REFRESH=true|1|yes``;
4. otherwise incremental.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

TRUTHY = {"true", "1", "yes"}


@dataclass(frozen=True)
class RefreshMode:
    """The mode a run uses and the reason it was chosen (for the log line)."""

    full_refresh: bool
    reason: str

    @property
    def label(self) -> str:
        return "full refresh" if self.full_refresh else "incremental"


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUTHY


def resolve_refresh_mode(
    source: str, is_incremental: bool | None = None, environ: Mapping[str, str] | None = None
) -> RefreshMode:
    """Decide whether ``source`` runs incrementally or as a full refresh."""
    if is_incremental is not None:
        return RefreshMode(not is_incremental, f"is_incremental={is_incremental}")
    env = os.environ if environ is None else environ
    if _is_true(env.get("FORCE_FULL_REFRESH")):
        return RefreshMode(True, "FORCE_FULL_REFRESH is set")
    flag = f"{source.upper()}_FULL_REFRESH"
    if env.get("PIPELINE_NAME", "").strip().upper() == source.upper() and _is_true(env.get(flag)):
        return RefreshMode(True, f"PIPELINE_NAME={source.upper()} and {flag} are set")
    return RefreshMode(False, "default")
