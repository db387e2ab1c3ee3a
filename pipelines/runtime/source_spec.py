"""What a source says about itself, once: the spec its package exports as ``SPEC``.

The registry (``pipelines.sources``) lists the specs; the CLI, ``prp doctor``, ``prp status``,
``prp privacy``, the report, the job summary and the transform summary loop over them, so a new
source is one package (and its dbt models) and no other file names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipelines.runtime.privacy import SourcePrivacy


@dataclass(frozen=True)
class SourceSpec:
    """One source: its name (``prp refresh <name>``, ``[sources.<name>]``, the ``<name>__``
    raw tables), how it reads and what it feeds.

    - ``refresh``: ``refresh_<name>(is_incremental, pipeline, initial_date, end_date)``.
    - ``tables``: the raw tables it loads (``<name>__<entity>``).
    - ``marts``: the marts it feeds; it fed a transform, and counts as connected in the
      report, when any of them has rows.
    - ``connect``: how to connect it, completing "To connect it, ..." (the report's "not
      connected yet" note).
    - ``doctor``: one cheap authenticated request; returns the ``ok`` line's detail, raises
      ``ConfigurationError`` (exit 2) or ``PipelineError`` (exit 1) with what to do.
    - ``secrets_check``: given where secrets come from (``env`` or ``gcp``), the part of
      doctor's ``secrets`` line that is this source's (where its rotated tokens go), or
      ``ConfigurationError``.
    - ``privacy``: its cloud defaults, value tables and columns that follow another's rule.
    - ``hidden_state``: keys of its dlt state that are bookkeeping, not cursors (``prp status``).
    - ``authorize``: ``prp auth <name>`` (``open_browser``, ``timeout``), for an OAuth API.
    - ``credentials``: its secrets under ``[sources.<name>]``; none of them set means the
      source is not set up, and ``prp refresh all`` and ``prp doctor`` skip it
      (``pipelines.runtime.setup_check``).
    """

    name: str
    label: str
    refresh: Callable[..., Any]
    tables: tuple[str, ...]
    marts: tuple[str, ...]
    connect: str
    doctor: Callable[[], str]
    secrets_check: Callable[[str], str] | None = None
    privacy: SourcePrivacy = field(default_factory=SourcePrivacy)
    hidden_state: tuple[str, ...] = ()
    authorize: Callable[..., None] | None = None
    credentials: tuple[str, ...] = ()
