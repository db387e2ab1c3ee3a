"""One pipeline run in its own process: ``python -m bench.worker SOURCE full|incremental OUT``.

The parent sets the environment (sandbox URLs, warehouse, data dir, ``PRP__LOADER_FILE_FORMAT``
when a format is compared) and the working directory.
This writes to OUT: the run's wall time, dlt's step timings and row counts, and the process's
peak RSS, which is the pipeline's alone (the sandbox runs elsewhere).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _steps(pipeline: Any) -> dict[str, float]:
    """Seconds per dlt step (extract, normalize, load) of the pipeline's last run."""
    trace = pipeline.last_trace
    if trace is None:
        return {}
    return {step.step: round((step.finished_at - step.started_at).total_seconds(), 3)
            for step in trace.steps if step.step in ("extract", "normalize", "load")
            and step.finished_at and step.started_at}


def _rows(pipeline: Any) -> int:
    """Rows dlt normalized in the last run, without its own bookkeeping tables."""
    info = pipeline.last_trace.last_normalize_info if pipeline.last_trace else None
    counts = info.row_counts if info else {}
    return sum(n for table, n in counts.items() if not table.startswith("_dlt"))


def run(source: str, mode: str) -> dict[str, Any]:
    """Refresh ``source`` (``full`` or ``incremental``) and measure it."""
    from pipelines.runtime.runner import build_pipeline
    from pipelines.runtime.settings import load_settings
    from pipelines.sources import refresh_function

    settings = load_settings()  # the runner reads the loader file format from the same settings
    pipeline = build_pipeline(source, settings)
    started = time.monotonic()
    refresh_function(source)(is_incremental=mode != "full", pipeline=pipeline)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"source": source, "mode": mode, "wall_s": round(wall, 3), "steps_s": _steps(pipeline),
            "rows": _rows(pipeline), "loader_file_format": settings.loader_file_format or "dlt default",
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            # CPU seconds of the pipeline process: wall time on a busy machine says little
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 3)}


def main(argv: list[str]) -> int:
    source, mode, out = argv[:3]
    Path(out).write_text(json.dumps(run(source, mode)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
