"""Start the stand-ins together: one loopback origin per API, a shared clock and seed."""

from __future__ import annotations

import importlib
import inspect
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.clock import Clock, current_minute
from sandbox.faults import parse_spec
from sandbox.server import App, AppServer

PROFILES = ("small", "demo", "heavy")

# name -> "module:factory"; a factory takes (profile, seed, clock) and returns an App that
# also offers ``env(url)``: the settings that point a pipeline at it.
APP_FACTORIES = {
    "notion": "sandbox.notion.app:create_app",
    "hubspot": "sandbox.hubspot.app:create_app",
    "google": "sandbox.google.app:create_app",
    "secretmanager": "sandbox.secretmanager.app:create_app",
}


@dataclass
class Sandbox:
    profile: str
    seed: int
    clock: Clock
    servers: dict[str, AppServer] = field(default_factory=dict)
    rate_limits: bool = True

    def app(self, name: str) -> App:
        return self.servers[name].app

    def url(self, name: str) -> str:
        return self.servers[name].url

    @property
    def notion(self):
        return self.app("notion")

    def env(self) -> dict[str, str]:
        """Environment variables that point every pipeline at this sandbox."""
        merged: dict[str, str] = {}
        for server in self.servers.values():
            merged.update(server.app.env(server.url))
            if not self.rate_limits:
                merged.update(server.app.unlimited_env)
        return merged

    def inject(self, spec: str) -> None:
        """Inject a fault from a ``parse_spec`` string (``hubspot:rate_limit:8:/search``)."""
        api, kind, count, options = parse_spec(spec)
        if api not in self.servers:
            raise ValueError(f"fault {spec!r}: no stand-in named {api!r} is served "
                             f"(one of {', '.join(self.servers)})")
        self.app(api).faults.inject(kind, count, **options)

    def reset_counts(self) -> None:
        for server in self.servers.values():
            server.app.reset_counts()

    def stop(self) -> None:
        """Stop every stand-in at once: each waits up to a poll interval for its thread."""
        stoppers = [threading.Thread(target=server.stop) for server in self.servers.values()]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _factory(name: str):
    module_name, attr = APP_FACTORIES[name].split(":")
    return getattr(importlib.import_module(module_name), attr)


def _scaled(name: str, scale: int) -> dict[str, int]:
    """The factory argument for ``scale`` times a profile's volume (refused where not offered)."""
    if scale == 1:
        return {}
    if "scale" not in inspect.signature(_factory(name)).parameters:
        raise ValueError(f"the {name} stand-in does not scale its profile; serve it at scale 1")
    return {"scale": scale}


def start_sandbox(profile: str = "small", seed: int = 7, apis: tuple[str, ...] | None = None,
                  now: datetime | None = None, rate_limits: bool = True,
                  scale: int = 1) -> Sandbox:
    """Generate data for ``profile`` and serve the chosen APIs (all by default).

    ``rate_limits=False`` lifts the published limits and tells the clients to stop pacing:
    for tests that check data, not pacing. ``scale`` multiplies the profile's volume (the
    benchmark's series; Notion, HubSpot and Google Health offer it).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; one of {PROFILES}")
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    names = apis or tuple(APP_FACTORIES)
    scaled = {name: _scaled(name, scale) for name in names}  # refused before anything starts
    start = now or current_minute()
    sandbox = Sandbox(profile, seed, Clock(start), rate_limits=rate_limits)
    for name in names:
        app = _factory(name)(profile, seed, sandbox.clock, **scaled[name])
        app.set_rate_limits(rate_limits)
        sandbox.servers[name] = AppServer(app).start()
    return sandbox
