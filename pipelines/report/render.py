"""Sections -> one self-contained HTML page: text and tables in HTML, charts drawn by the inlined
Chart.js (``vendor/``, chosen by measurement: see vendor/README.md) from JSON specs."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from html import escape
from pathlib import Path

from pipelines.report.model import Figure, Section, Table
from pipelines.sources import labels, spec_of

HERE = Path(__file__).resolve().parent
VENDOR_SCRIPTS = ("chart.umd.min.js", "chartjs-chart-matrix.min.js")
# a source map comment would make a browser's dev tools reach for a file that is not there
SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def _script(text: str) -> str:
    # nothing inside may close the script element early
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _figure_html(figure: Figure) -> str:
    value = "" if figure.value is None else f"{figure.value:.6g}"
    compare = f"<span class='compare'>previous 4 weeks: {escape(figure.compare_display)}</span>" \
        if figure.compare_display else ""
    return (f"<div class='figure' data-metric='{escape(figure.metric)}' data-value='{value}'>"
            f"<span class='label'>{escape(figure.label)}</span>"
            f"<span class='value'>{escape(figure.display)}</span>{compare}"
            f"<span class='note'>{escape(figure.note)}</span></div>")


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    if not table.rows:
        body = f"<tr><td colspan='{len(table.columns)}' class='empty'>{escape(table.empty)}</td></tr>"
    else:
        body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
                       for row in table.rows)
    return (f"<h3>{escape(table.title)}</h3><div class='scroll'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def _missing_html(missing: list[str]) -> str:
    # how to connect each source: its spec's ``connect`` (README "Secrets")
    known = labels()
    return "".join(f"<p class='not-connected' data-source='{name}'><strong>{known[name]} not "
                   f"connected yet.</strong> To connect it, {escape(spec_of(name).connect)}.</p>"
                   for name in missing)


def _section_html(section: Section) -> str:
    parts = [f"<section id='{section.id}' data-section='{section.id}'><h2>{escape(section.title)}</h2>"]
    if section.error:
        parts.append(f"<p class='takeaway error'>This section {escape(section.error)}.</p>")
    elif section.takeaway:
        parts.append(f"<p class='takeaway'>{escape(section.takeaway)}</p>")
    if section.figures:
        parts.append("<div class='figures'>" + "".join(_figure_html(f) for f in section.figures) + "</div>")
    parts.append(_missing_html(section.missing))
    if section.charts:
        parts.append("<div class='charts'>" + "".join(
            f"<figure class='chart {chart.kind}' data-chart='{chart.id}'><figcaption>{escape(chart.title)}"
            f"</figcaption><div class='canvas-box'><canvas id='chart-{chart.id}'></canvas></div></figure>"
            for chart in section.charts) + "</div>")
    parts.extend(_table_html(table) for table in section.tables)
    parts.append("</section>")
    return "".join(parts)


def render_html(sections: list[Section], generated: str, warehouse: str, docs_link: str = "") -> str:
    """The whole page: inlined CSS, vendored Chart.js, the chart specs and ``report.js``."""
    specs = [asdict(chart) for section in sections for chart in section.charts]
    vendor = "\n".join(SOURCE_MAP.sub("", (HERE / "vendor" / name).read_text(encoding="utf-8"))
                       for name in VENDOR_SCRIPTS)
    nav = "".join(f"<a href='#{s.id}'>{escape(s.title)}</a>" for s in sections)
    docs = f" · <a href='{docs_link}'>dbt docs</a>" if docs_link else ""
    data = json.dumps(specs, separators=(",", ":")).replace("</", "<\\/")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Personal report</title>"
        f"<style>{(HERE / 'report.css').read_text(encoding='utf-8')}</style></head><body>"
        f"<header><h1>Personal report</h1><nav>{nav}</nav></header><main>"
        + "".join(_section_html(s) for s in sections)
        + f"</main><footer>Generated {escape(generated)} from {escape(warehouse)}{docs}</footer>"
        + _script(vendor)
        + f"<script type='application/json' id='chart-specs'>{data}</script>"
        + _script((HERE / "report.js").read_text(encoding="utf-8"))
        + "</body></html>"
    )
