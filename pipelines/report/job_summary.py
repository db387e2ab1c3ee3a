"""The job summary of a transforms run in GitHub Actions: which sources fed the marts, rows
per mart, rows dbt's tests left out or warned about, and the report's one-line takeaways.

The marts are read as the report reads them (DuckDB or BigQuery alike), so the sources fed and
the takeaways are those the report would show. Reading them may fail without failing the build.
Written only when GitHub sets ``GITHUB_STEP_SUMMARY`` (``pipelines.runtime.job_summary``).
"""

from __future__ import annotations

import logging

from pipelines.report.build import compute_sections, connected_sources, load_marts
from pipelines.report.model import Section
from pipelines.runtime.job_summary import append, bullets, summary_file, text
from pipelines.runtime.settings import Settings, load_settings
from pipelines.sources import labels as source_labels
from pipelines.sources import specs
from pipelines.transform.summary import TransformSummary

log = logging.getLogger("prp.job_summary")


def transform_markdown(label: str, marts: dict[str, dict[str, int]], fed_by: list[str],
                       dbt: TransformSummary, takeaways: list[tuple[str, str]]) -> str:
    """One transforms run, from its parts (``write_transform`` gathers them)."""
    done = (f"dbt build skipped, nothing changed since the build at {text(dbt.skipped_since)}"
            if dbt.skipped_since else "dbt build")
    labels = source_labels()
    fed = ", ".join(labels.get(name, text(name)) for name in fed_by)
    lines = [f"### Transforms: {done} on {text(label)}", "",
             f"Marts fed by: **{fed or 'none (no source has data yet)'}**", ""]
    if any(marts.values()):
        lines += ["| source | mart | rows |", "|---|---|---:|"]
        lines += [f"| {labels.get(source, text(source))} | {text(mart)} | {rows:,} |"
                  for source, counts in marts.items() for mart, rows in counts.items()]
        lines.append("")
    if not dbt.skipped_since:  # a skipped build ran no test: its warnings are the last build's
        warnings = [f"{rows:,} {text(what)} left out of the marts" for what, rows in dbt.left_out.items()]
        lines += bullets("Warnings", warnings + [text(w) for w in dbt.warnings],
                         "No warnings from dbt's tests.")
        lines.append("")
    lines += bullets("Takeaways", (f"{text(title)}: {text(line)}" for title, line in takeaways),
                     "No takeaways: the marts could not be read (the log says why).")
    return "\n".join(lines)


def write_transform(dbt: TransformSummary, settings: Settings | None = None) -> None:
    """The summary of a ``prp transform`` build, when running in GitHub Actions."""
    if summary_file() is None:
        return
    settings = settings or load_settings()
    marts: dict[str, dict[str, int]] = {}
    fed_by: list[str] = []
    takeaways: list[tuple[str, str]] = []
    try:
        marts, fed_by, takeaways = read_report(settings)
    except Exception as exc:  # noqa: BLE001 - the build succeeded; its summary must not fail it
        log.warning("job summary: the marts could not be read: %s", exc)
    append(transform_markdown(f"{settings.destination} dataset {settings.analytics_dataset}",
                              marts, fed_by, dbt, takeaways))


def read_report(settings: Settings) -> tuple[dict[str, dict[str, int]], list[str],
                                            list[tuple[str, str]]]:
    """Rows per mart by source, the sources with rows, and each report section's takeaway."""
    rows = load_marts(settings)
    connected = connected_sources(rows)
    marts = {spec.name: {mart: len(rows[mart]) for mart in spec.marts if mart in rows}
             for spec in specs()}
    return marts, [spec.name for spec in specs() if spec.name in connected], \
        takeaways(compute_sections(rows))


def takeaways(sections: list[Section]) -> list[tuple[str, str]]:
    """Each section's one-line takeaway (or why it could not be computed), in page order."""
    return [(section.title, section.takeaway or f"could not be computed ({section.error})")
            for section in sections if section.takeaway or section.error]
