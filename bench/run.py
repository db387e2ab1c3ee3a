"""Full loads of the ``heavy`` sandbox profile, one source at a time, reported as JSON.

For each source: wall time, requests per API endpoint, rows loaded, and the ratio of the wall
time to the API's request floor (requests made / the published request rate): 1.0 means the
pipeline spent no time beyond what the rate limit forces. Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# requests per second each API publishes for one user/integration
PUBLISHED_RATES = {"notion": 3.0, "hubspot": 10.0, "google": 5.0}
SANDBOX_APP = {"notion": "notion", "hubspot": "hubspot", "fitbit": "google"}


def bench_source(name: str, profile: str, workdir: Path) -> dict:
    from pipelines.sources import refresh_function
    from sandbox import start_sandbox

    app_name = SANDBOX_APP[name]
    with start_sandbox(profile=profile, apis=(app_name,)) as box:
        os.environ.update(box.env())
        started = time.monotonic()
        info = refresh_function(name)(is_incremental=False)
        elapsed = time.monotonic() - started
        app = box.app(app_name)
        requests = sum(app.counts.values())
    floor = requests / PUBLISHED_RATES[app_name]
    summary = info.prp_summary
    return {
        "source": name, "profile": profile, "seconds": round(elapsed, 2),
        "requests": requests, "requests_by_endpoint": dict(app.counts),
        "retries": summary.retries, "rows": summary.rows, "rows_total": summary.total_rows,
        "request_floor_seconds": round(floor, 2),
        "ratio_to_floor": round(elapsed / floor, 2) if floor else None,
        "rows_per_second": round(summary.total_rows / elapsed, 1) if elapsed else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="heavy", choices=["small", "demo", "heavy"])
    parser.add_argument("--sources", nargs="*", default=["notion", "hubspot", "fitbit"])
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    output = args.output.resolve() if args.output else None  # before the chdir below

    workdir = Path(tempfile.mkdtemp(prefix="prp-bench-"))
    (workdir / ".dlt").mkdir()
    shutil.copy(REPO / ".dlt" / "config.toml", workdir / ".dlt" / "config.toml")
    os.chdir(workdir)
    os.environ.update(DLT_PROJECT_DIR=str(workdir), DLT_DATA_DIR=str(workdir / "dlt"),
                      PRP__TARGET="bench", PRP__DUCKDB_PATH=str(workdir / "bench.duckdb"))
    results = []
    try:
        # the pipelines log to stdout; keep stdout for the JSON alone
        with contextlib.redirect_stdout(sys.stderr):
            for name in args.sources:
                print(f"bench: {name} ({args.profile})", flush=True)
                results.append(bench_source(name, args.profile, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = json.dumps({"profile": args.profile, "results": results}, indent=2)
    print(report)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
