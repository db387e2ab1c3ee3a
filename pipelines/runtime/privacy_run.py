"""Apply the privacy policy to a source's rows before they are written, and count what changed.

``guard_source`` adds one map step to every resource of a source, so the treatment runs in
dlt's extract step: the rows written to the load package on disk, the rows loaded and anything
logged about them are already treated. Resources that yield rows for several tables through
``dlt.mark.with_hints`` (association tables, property values) pass the table name in
the item's meta, which dlt hands to the map step. After the load, the runner loads
``PrivacyRun.records`` (per table and column: treatment and values changed) into the raw
dataset's ``_prp_privacy`` table through dlt (``bookkeeping``), which ``prp privacy`` reads.
"""

from __future__ import annotations

import fnmatch
import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from dlt.extract.hints import HintsMeta
from dlt.extract.source import DltSource

from pipelines.runtime.bookkeeping import PRIVACY_TABLE
from pipelines.runtime.privacy import Policy, ValueTable, is_glob, treat

log = logging.getLogger("prp.privacy")

COUNTS_TABLE = PRIVACY_TABLE  # the table ``prp privacy`` reads
EMPTY_JSON = (None, "null", '""', "[]")


class PrivacyRun:
    """The policy's map step for one source's run, and the values it changed."""

    def __init__(self, policy: Policy, source: str):
        self.policy = policy
        self.source = source
        self.counts: Counter[tuple[str, str, str]] = Counter()  # (table, column, treatment)

    # the map step -------------------------------------------------------------------------
    def step_for(self, default_table: Any) -> Callable[[Any, Any], Any]:
        """A map step for a resource whose own rows go to ``default_table``."""

        def apply_privacy(row: Any, meta: Any) -> Any:
            if isinstance(row, pa.Table):  # a source's rows as one Arrow table
                table = _table_of(meta, default_table, {})
                return self.treat_table(table, row) if table else row
            if not isinstance(row, dict):
                return row
            table = _table_of(meta, default_table, row)
            return self.treat_row(table, row) if table else row

        return apply_privacy

    def treat_table(self, table: str, rows: pa.Table) -> pa.Table:
        """An Arrow table of ``table``'s rows, each treated as ``treat_row`` treats a dict: a
        dropped column leaves the table, a hashed or redacted one becomes text."""
        shape = self.policy.shape(self.source)
        if not self.policy.table_rules(self.source, table) and \
                not any(own_table == table for own_table, _ in shape.follows):
            return rows
        treated = [self.treat_row(table, row) for row in rows.to_pylist()]
        kept = [f for f in rows.schema if not treated or f.name in treated[0]]
        columns, fields = {}, []
        for f in kept:
            values = [row.get(f.name) for row in treated]
            if not pa.types.is_string(f.type) and any(isinstance(v, str) for v in values):
                f = pa.field(f.name, pa.string(), nullable=True)
            columns[f.name] = values
            fields.append(f)
        return pa.Table.from_pydict(columns, schema=pa.schema(fields))

    def treat_row(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with every column treated as the policy says for ``table``."""
        shape = self.policy.shape(self.source)
        if not self.policy.table_rules(self.source, table) and \
                not any(own_table == table for own_table, _ in shape.follows):
            return row
        if table in shape.value_tables:
            return self._treat_value_row(table, shape.value_tables[table], row)
        out = dict(row)
        for column, value in row.items():
            rule_table, rule_column = self._rule_for(table, column)
            if self.policy.match(self.source, rule_table, rule_column) is None:
                continue  # no rule: kept, and not counted
            treatment = self.policy.treatment(self.source, rule_table, rule_column)
            self._apply(out, column, value, treatment, table, rule_column)
        return out

    def _rule_for(self, table: str, column: str) -> tuple[str, str]:
        # a column that follows another (a page's title is its title value) takes that rule,
        # unless it has one of its own
        followed = self.policy.followed(self.source, table, column)
        if followed and column not in self.policy.table_rules(self.source, table):
            return followed
        return table, column

    def _treat_value_row(self, table: str, shape: ValueTable, row: dict[str, Any]) -> dict[str, Any]:
        """A value row (``ValueTable``): its value's name, else its type, picks the treatment."""
        name, kind = str(row.get(shape.name_column) or ""), str(row.get(shape.type_column) or "")
        text_column, json_column = shape.text_column, shape.json_column
        rules = self.policy.table_rules(self.source, table)
        label = name if name in rules else kind
        if self.policy.match(self.source, table, label) is None:
            return row
        treatment = self.policy.treatment(self.source, table, label)
        if treatment == "keep":  # an explicit keep: counted, so `prp privacy` shows it
            if row.get(json_column) not in EMPTY_JSON:
                self.counts[(table, label, treatment)] += 1
            return row
        out = dict(row)
        changed = False
        text = row.get(text_column)
        if text not in (None, ""):
            out[text_column] = treat(text, treatment, self.policy.key)
            changed = True
            out[json_column] = json.dumps(out[text_column]) if treatment != "drop" else None
        elif row.get(json_column) not in EMPTY_JSON:
            # no scalar (a list of references, a number): the JSON form is treated whole
            out[json_column] = treat(row[json_column], treatment, self.policy.key)
            changed = True
        for column in shape.typed_columns:  # a number or date has no hashed or redacted form
            if row.get(column) is not None:
                out[column] = None
                changed = True
        if treatment == "drop":
            out[text_column] = out[json_column] = None
        if changed:
            self.counts[(table, label, treatment)] += 1
        return out

    def _apply(self, out: dict, column: str, value: Any, treatment: str, table: str,
               label: str) -> None:
        if treatment == "drop":
            out.pop(column, None)
        elif treatment != "keep":
            out[column] = treat(value, treatment, self.policy.key)
        if value not in (None, ""):
            self.counts[(table, label, treatment)] += 1

    # after the load ----------------------------------------------------------------------
    def lines(self) -> list[str]:
        """Summary lines: values changed per table and column (no values, only counts)."""
        if not self.policy.treats_anything(self.source):
            return [f"  privacy: {self.policy.mode} policy, every value kept"]
        out = [f"  privacy: {self.policy.mode} policy, {sum(self.counts.values())} values treated"]
        out += [f"    {table}.{column}: {treatment} {count}"
                for (table, column, treatment), count in sorted(self.counts.items())]
        return out

    def records(self) -> list[dict[str, Any]]:
        """This run's rows of ``_prp_privacy`` (``bookkeeping.PRIVACY_COLUMNS``), which replace
        the source's earlier ones."""
        names = ("source", "table_name", "column_name", "treatment", "values_affected",
                 "policy_mode", "recorded_at")
        return [dict(zip(names, row, strict=True)) for row in self.report_rows()]

    def report_rows(self) -> list[tuple]:
        """(source, table, column, treatment, count, mode, at) for every rule and every count."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        seen: dict[tuple[str, str], tuple[str, int]] = {}
        for (table, column, treatment), count in self.counts.items():
            seen[(table, column)] = (treatment, seen.get((table, column), (treatment, 0))[1] + count)
        for table, rules in self.policy.rules.get(self.source, {}).items():
            for key, treatment in rules.items():
                used = any(t == table and (c == key or (is_glob(key) and fnmatch.fnmatchcase(
                    c.lower(), key.lower()))) for t, c in seen)
                if not used:
                    seen[(table, key)] = (treatment, 0)
        return [(self.source, table, column, treatment, count, self.policy.mode, at)
                for (table, column), (treatment, count) in sorted(seen.items())]


def _table_of(meta: Any, default_table: Any, row: dict[str, Any]) -> str | None:
    """The table a row goes to: its ``with_hints`` meta, else the resource's table."""
    if isinstance(meta, HintsMeta):
        name = (meta.hints or {}).get("table_name")
        if isinstance(name, str):
            return name
    if callable(default_table):
        return default_table(row)
    return default_table if isinstance(default_table, str) else None


def guard_source(source: DltSource, policy: Policy, name: str) -> PrivacyRun:
    """Add the policy's map step to every resource of ``source``; return the run's counter."""
    run = PrivacyRun(policy, name)
    for resource in source.resources.values():
        resource.add_map(run.step_for(resource.table_name or resource.name))
    return run
