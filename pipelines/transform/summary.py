"""What a ``prp transform`` produced: which sources fed the marts, and the rows left out.

Read after dbt has run: the marts' row counts from the analytics dataset, and dbt's
``run_results.json`` for the warning-severity tests that count rows the marts could not place
(a habit-tracker page without a date, for example).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_reader import open_warehouse
from pipelines.sources import specs

log = logging.getLogger("prp.transform")


def source_marts() -> dict[str, tuple[str, ...]]:
    """The marts each source feeds (its spec's); a source fed the marts when any of them has rows."""
    return {spec.name: spec.marts for spec in specs()}


# Warning tests that count rows left out of the marts, and what those rows are.
LEFT_OUT_TESTS = {
    "habit_tracker_pages_without_a_date_are_left_out": "habit-tracker pages without a date",
}


@dataclass
class TransformSummary:
    """Row counts per source's marts, rows left out, and other warnings."""

    mart_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped_since: str = ""  # a build skipped as unchanged: when the build it relies on ran

    @property
    def fed_by(self) -> list[str]:
        """The sources with rows in their marts."""
        return [name for name, counts in self.mart_rows.items() if any(counts.values())]

    def lines(self) -> list[str]:
        """The summary as log lines."""
        fed = ", ".join(self.fed_by) or "none (no source has data yet)"
        lines = [f"transform: marts fed by {fed}"]
        for name, counts in self.mart_rows.items():
            shown = ", ".join(f"{mart} {rows}" for mart, rows in counts.items())
            lines.append(f"transform:   {name}: {shown}")
        for what, rows in self.left_out.items():
            lines.append(f"transform: {rows} {what} left out of the marts (warning)")
        lines += [f"transform: warning: {text}" for text in self.warnings]
        return lines


def target_dir() -> Path:
    """Where dbt wrote its artifacts (``DBT_TARGET_PATH`` or the project's ``dbt/target``)."""
    from pipelines.transform.dbt_project import DBT_DIR

    path = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return path if path.is_absolute() else DBT_DIR / path


def last_run_results() -> list[dict]:
    """The node results of dbt's last command (its ``run_results.json``), none if it wrote none."""
    path = target_dir() / "run_results.json"
    return json.loads(path.read_text()).get("results", []) if path.exists() else []


def node_name(result: dict) -> str:
    """A result's node name (``test.personal_reporting.<name>.<hash>`` -> ``<name>``)."""
    return result["unique_id"].split(".")[2]


def read_left_out(results: list[dict]) -> tuple[dict[str, int], list[str]]:
    """Rows left out (from the known warning tests) and every other warning test, by name."""
    left_out: dict[str, int] = {}
    warnings: list[str] = []
    for result in results:
        if result.get("status") != "warn":
            continue
        name = node_name(result)
        failures = int(result.get("failures") or 0)
        if name in LEFT_OUT_TESTS:
            left_out[LEFT_OUT_TESTS[name]] = failures
        else:
            warnings.append(f"{name}: {failures} rows")
    return left_out, warnings


def mart_row_counts(settings: Settings) -> dict[str, dict[str, int]]:
    """Rows per mart, by source (a mart not built, by a partial selection, is left out)."""
    with open_warehouse(settings, settings.analytics_dataset) as reader:
        fed = source_marts()
        counts = reader.row_counts(mart for marts in fed.values() for mart in marts)
    return {name: {mart: counts[mart] for mart in marts if mart in counts}
            for name, marts in fed.items()}


def summarize(settings: Settings) -> TransformSummary:
    """Build and log the summary of the dbt run that just finished."""
    left_out, warnings = read_left_out(last_run_results())
    summary = TransformSummary(mart_row_counts(settings), left_out, warnings)
    for line in summary.lines():
        log.info(line)
    return summary
