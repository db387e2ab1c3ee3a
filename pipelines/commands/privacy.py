"""``prp privacy``: what leaves for the configured destination, and ``prp doctor``'s warnings.

Per source, table and column: the treatment the policy gives it now and how many values the
last run changed (from the raw dataset's ``_prp_privacy`` table, which each run rewrites).
"""

from __future__ import annotations

import logging
from typing import Any

from pipelines.runtime.privacy import Policy, load_policy
from pipelines.runtime.privacy_run import COUNTS_TABLE
from pipelines.runtime.settings import Settings, load_settings
from pipelines.runtime.warehouse_reader import open_warehouse
from pipelines.sources import privacy_defaults

log = logging.getLogger("prp.privacy")


RunCounts = dict[tuple[str, str], tuple[str, int]]


def last_run_counts(settings: Settings) -> dict[str, RunCounts] | None:
    """source -> (table, column) -> (treatment, values changed) of each source's last run, read
    in one query; ``None`` when no run recorded any (no warehouse, or no counts table yet)."""
    try:
        with open_warehouse(settings, settings.raw_dataset) as reader:  # a missing file: empty
            if not reader.has_table(COUNTS_TABLE):
                return None
            rows = reader.rows(f"select source, table_name, column_name, treatment, values_affected "
                               f"from {reader.qualified(COUNTS_TABLE)}")
    except Exception as exc:  # noqa: BLE001 - no warehouse to read: nothing recorded
        log.debug("no privacy counts: %s", type(exc).__name__)
        return None
    counts: dict[str, RunCounts] = {}
    for source, table, column, treatment, count in rows:
        counts.setdefault(source, {})[(table, column)] = (treatment, int(count or 0))
    return counts


def source_lines(name: str, policy: Policy, counts: dict | None) -> list[str]:
    """The lines for one source: each column the last run treated, and each rule it did not use."""
    rules = {(table, column): (treatment, None)
             for table, columns in policy.rules.get(name, {}).items()
             for column, treatment in columns.items()}
    shown = dict(counts) if counts is not None else rules
    if not shown:
        return [f"{name}: every value kept, as the API returns it"]
    lines = [f"{name}:"]
    width = max(len(f"{table}.{column}") for table, column in shown)
    for (table, column), (then, count) in sorted(shown.items()):
        now = _treatment_now(policy, name, table, column)
        seen = "no run recorded" if count is None else f"{count} values in the last run"
        if count is not None and then != now:
            seen += f" (then: {then}; a full refresh rewrites the stored rows)"
        lines.append(f"  {f'{table}.{column}':<{width}}  {now:<6}  {seen}")
    return lines


def _treatment_now(policy: Policy, name: str, table: str, column: str) -> str:
    followed = policy.followed(name, table, column)  # a page title is its title value
    if followed and policy.match(name, table, column) is None:
        return policy.treatment(name, *followed)
    return policy.treatment(name, table, column)


def privacy_lines(settings: Settings | None = None) -> list[str]:
    """Everything ``prp privacy`` prints."""
    settings = settings or load_settings()
    policy = load_policy(settings.destination, privacy_defaults(), need_key=False)
    where = "stays on this machine" if settings.destination == "duckdb" else "goes to the cloud"
    lines = [
        f"destination: {settings.destination} ({settings.warehouse_label}, dataset "
        f"{settings.raw_dataset}); data {where}",
        f"policy: {policy.mode} defaults"
        + (f", with overrides for {', '.join(sorted(policy.overrides))}" if policy.overrides else ""),
        f"hash key (privacy.hash_key): {'set' if policy.key else 'not set'}; "
        f"policy reviewed ([privacy] reviewed): {'yes' if policy.reviewed else 'no'}",
    ]
    recorded = last_run_counts(settings)
    for name in policy.sources:
        lines += source_lines(name, policy, None if recorded is None else recorded.get(name, {}))
    lines.append("treatments: keep | hash (keyed HMAC-SHA256) | redact ([redacted:<length>]) | drop; "
                 "override per column under [privacy.<source>.<table>] in .dlt/config.toml")
    return lines


def print_privacy() -> None:
    """``prp privacy``."""
    for line in privacy_lines():
        print(line, flush=True)


def privacy_warnings(settings: Settings | None = None) -> list[str]:
    """What ``prp doctor`` should warn about: a cloud destination with no reviewed policy,
    a policy that keeps everything on the way to the cloud, or hashing without a key."""
    settings = settings or load_settings()
    if settings.destination == "duckdb":
        return []
    try:
        policy = load_policy(settings.destination, privacy_defaults(), need_key=False)
    except Exception as exc:  # noqa: BLE001 - doctor reports, it does not stop
        return [f"privacy: the policy cannot be read: {exc}"]
    return _warnings(policy, settings)


def _warnings(policy: Policy, settings: Any) -> list[str]:
    out = []
    if not policy.reviewed:
        out.append(f"privacy: data goes to {settings.destination} and no privacy policy has been "
                   "reviewed: run `prp privacy`, adjust [privacy.<source>.<table>] in "
                   ".dlt/config.toml, then set [privacy] reviewed = true")
    if policy.mode == "local":
        out.append(f"privacy: [prp] privacy = \"local\" keeps every value in clear text on "
                   f"{settings.destination}; remove it to use the cloud defaults")
    if policy.hashes() and policy.key is None:
        out.append("privacy: the policy hashes values but privacy.hash_key is not set: runs will "
                   "stop; set PRIVACY__HASH_KEY or [privacy] hash_key in .dlt/secrets.toml")
    return out
