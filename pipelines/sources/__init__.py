"""The registry: every source's spec (``SourceSpec``), imported when first asked for.

The built-in sources are the packages below; ``[prp] extra_sources`` (or the environment
variable ``PRP__EXTRA_SOURCES``, comma-separated) names further modules that export a ``SPEC``,
so a source can be added without editing any file but its own. Everything that goes over the
sources (the CLI, doctor, status, privacy, the report, the summaries) asks here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache

import dlt
from dlt.common.pipeline import LoadInfo

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.privacy import SourcePrivacy
from pipelines.runtime.source_spec import SourceSpec

# name -> the package that exports its SPEC, in the order commands list them
SOURCE_MODULES = {
    "notion": "pipelines.sources.notion",
    "hubspot": "pipelines.sources.hubspot",
    "fitbit": "pipelines.sources.fitbit",
}
EXTRA_SETTING = "prp.extra_sources"


def extra_modules() -> list[str]:
    """The modules ``[prp] extra_sources`` names (a list, or one comma-separated string)."""
    value = dlt.config.get(EXTRA_SETTING)
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def _load(module: str) -> SourceSpec:
    try:
        spec = getattr(importlib.import_module(module), "SPEC", None)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module.startswith(exc.name):
            raise  # the module is there, something it imports is not
        raise ConfigurationError(f"{EXTRA_SETTING}: no module {module} (set PRP__EXTRA_SOURCES or "
                                 "[prp] extra_sources to modules that export a SPEC)") from None
    if not isinstance(spec, SourceSpec):
        raise ConfigurationError(f"{EXTRA_SETTING}: {module} exports no SPEC (a SourceSpec)")
    return spec


def specs() -> list[SourceSpec]:
    """Every source's spec: the built-in ones, then the extra ones, each name once."""
    return list(_specs(tuple(extra_modules())))


@lru_cache(maxsize=8)
def _specs(extra: tuple[str, ...]) -> tuple[SourceSpec, ...]:
    found: dict[str, SourceSpec] = {}
    for module in [*SOURCE_MODULES.values(), *extra]:
        spec = _load(module)
        found.setdefault(spec.name, spec)
    return tuple(found.values())


def names() -> list[str]:
    """Every source's name, in registry order."""
    return [spec.name for spec in specs()]


def spec_of(name: str) -> SourceSpec:
    """One source's spec; ``ConfigurationError`` for a name no spec has."""
    for spec in specs():
        if spec.name == name:
            return spec
    raise ConfigurationError(f"no source named {name!r} (known: {', '.join(names())})")


def refresh_function(name: str) -> Callable[..., LoadInfo]:
    """``refresh_<name>`` from its spec."""
    return spec_of(name).refresh


def privacy_defaults() -> dict[str, SourcePrivacy]:
    """source -> its privacy defaults, for every registered source (the policy spans them)."""
    return {spec.name: spec.privacy for spec in specs()}


def labels() -> dict[str, str]:
    """source -> the name people know it by (``HubSpot``)."""
    return {spec.name: spec.label for spec in specs()}


def feeding(*marts: str) -> tuple[str, ...]:
    """The sources that feed any of ``marts``, in registry order."""
    return tuple(spec.name for spec in specs() if set(spec.marts) & set(marts))
