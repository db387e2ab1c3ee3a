"""``make docs`` / ``prp report --docs``: the dbt docs site as static files next to the report.

``dbt docs generate --static`` writes one page with the manifest and catalog inside, so the
docs open from disk and from GitHub Pages like the report; it lands in ``<report dir>/docs/``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pipelines.report.build import report_path
from pipelines.runtime.errors import PipelineError
from pipelines.runtime.settings import Settings


def write_dbt_docs(output: Path | None = None, settings: Settings | None = None) -> Path:
    """Generate the dbt docs and copy them to ``docs/`` beside the report; return the page's path."""
    from pipelines.transform import run_dbt

    docs_dir = report_path(output).parent / "docs"
    with tempfile.TemporaryDirectory(prefix="prp-dbt-docs-") as target:
        _reuse_last_parse(Path(target))
        run_dbt("docs", "generate", "--static", "--target-path", target, settings=settings)
        built = Path(target)
        if not (built / "static_index.html").exists():
            raise PipelineError("dbt docs generate --static wrote no static_index.html")
        docs_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(built / "static_index.html", docs_dir / "index.html")
        for name in ("manifest.json", "catalog.json"):
            if (built / name).exists():
                shutil.copy(built / name, docs_dir / name)
    print(f"dbt docs: {docs_dir / 'index.html'}")
    return docs_dir / "index.html"


def _reuse_last_parse(target: Path) -> None:
    """Start the docs' own target folder from the parse the last dbt command saved, so dbt
    parses only what changed since (dbt checks the saved parse against the project, profile and
    vars, and parses everything again when it is stale); a fresh folder would cost a full parse,
    about two seconds of CPU."""
    from pipelines.transform.dbt_project import PARTIAL_PARSE_FILE
    from pipelines.transform.summary import target_dir

    saved = target_dir() / PARTIAL_PARSE_FILE
    if saved.is_file():
        shutil.copy(saved, target / PARTIAL_PARSE_FILE)
