"""Is a source set up at all? A person who uses one API sets that source's secrets only.

A source counts as set up when any of the secrets its spec lists under ``[sources.<name>]``
(``SourceSpec.credentials``) has a real value: from the environment, ``.dlt/secrets.toml`` or
Secret Manager. A value copied unchanged from ``.dlt/secrets.toml.example`` (it contains
``...``) is not a real value. ``prp refresh all`` and ``prp doctor`` skip a source that is not
set up, so ``make run`` works for a person with one source; a source that is set up half-way
still fails, naming the secret that is missing.
"""

from __future__ import annotations

import dlt

from pipelines.runtime.secrets_source import active_provider
from pipelines.runtime.source_spec import SourceSpec

PLACEHOLDER_MARK = "..."  # every secret in .dlt/secrets.toml.example contains it


def is_placeholder(value: object) -> bool:
    """No value, an empty one, or the example file's placeholder."""
    text = str(value or "").strip()
    return not text or PLACEHOLDER_MARK in text


def is_set_up(spec: SourceSpec) -> bool:
    """Any of the source's credentials holds a real value (a spec that names none is set up).

    A secret Secret Manager refuses to read counts as set: the source's own run or check then
    says what is wrong, rather than the source being skipped quietly."""
    if not spec.credentials:
        return True
    if any(not is_placeholder(dlt.secrets.get(f"sources.{spec.name}.{key}"))
           for key in spec.credentials):
        return True
    provider = active_provider()
    return provider is not None and provider.refused_any("sources", spec.name)


def not_set_up_line(spec: SourceSpec) -> str:
    """What a skipped source's line says: none of its secrets, and how to connect it."""
    keys = ", ".join(f"sources.{spec.name}.{key}" for key in spec.credentials)
    return f"not set up (no {keys}), skipped; to connect it, {spec.connect}"
