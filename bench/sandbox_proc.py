"""The sandbox in its own process, so the pipeline's peak RSS is the pipeline's alone.

The parent talks to it over a pipe: environment, request counts, rate limits on or off, the
truth the floors are computed from.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
from typing import Any


def _serve(conn: Any, profile: str, seed: int, apis: tuple[str, ...], scale: int) -> None:
    from bench.truth import collect
    from sandbox import start_sandbox

    box = start_sandbox(profile=profile, seed=seed, apis=apis, rate_limits=True, scale=scale)
    apps = {name: box.app(name) for name in box.servers}
    conn.send({"env": box.env(), "unlimited_env": {k: v for a in apps.values()
                                                     for k, v in a.unlimited_env.items()}})
    while True:
        command, arg = conn.recv()
        if command == "stop":
            box.stop()
            conn.send(None)
            return
        if command == "counts":
            conn.send({name: dict(app.counts) for name, app in apps.items()})
        elif command == "reset":
            box.reset_counts()
            conn.send(None)
        elif command == "tier":  # HubSpot's burst limit per 10 s (the account's tier)
            apps["hubspot"].set_tier(int(arg))
            conn.send(None)
        elif command == "limits":
            for app in apps.values():
                app.set_rate_limits(bool(arg))
            conn.send(None)
        elif command == "fresh":  # every rate window empty, as a window later
            for app in apps.values():
                app.clear_rate_windows()
            conn.send(None)
        elif command == "cpu":  # CPU seconds the stand-ins have spent (answering requests)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            conn.send(usage.ru_utime + usage.ru_stime)
        elif command == "truth":
            conn.send(collect(apps))
        else:
            conn.send(ValueError(f"unknown command {command!r}"))


class SandboxProcess:
    """Start with ``with SandboxProcess(...) as box``; ``box.env(limits)`` points pipelines at it."""

    def __init__(self, profile: str, seed: int = 7, apis: tuple[str, ...] = ("notion", "hubspot",
                                                                              "google"),
                 scale: int = 1):
        ctx = mp.get_context("spawn")  # a clean interpreter: nothing of the parent's memory
        self._conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, profile, seed, apis, scale), daemon=True,
                                   name="prp-bench-sandbox")
        self.process.start()
        hello = self._conn.recv()
        self._env, self._unlimited_env = hello["env"], hello["unlimited_env"]

    def _ask(self, command: str, arg: Any = None) -> Any:
        self._conn.send((command, arg))
        answer = self._conn.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def env(self, limits: bool = True) -> dict[str, str]:
        """Settings for a pipeline; with limits off, the clients stop pacing too."""
        return dict(self._env) if limits else {**self._env, **self._unlimited_env}

    def counts(self) -> dict[str, dict[str, int]]:
        """Requests per app and endpoint since the last reset."""
        return self._ask("counts")

    def reset_counts(self) -> None:
        self._ask("reset")

    def set_hubspot_tier(self, requests_per_10s: int) -> None:
        self._ask("tier", requests_per_10s)

    def set_rate_limits(self, enabled: bool) -> None:
        self._ask("limits", enabled)

    def fresh_windows(self) -> None:
        """Empty every stand-in's rate windows: the next run starts as a window later would."""
        self._ask("fresh")

    def cpu_s(self) -> float:
        """CPU seconds the sandbox process has spent so far."""
        return self._ask("cpu")

    def truth(self) -> dict[str, Any]:
        return self._ask("truth")

    def stop(self) -> None:
        if self.process.is_alive():
            self._ask("stop")
        self.process.join(timeout=10)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
