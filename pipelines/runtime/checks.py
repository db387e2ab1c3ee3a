"""Helpers for the sources' ``prp doctor`` checks: secrets resolved as a run resolves them,
settings with their defaults, and a response's JSON body."""

from __future__ import annotations

from collections.abc import Callable

import dlt
import requests

from pipelines.runtime.logs import register_secret

TIMEOUT = 30


def secret(read: Callable[[], str]) -> str:
    """A secret resolved as a run resolves it (a missing one raises naming its key); it is
    registered, so no line prints it."""
    value = str(read())
    register_secret(value)
    return value


def setting(section: str, key: str, default: str) -> str:
    """``<section>.<key>`` from dlt's configuration, else ``default``."""
    value = dlt.config.get(f"{section}.{key}")
    return default if value in (None, "") else str(value)


def json_body(response: requests.Response) -> dict:
    """The response's JSON object, ``{}`` when it has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
