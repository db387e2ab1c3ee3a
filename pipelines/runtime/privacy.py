"""What leaves the laptop: a treatment per source, table and column, applied before load.

Treatments:

- ``keep``: the value as the API returned it.
- ``hash``: HMAC-SHA256 with the secret ``privacy.hash_key``, as 64 hex characters. The value
  is normalised first (trimmed and case-folded; a phone number reduced to ``+`` and its
  digits), so the same address or number hashes the same in every source and every run, and
  joins and distinct counts still work. A different key gives different hashes.
- ``redact``: free text becomes the marker ``[redacted:<length>]``.
- ``drop``: the column is left out of the rows (it stays empty in the warehouse).

The policy comes from ``[privacy.<source>.<table>]`` sections of ``.dlt/config.toml``, over
defaults chosen by where the data goes (``[prp] privacy``): ``local`` (DuckDB, the default
there) keeps everything; ``cloud`` (BigQuery, the default there, or forced for tests with
``privacy = "cloud"``) applies each source's cloud defaults, which its spec declares
(``SourcePrivacy``: contact e-mail addresses and phone numbers hashed, free text redacted).
A key in a table section is a column name or a glob (``"*email*"``); in a source's value table
(``ValueTable``: rows that each hold one named, typed value) it is a value's name or type
(``rich_text``), which treats that value's text and JSON columns. An exact key wins over a
glob, and a name over a type.

With no ``privacy.hash_key`` and a policy that hashes, a run stops before extracting (exit 2):
a key generated on the fly would differ between the laptop and a scheduled runner, and the
hashes would no longer join. Applying the treatments to rows lives in ``privacy_run.py``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

import dlt

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.logs import register_secret

TREATMENTS = ("keep", "hash", "redact", "drop")
MODES = ("auto", "local", "cloud")
MIN_KEY_CHARS = 16

HASHED = re.compile(r"^[0-9a-f]{64}$")
REDACTED = re.compile(r"^\[redacted:\d+\]$")
PHONE = re.compile(r"^\+?[\d\s().\-/]{6,}$")


@dataclass(frozen=True)
class ValueTable:
    """A table whose rows each hold one named, typed value (a property and its value): a rule
    key is the value's name, else its type, and treats its text and JSON columns; the typed
    columns (a number, a date) have no hashed or redacted form and are emptied."""

    name_column: str
    type_column: str
    text_column: str
    json_column: str
    typed_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourcePrivacy:
    """What a source's spec says about privacy: its cloud defaults (table -> column, glob or
    value type -> treatment), its value tables, and columns that follow another column's rule
    unless they have their own ((table, column) -> (table, column))."""

    cloud: dict[str, dict[str, str]] = field(default_factory=dict)
    value_tables: dict[str, ValueTable] = field(default_factory=dict)
    follows: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


NO_RULES = SourcePrivacy()


@dataclass(frozen=True)
class Policy:
    """The treatments in force for one run, and the key that hashes."""

    mode: str  # "local" or "cloud": which defaults apply
    rules: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    overrides: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    key: bytes | None = None
    reviewed: bool = False
    sources: dict[str, SourcePrivacy] = field(default_factory=dict)

    def shape(self, source: str) -> SourcePrivacy:
        """The source's value tables and followed columns (none when it declares none)."""
        return self.sources.get(source, NO_RULES)

    def followed(self, source: str, table: str, column: str) -> tuple[str, str] | None:
        """The (table, column) whose rule decides this column, when it follows another one."""
        return self.shape(source).follows.get((table, column))

    def table_rules(self, source: str, table: str) -> dict[str, str]:
        """Every rule for one table (defaults, then the person's overrides)."""
        return dict(self.rules.get(source, {}).get(table, {}))

    def match(self, source: str, table: str, column: str) -> str | None:
        """The rule key that decides a column (or a value's name/type): exact, then glob."""
        rules = self.rules.get(source, {}).get(table, {})
        if column in rules:
            return column
        for pattern in rules:
            if is_glob(pattern) and fnmatch.fnmatchcase(column.lower(), pattern.lower()):
                return pattern
        return None

    def treatment(self, source: str, table: str, column: str) -> str:
        """The treatment of one column: its rule's, else ``keep``."""
        key = self.match(source, table, column)
        return "keep" if key is None else self.rules[source][table][key]

    def treats_anything(self, source: str) -> bool:
        """Whether any rule of ``source`` changes a value."""
        return any(t != "keep" for table in self.rules.get(source, {}).values() for t in table.values())

    def hashes(self, source: str | None = None) -> bool:
        names = [source] if source else list(self.rules)
        return any(t == "hash" for name in names for table in self.rules.get(name, {}).values()
                   for t in table.values())


def is_glob(key: str) -> bool:
    """Whether a rule key is a pattern (``*email*``) rather than a column name."""
    return any(ch in key for ch in "*?[")


def normalise(value: Any) -> str:
    """The form a value is hashed in: phone numbers as ``+digits``, anything else trimmed and
    case-folded, so ``Ada@Example.org`` and ``ada@example.org `` hash alike."""
    text = str(value).strip()
    if PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return ("+" if text.startswith("+") else "") + "".join(ch for ch in text if ch.isdigit())
    return text.casefold()


def keyed_hash(value: Any, key: bytes) -> str:
    """HMAC-SHA256 of the normalised value, as 64 hex characters."""
    return hmac.new(key, normalise(value).encode(), hashlib.sha256).hexdigest()


def redact(value: Any) -> str:
    """Free text as a fixed marker with its length."""
    return f"[redacted:{len(str(value))}]"


def treat(value: Any, treatment: str, key: bytes | None) -> Any:
    """One value under one treatment; ``None``, empty and already-treated values pass through
    (a stored row re-read from the warehouse is not hashed twice)."""
    if value is None or value == "" or treatment == "keep":
        return value
    if treatment == "hash":
        if isinstance(value, str) and HASHED.match(value):
            return value
        if key is None:  # load_policy refuses to run without one; never load clear text
            raise ConfigurationError(_missing_key_message())
        return keyed_hash(value, key)
    if treatment == "redact":
        return value if isinstance(value, str) and REDACTED.match(value) else redact(value)
    return None  # drop


def resolve_mode(destination: str, setting: str | None) -> str:
    """``local`` or ``cloud`` from ``[prp] privacy`` (auto: cloud unless DuckDB)."""
    mode = (setting or "auto").strip().lower()
    if mode not in MODES:
        raise ConfigurationError(
            f"prp.privacy must be one of {', '.join(MODES)}, got {setting!r} (set PRP__PRIVACY or "
            "[prp] privacy in .dlt/config.toml)")
    if mode == "auto":
        return "local" if destination == "duckdb" else "cloud"
    return mode


def _overrides(source: str) -> dict[str, dict[str, str]]:
    """``[privacy.<source>.<table>]`` sections, each treatment checked."""
    section = dlt.config.get(f"privacy.{source}")
    if not section:
        return {}
    if not isinstance(section, dict):
        raise ConfigurationError(f"privacy.{source} must be a section of tables, like "
                                 f"[privacy.{source}.<table>] <column> = \"hash\"")
    out: dict[str, dict[str, str]] = {}
    for table, columns in section.items():
        if not isinstance(columns, dict):
            raise ConfigurationError(
                f"privacy.{source}.{table} must be a section: [privacy.{source}.{table}] "
                "<column> = \"keep|hash|redact|drop\" in .dlt/config.toml")
        for column, treatment in columns.items():
            value = str(treatment).strip().lower()
            if value not in TREATMENTS:
                raise ConfigurationError(
                    f"privacy.{source}.{table}.{column} = {treatment!r} is not a treatment: use "
                    f"one of {', '.join(TREATMENTS)} in [privacy.{source}.{table}] of .dlt/config.toml")
            out.setdefault(table, {})[str(column)] = value
    return out


def _merge(base: dict, overrides: dict) -> dict:
    out = {source: {table: dict(cols) for table, cols in tables.items()} for source, tables in base.items()}
    for source, tables in overrides.items():
        for table, cols in tables.items():
            out.setdefault(source, {}).setdefault(table, {}).update(cols)
    return out


def _missing_key_message() -> str:
    return ("missing secret privacy.hash_key: the privacy policy hashes values and needs a key of "
            f"at least {MIN_KEY_CHARS} characters that stays the same across runs; set the "
            "environment variable PRIVACY__HASH_KEY, or add `hash_key = \"...\"` under [privacy] "
            "in .dlt/secrets.toml (make one with: python -c \"import secrets; "
            "print(secrets.token_hex(32))\")")


def _hash_key(required: bool) -> bytes | None:
    value = dlt.secrets.get("privacy.hash_key")
    if value in (None, ""):
        if required:
            raise ConfigurationError(_missing_key_message())
        return None
    text = str(value)
    register_secret(text)
    if len(text) < MIN_KEY_CHARS:
        if not required:
            return None  # a placeholder is harmless while nothing is hashed
        raise ConfigurationError(_missing_key_message().replace("missing secret", "too short a secret"))
    return text.encode()


def _flag(key: str) -> bool:
    value = dlt.config.get(key)
    return str(value).strip().lower() in ("1", "true", "yes") if value is not None else False


def cloud_defaults(sources: dict[str, SourcePrivacy]) -> dict[str, dict[str, dict[str, str]]]:
    """source -> table -> key -> treatment: every source's cloud defaults."""
    return {name: {table: dict(cols) for table, cols in spec.cloud.items()}
            for name, spec in sources.items() if spec.cloud}


def load_policy(destination: str, sources: dict[str, SourcePrivacy], *,
                need_key: bool = True) -> Policy:
    """The policy for a destination from ``[prp] privacy`` and ``[privacy.*]``, over the
    defaults ``sources`` (every registered source's ``SourcePrivacy``) declare.

    Raises ``ConfigurationError`` (exit 2) for an unknown mode or treatment, and when the
    policy hashes but ``privacy.hash_key`` is missing (unless ``need_key`` is false, as for
    ``prp privacy``, which only describes the policy).
    """
    mode = resolve_mode(destination, dlt.config.get("prp.privacy"))
    overrides = {source: found for source in sources if (found := _overrides(source))}
    rules = _merge(cloud_defaults(sources) if mode == "cloud" else {}, overrides)
    probe = Policy(mode, rules)
    key = _hash_key(need_key and probe.hashes())
    return Policy(mode, rules, overrides, key, _flag("privacy.reviewed"), dict(sources))
