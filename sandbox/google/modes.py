"""Run-time switches for behaviour the evidence leaves open; each defaults to the strictest reading.

Tests set them on a running app (``app.modes.rollup_max_days = {}``); one line per mode:
- ``rollup_max_days``: per-type maximum ``dailyRollUp`` range in days, overriding the discovery
  document's 14/90; default ``{"floors": 14}``, the cap one field report measured for floors
  (``{}`` = the discovery document only).
- ``second_device``: a second watch records some nights too, under other point names, so
  ``list`` returns two sessions for those nights while ``reconcile`` returns one (default on).
- ``reconcile_order``: the order ``reconcile`` pages come in. The discovery document states
  newest first for ``list`` only, so the strict default is ``"shuffled"`` (a fixed order per query
  that follows no time); ``"oldest_first"`` and ``"newest_first"`` (as ``list``) are the others.
- ``consent_unticked``: scope suffixes (e.g. ``"sleep.readonly"``) the user unticks on the
  consent screen; the authorization code then grants the other requested scopes only, and the
  token response's ``scope`` says so (default none).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HealthModes:
    """The Google Health stand-in's open-evidence switches (see the module docstring)."""

    rollup_max_days: dict[str, int] = field(default_factory=lambda: {"floors": 14})
    second_device: bool = True
    reconcile_order: str = "shuffled"
    consent_unticked: tuple[str, ...] = ()
