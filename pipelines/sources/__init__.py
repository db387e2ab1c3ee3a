"""The sources the CLI knows, imported lazily so a command loads only what it runs."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from dlt.common.pipeline import LoadInfo

# name -> module with a ``refresh_<name>`` function
SOURCE_MODULES = {
    "notion": "pipelines.sources.notion",
    "hubspot": "pipelines.sources.hubspot",
    "fitbit": "pipelines.sources.fitbit",
}


def refresh_function(name: str) -> Callable[..., LoadInfo]:
    """``refresh_<name>`` from its module."""
    module = importlib.import_module(SOURCE_MODULES[name])
    return getattr(module, f"refresh_{name}")
