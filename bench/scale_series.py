"""The volume series: a profile at 1x, 2x and 4x its volume, full syncs with the limits off.

The sandbox generates ``scale`` times the profile's data (Notion and Google Health: as many times
the days of history; HubSpot: as many records of each type and their associations). Each size
gets its own sandbox process and warehouse; the first day the sources read from is moved back
so the longer history loads whole.

Per size and source: wall time, rows, time per row, peak RSS of the pipeline process, its CPU
time and the sandbox's. The targets: peak RSS under 500 MB at every size, and time per row at
the largest size within 1.2x of 1x (time grows no faster than the rows), over all sources and
for each one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import Workspace
from bench.report import emit_json
from bench.sandbox_proc import SandboxProcess

SCALES = (1, 2, 4)
SCALED_SOURCES = {"notion": "notion", "hubspot": "hubspot", "fitbit": "google"}
RSS_LIMIT_MB = 500
PER_ROW_SLACK = 1.2
# every record of the longest history loads (4x Notion's heavy profile reaches back 12 years,
# Google Health's 16: Fitbit reads from the later of this and the account's membership start)
FROM_THE_START = {"SOURCES__NOTION__INITIAL_DATE": "2000-01-01",
                  "SOURCES__HUBSPOT__INITIAL_DATE": "2000-01-01",
                  "SOURCES__FITBIT__INITIAL_DATE": "2000-01-01"}


def _one_size(profile: str, seed: int, scale: int, sources: list[str], root: Path,
              fmt: str | None) -> dict[str, Any]:
    apps = tuple(SCALED_SOURCES[s] for s in sources)
    out: dict[str, Any] = {}
    with SandboxProcess(profile, seed, apps, scale=scale) as box:
        box.set_rate_limits(False)
        ws = Workspace(f"scale-{scale}x", root)
        for source in sources:
            print(f"bench: scale {scale}x {source} full (limits off)", file=sys.stderr, flush=True)
            cpu = box.cpu_s()
            run = ws.pipeline(source, "full", {**box.env(False), **FROM_THE_START}, fmt)
            requests = sum(box.counts()[SCALED_SOURCES[source]].values())
            box.reset_counts()
            out[source] = {"wall_s": run["wall_s"], "rows": run["rows"],
                           "us_per_row": round(run["wall_s"] / max(1, run["rows"]) * 1e6, 2),
                           "peak_rss_mb": run["peak_rss_mb"], "cpu_s": run.get("cpu_s"),
                           "sandbox_cpu_s": round(box.cpu_s() - cpu, 3),
                           "steps_s": run["steps_s"], "requests": requests}
    return out


def scale_series(profile: str, seed: int, sources: list[str], root: Path,
                 fmt: str | None = None, scales: tuple[int, ...] = SCALES) -> dict[str, Any]:
    """Every size of the series, and how each compares with the first."""
    sources = [s for s in sources if s in SCALED_SOURCES]
    sizes = {f"{k}x": _one_size(profile, seed, k, sources, root, fmt) for k in scales}
    return {"profile": profile, "scales": list(scales), "sources": sources,
            "sizes": sizes, **judge(sizes)}


def judge(sizes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Time per row against the first size (per source and over all of them), the peak RSS."""
    first, last = next(iter(sizes)), list(sizes)[-1]

    def per_row(size: str, source: str | None = None) -> float:
        runs = [r for s, r in sizes[size].items() if source in (None, s)]
        return sum(r["wall_s"] for r in runs) / max(1, sum(r["rows"] for r in runs))

    growth = {source: round(per_row(last, source) / per_row(first, source), 3)
              for source in sizes[first]}
    growth["all"] = round(per_row(last) / per_row(first), 3) if sizes[first] else None

    def cpu_per_row(size: str) -> float:  # the pipeline's and the sandbox's: less noisy than wall
        runs = list(sizes[size].values())
        cpu = sum((r.get("cpu_s") or 0) + (r.get("sandbox_cpu_s") or 0) for r in runs)
        return cpu / max(1, sum(r["rows"] for r in runs))

    peak = max((r["peak_rss_mb"] for size in sizes.values() for r in size.values()), default=0)
    per_row_target = f"time per row at {last} <= {PER_ROW_SLACK}x {first}"
    # over all sources, and each on its own (a fast source must not hide a slow one)
    per_row_ratios = {per_row_target: growth["all"]} | {
        f"{per_row_target}, {source}": ratio for source, ratio in growth.items() if source != "all"}
    return {"time_per_row_vs_first": growth,
            "cpu_per_row_vs_first": round(cpu_per_row(last) / cpu_per_row(first), 3)
            if sizes[first] and cpu_per_row(first) else None,
            "peak_rss_mb": peak,
            "targets": {
                f"scale series peak RSS < {RSS_LIMIT_MB} MB": [peak, peak < RSS_LIMIT_MB],
                **{name: [ratio, (ratio or 99) <= PER_ROW_SLACK]
                   for name, ratio in per_row_ratios.items()}}}


def table(series: dict[str, Any]) -> str:
    """A readable summary of the series."""
    lines = [f"volume series ({series['profile']} profile, limits off):",
             f"  {'size':<6}{'source':<9}{'rows':>10}{'wall s':>9}{'us/row':>9}{'RSS MB':>9}"
             f"{'cpu s':>8}{'sandbox cpu s':>15}"]
    for size, runs in series["sizes"].items():
        for source, r in runs.items():
            lines.append(f"  {size:<6}{source:<9}{r['rows']:>10}{r['wall_s']:>9.1f}"
                         f"{r['us_per_row']:>9.1f}{r['peak_rss_mb']:>9.1f}{r['cpu_s'] or 0:>8.1f}"
                         f"{r['sandbox_cpu_s']:>15.1f}")
    lines.append(f"  time per row, largest size / 1x: {series['time_per_row_vs_first']}; "
                 f"CPU per row (pipeline + sandbox): {series['cpu_per_row_vs_first']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The series alone (``make bench`` runs it too): prints the table and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="heavy", choices=["small", "demo", "heavy"])
    parser.add_argument("--sources", nargs="*", default=list(SCALED_SOURCES))
    parser.add_argument("--scales", nargs="*", type=int, default=list(SCALES))
    parser.add_argument("--format", help="loader file format (default: the project's own)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="prp-bench-scale-"))
    try:
        series = scale_series(args.profile, args.seed, args.sources, root, args.format,
                              tuple(args.scales))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(table(series))
    emit_json(series, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
