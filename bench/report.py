"""Turn the measured runs and floors into the results document, the targets and a table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.floor import wall_floor_s

WALL_SLACK = 1.1           # wall time with the limits on, against the floor
UNLIMITED_SHARE = 0.1      # every source with the limits off, against the summed floors
NOTION_FULL_S = 5.0        # "well under 10 s": the heavy Notion full run

STEPS = ("extract", "normalize", "load")


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _per_step_rows(run: dict[str, Any]) -> dict[str, float | None]:
    return {step: _ratio(run["rows"], run["steps_s"].get(step, 0)) for step in STEPS}


def _source(floor: dict[str, Any], runs: dict[str, Any], unlimited: dict[str, Any]) -> dict[str, Any]:
    full, quiet = runs["full"], runs["no_change"]
    if "error" in unlimited:  # the limits-off run failed: no figure rather than a wrong one
        unlimited = {"wall_s": None, "requests": None}
    f_full, f_quiet = floor["full"], floor["no_change"]
    # the floor a wall time is held to: the waiting the documented limits impose, then the
    # last window's share of the work (the limits-off run's own time)
    wall_floor = wall_floor_s(f_full["floor_s"], f_full["last_window_share"], unlimited["wall_s"])
    return {
        "documented_limits": floor["documented_limits"], "limits_source": floor["limits_source"],
        "sandbox_limits": floor["sandbox_limits"],
        "full": {"requests": full["requests"], "min_requests": f_full["requests"],
                 "requests_over_min": _ratio(full["requests"], f_full["requests"]),
                 "min_requests_breakdown": {"data": f_full["data"], "checks": f_full["checks"]},
                 "requests_by_endpoint": full["requests_by_endpoint"],
                 "wall_s": full["wall_s"], "wall_s_runs": full.get("wall_s_runs"),
                 "floor_s": f_full["floor_s"],
                 "wall_over_documented_floor": _ratio(full["wall_s"], f_full["floor_s"]),
                 "last_window_share": f_full["last_window_share"],
                 "wall_floor_s": wall_floor, "wall_over_floor": _ratio(full["wall_s"], wall_floor or 0),
                 "wall_unlimited_s": unlimited["wall_s"],
                 "wall_unlimited_s_runs": unlimited.get("wall_s_runs"),
                 "unlimited_over_floor": _ratio(unlimited["wall_s"] or 0, f_full["floor_s"]),
                 "unlimited_requests": unlimited["requests"],
                 "unlimited_cpu_s": unlimited.get("cpu_s"),
                 "unlimited_sandbox_cpu_s": unlimited.get("sandbox_cpu_s"),
                 "unlimited_steps_s": unlimited.get("steps_s"),
                 "rows": full["rows"], "steps_s": full["steps_s"],
                 "peak_rss_mb": full["peak_rss_mb"], "cpu_s": full.get("cpu_s")},
        "no_change": {"requests": quiet["requests"], "min_requests": f_quiet["requests"],
                      "min_requests_breakdown": {"data": f_quiet["data"], "checks": f_quiet["checks"]},
                      "requests_by_endpoint": quiet["requests_by_endpoint"],
                      "wall_s": quiet["wall_s"], "floor_s": f_quiet["floor_s"], "rows": quiet["rows"]},
    }


def _formats(unlimited: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per loader file format: summed step times, rows/s per step, peak RSS."""
    out = {}
    for fmt, measured in unlimited.items():
        failed = {s: r["error"] for s, r in measured.items() if "error" in r}
        by_source = {s: r for s, r in measured.items() if "error" not in r}
        if not by_source:
            out[fmt] = {"failed": failed}
            continue
        rows = sum(r["rows"] for r in by_source.values())
        steps = {step: round(sum(r["steps_s"].get(step, 0) for r in by_source.values()), 3)
                 for step in STEPS}
        out[fmt] = {"rows": rows, "wall_s": round(sum(r["wall_s"] for r in by_source.values()), 3),
                    "steps_s": steps, "rows_per_s": {s: _ratio(rows, t) for s, t in steps.items()},
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in by_source.values()),
                    "by_source": {s: {"wall_s": r["wall_s"], "steps_s": r["steps_s"], "rows": r["rows"],
                                      "rows_per_s": _per_step_rows(r), "peak_rss_mb": r["peak_rss_mb"]}
                                  for s, r in by_source.items()}}
        if failed:  # the figures cover only the sources that loaded
            out[fmt]["failed"] = failed
    return out


def evaluate(profile: str, floors: dict[str, Any], limited: dict[str, Any],
             unlimited: dict[str, Any], formats: list[str],
             compared_on: dict[str, str], series: dict[str, Any] | None = None,
             hubspot_per_10s: int = 100) -> dict[str, Any]:
    """The results document (the issue's shape plus more keys), with each target judged.

    ``unlimited["full"]``: every source's limits-off full run in the default format (the first
    of ``formats``); ``unlimited["compared"]``: per format, the runs on ``compared_on``.
    """
    default = formats[0]
    sources = {s: _source(floors[s], limited["runs"][s], unlimited["full"][s]) for s in floors}
    full_all = sum(v["full"]["wall_s"] for v in sources.values()) + limited["dbt_build_s"]
    quiet_all = limited["quiet_all_s"]
    # the pipeline as configured: every run in the default format (the slower formats' own
    # peaks are under "formats")
    rss = [r["peak_rss_mb"] for runs in limited["runs"].values() for r in runs.values()]
    rss += [r["peak_rss_mb"] for r in unlimited["full"].values() if "error" not in r]
    format_figures = _formats(unlimited["compared"])
    summed_floor = sum(v["full"]["floor_s"] for v in sources.values())
    summed_unlimited = sum(v["full"]["wall_unlimited_s"] or 0 for v in sources.values())
    report = {
        "profile": profile, "hubspot_requests_per_10s": hubspot_per_10s,
        "sources": sources, "peak_rss_mb": max(rss),
        "dbt_build_s": round(limited["dbt_build_s"], 3),
        "no_change_over_full": _ratio(quiet_all, full_all),
        "no_change_all_plus_transform_s": round(quiet_all, 3),
        "no_change_all_transform_s": round(limited["quiet_dbt_s"], 3),
        "full_all_plus_transform_s": round(full_all, 3),
        "no_change_all_requests": {s: r["requests"] for s, r in limited["quiet_all"].items()},
        "summed_floors_s": summed_floor, "summed_unlimited_s": round(summed_unlimited, 3),
        "unlimited_over_summed_floors": _ratio(summed_unlimited, summed_floor),
        "loader_file_format": default,
        "peak_rss_scope": f"every run in the default loader file format ({default})",
        "formats_compared_on": compared_on, "formats": format_figures,
        "fastest_format": min((f for f in format_figures if "failed" not in format_figures[f]),
                              key=lambda f: format_figures[f]["wall_s"], default=None),
    }
    if series is not None:
        report["scale_series"] = series
    report["targets"] = targets(report)
    return report


def targets(r: dict[str, Any]) -> dict[str, Any]:
    """Each target of the issue: the figure and whether it is met."""
    out: dict[str, Any] = {}
    for name, s in r["sources"].items():
        full, quiet = s["full"], s["no_change"]
        out[f"{name} full requests <= 1.05x min"] = [full["requests_over_min"],
                                                      full["requests"] <= 1.05 * full["min_requests"]]
        out[f"{name} no-change requests == min"] = [f"{quiet['requests']}/{quiet['min_requests']}",
                                                    quiet["requests"] == quiet["min_requests"]]
        out[f"{name} wall <= {WALL_SLACK}x floor"] = [full["wall_over_floor"],
                                                      (full["wall_over_floor"] or 99) <= WALL_SLACK]
    if "notion" in r["sources"] and r["profile"] == "heavy":
        wall = r["sources"]["notion"]["full"]["wall_s"]
        out[f"notion heavy full run well under 10 s (<= {NOTION_FULL_S} s)"] = [
            wall, wall <= NOTION_FULL_S]
    out[f"limits off <= {UNLIMITED_SHARE}x summed floors"] = [
        r["unlimited_over_summed_floors"], (r["unlimited_over_summed_floors"] or 99) <= UNLIMITED_SHARE]
    out["peak RSS < 500 MB"] = [r["peak_rss_mb"], r["peak_rss_mb"] < 500]
    out["no-change all + transform <= 0.1x full"] = [r["no_change_over_full"],
                                                      (r["no_change_over_full"] or 99) <= 0.1]
    out.update((r.get("scale_series") or {}).get("targets", {}))
    return out


def table(r: dict[str, Any]) -> str:
    """A readable summary of the results document."""
    lines = [f"profile {r['profile']}   loader format {r['loader_file_format']}   "
             f"peak RSS {r['peak_rss_mb']} MB   dbt build {r['dbt_build_s']:.1f} s   "
             f"HubSpot at {r['hubspot_requests_per_10s']} per 10 s",
             f"{'source':<9}{'mode':<10}{'requests':>9}{'min':>7}{'ratio':>7}{'wall s':>9}"
             f"{'floor s':>9}{'+work s':>9}{'wall/fl':>9}{'unlim s':>9}{'unl/fl':>8}{'rows':>9}"]
    for name, s in r["sources"].items():
        f, q = s["full"], s["no_change"]
        lines.append(f"{name:<9}{'full':<10}{f['requests']:>9}{f['min_requests']:>7}"
                     f"{f['requests_over_min'] or 0:>7.2f}{f['wall_s']:>9.1f}{f['floor_s']:>9.1f}"
                     f"{f['wall_floor_s'] or 0:>9.1f}{f['wall_over_floor'] or 0:>9.2f}"
                     f"{f['wall_unlimited_s'] or 0:>9.1f}{f['unlimited_over_floor'] or 0:>8.2f}"
                     f"{f['rows']:>9}")
        lines.append(f"{'':<9}{'no-change':<10}{q['requests']:>9}{q['min_requests']:>7}"
                     f"{q['requests'] / max(1, q['min_requests']):>7.2f}{q['wall_s']:>9.1f}"
                     f"{q['floor_s']:>9.1f}{'':>9}{'':>9}{'':>9}{'':>8}{q['rows']:>9}")
    lines.append(f"no-change all + transform / full all + transform: {r['no_change_over_full']}"
                 f" ({r['no_change_all_plus_transform_s']:.1f} s / {r['full_all_plus_transform_s']:.1f} s)")
    lines.append("limits off, formats side by side, rows/s per step ("
                 + "; ".join(f"{s}: {on}" for s, on in r["formats_compared_on"].items()) + "):")
    for fmt, f in r["formats"].items():
        if "wall_s" in f:
            rates = "  ".join(f"{step} {rate or 0:,.0f}" for step, rate in f["rows_per_s"].items())
            lines.append(f"  {fmt:<14} wall {f['wall_s']:>7.1f} s  {rates}  RSS {f['peak_rss_mb']} MB"
                         + ("  (loaded sources only)" if "failed" in f else ""))
        if "failed" in f:
            failures = "; ".join(f"{s}: {e[:120]}" for s, e in f["failed"].items())
            lines.append(f"  {fmt:<14} FAILED: {failures}")
    lines.append(f"limits off, every source: {r['summed_unlimited_s']} s against summed floors "
                 f"{r['summed_floors_s']} s = {r['unlimited_over_summed_floors']}")
    if r.get("scale_series"):
        from bench.scale_series import table as series_table
        lines.append(series_table(r["scale_series"]))
    lines.append("targets:")
    for name, (figure, met) in r["targets"].items():
        lines.append(f"  {'met ' if met else 'MISS'}  {name}: {figure}")
    return "\n".join(lines)


def emit_json(report: dict[str, Any], output: Path | None) -> None:
    """Print the JSON and, when asked, write it to ``output`` too (its folder made)."""
    text = json.dumps(report, indent=2)
    print(text)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")
