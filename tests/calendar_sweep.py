"""The calendar sweep: the date-sensitive test modules, with the whole process clock moved.

``make test-calendar`` runs ``python -m tests.calendar_sweep``: for each moment (the list below,
or the moments given as arguments, ``now`` for the real clock), the modules in
``CALENDAR_MODULES`` run under pytest with ``PRP_TEST_CLOCK`` set, so the tests, the sandbox and
every ``prp`` or dbt process they start see that moment (``tests/process_clock.py``). Prints one
line per moment and exits 1 when any moment failed; a failure reproduces on any later day with
``make test-calendar AT=<its moment>``.

Modules not listed here do not test the date: ``make test`` pins their clock to
``PINNED_MOMENT`` (tests/conftest.py), and the sweep leaves them out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOG_DIR = REPO / "data" / "calendar-sweep"  # data/ is git-ignored

# what depends on the date: the sandbox's generators, the three pipelines' windows and cursors,
# the dbt marts (weeks, streaks, as-of dates) and the report built from them
CALENDAR_MODULES = (
    "tests/unit",
    "tests/integration/test_google_sandbox.py",
    "tests/integration/test_notion_sandbox.py",
    "tests/integration/test_hubspot_sandbox.py",
    "tests/integration/test_fitbit_pipeline.py",
    "tests/integration/test_notion_pipeline.py",
    "tests/integration/test_hubspot_pipeline.py",
    "tests/integration/test_notion_staging.py",
    "tests/integration/test_transform_skips_unchanged.py",
    "tests/dbt/test_marts_truth.py",
    "tests/dbt/test_any_subset_of_sources.py",
    "tests/dbt/test_fitbit_staging.py",
    "tests/dbt/test_hubspot_staging.py",
    "tests/dbt/test_own_notion_workspace.py",
    "tests/browser/test_report.py",
    "tests/integration/test_review.py",
    "tests/browser/test_review.py",
)

# the clock of every module that does not test the date, in ``make test``: a Wednesday morning
# far from any DST change, month or year end
PINNED_MOMENT = "2026-06-10T10:00:00Z"

# the default list; Europe/London is the personal zone the tests configure (the sandbox's
# accounts live there), America/Los_Angeles the other zone some tests choose
MOMENTS = (
    ("2026-03-29T00:30Z", "DST starts in Europe (00:30 UTC: London still on GMT)"),
    ("2026-03-29T02:30Z", "DST starts in Europe (02:30 UTC: London on BST)"),
    ("2026-11-01T06:30Z", "DST ends in the US (Los Angeles 23:30 PDT, the 31st)"),
    ("2026-12-31T23:30Z", "the last half hour of a year"),
    ("2027-01-01T00:30Z", "the first half hour of a year"),
    ("2028-02-29T12:00Z", "a leap day"),
    ("2027-03-28T23:10Z", "a Monday at 00:10 in Europe/London (the day after DST starts)"),
    ("2027-06-27T22:50Z", "a Sunday at 23:50 in Europe/London (BST)"),
    ("now", "the real clock"),
)


def follows_the_calendar(module: Path) -> bool:
    """Whether ``module`` is one the sweep moves (it runs on the real clock in ``make test``)."""
    relative = module.resolve().relative_to(REPO).as_posix()
    return any(relative == entry or relative.startswith(entry + "/") for entry in CALENDAR_MODULES)


def run_at(moment: str, workers: str, extra: list[str]) -> tuple[int, str, float]:
    """pytest over ``CALENDAR_MODULES`` at ``moment``: (exit code, pytest's last line, seconds).

    pytest's whole output goes to ``LOG_DIR/<moment>.log``; a failure's summary names the file.
    """
    env = dict(os.environ)
    for key in ("PRP_TEST_CLOCK", "PRP_TEST_CLOCK_SHIFT"):
        env.pop(key, None)
    if moment != "now":
        env["PRP_TEST_CLOCK"] = moment
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "not e2e", "-n", workers, "--dist", "loadfile",
         "-q", *extra, *CALENDAR_MODULES], cwd=REPO, env=env, capture_output=True, text=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_file = LOG_DIR / f"{moment.replace(':', '')}.log"
    log_file.write_text(done.stdout + done.stderr)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else done.stderr.strip()[-300:]
    if done.returncode != 0:  # the failures' own lines, so the sweep's output says what broke
        failed = [line for line in done.stdout.splitlines() if re.match(r"(FAILED|ERROR) ", line)]
        summary = "\n".join([summary, *("    " + line for line in failed),
                             f"    pytest's output: {log_file}"])
    return done.returncode, summary, time.monotonic() - started


def main(argv: list[str]) -> int:
    moments = [(m, "given") for m in " ".join(argv).split()] or list(MOMENTS)
    workers = os.environ.get("TEST_WORKERS", "3")
    extra = os.environ.get("PYTEST_ARGS", "").split()
    results = []
    for index, (moment, why) in enumerate(moments, 1):
        print(f"[{index}/{len(moments)}] {moment} ({why}) ...", flush=True)
        code, summary, seconds = run_at(moment, workers, extra)
        verdict = "passed" if code == 0 else "FAILED"
        print(f"    {verdict} in {seconds:.0f}s: {summary}", flush=True)
        results.append((moment, verdict))
    print("\ncalendar sweep:")
    for moment, verdict in results:
        print(f"  {moment:<22} {verdict}")
    failed = [moment for moment, verdict in results if verdict != "passed"]
    if failed:
        print(f"reproduce one: make test-calendar AT=\"{failed[0]}\"")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
