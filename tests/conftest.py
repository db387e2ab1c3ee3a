"""Shared fixtures: an isolated project directory per test and a sandbox to talk to."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# the shared assertions of the dbt tests report their values as test-module asserts do
pytest.register_assert_rewrite("tests.dbt.marts")

REPO = Path(__file__).resolve().parent.parent


def python_env(**extra: str) -> dict[str, str]:
    """The environment of a Python process a test starts: this one's, the repository importable,
    and the PYTHONPATH already set kept (``tests/clock_startup`` there gives the child the test's
    clock, ``tests/process_clock.py``)."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, **extra, "PYTHONPATH": path}


def run_prp(cwd: Path, *argv: str, timeout: float = 300) -> tuple[int, str]:
    """``prp <argv>`` as its own process, as a person or a workflow runs it: its exit code and
    everything it printed."""
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *argv], capture_output=True,
                          text=True, cwd=cwd, env=python_env(), timeout=timeout)
    return done.returncode, done.stdout + done.stderr


# the calendar sweep's moved clock (tests/process_clock.py): its traveller, kept for the session
_SWEEP_CLOCK = []


def pytest_configure(config: pytest.Config) -> None:
    """Collect cyclic garbage as seldom as ``prp`` does, in every test process (workers
    included), which runs the pipelines and dbt in-process; Ctrl-C handled even when the suite
    was started with it ignored; the process clock moved when the calendar sweep says so."""
    from pipelines.runtime.garbage import collect_garbage_less_often
    from tests.process_clock import MOMENT, SHIFT, shift_from_environment

    if os.environ.get(MOMENT) or os.environ.get(SHIFT):
        # None in a worker, which sitecustomize moved at start-up already
        _SWEEP_CLOCK.append(shift_from_environment())
    collect_garbage_less_often()
    # A shell that starts `make test` in the background without job control makes it ignore
    # Ctrl-C (SIGINT), and every process started from it inherits that: the tests that press
    # Ctrl-C on a `prp` process would see it ignored. Handle it as Python does by default
    # (a handler, unlike "ignore", is not passed on to the processes a test starts).
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_report_header(config: pytest.Config) -> str:
    """Which clock the tests see, and how to see it again on a later day."""
    from datetime import UTC, datetime

    from tests.calendar_sweep import PINNED_MOMENT

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")
    if _SWEEP_CLOCK:
        return f"clock: {now} for every module (moved by PRP_TEST_CLOCK)"
    return (f"clock: {now} for the date-sensitive modules, {PINNED_MOMENT} for the rest; "
            f"a date-dependent failure reproduces with make test-calendar AT={now}")


@pytest.fixture(scope="module", autouse=True)
def _clock_of_the_module(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module that does not test the date runs at ``PINNED_MOMENT``, this process and every
    process it starts (a failure there reproduces on any day); the date-sensitive modules
    (``tests/calendar_sweep.py``) keep the real or the sweep's clock."""
    from tests.calendar_sweep import PINNED_MOMENT, follows_the_calendar
    from tests.process_clock import parse_moment, shift_environment, travel_by

    if _SWEEP_CLOCK or follows_the_calendar(request.path):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        env = {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        shift = shift_environment(parse_moment(PINNED_MOMENT), env)
        for key, value in env.items():
            mp.setenv(key, value)
        traveller = travel_by(shift)
        try:
            yield
        finally:
            traveller.stop()


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``make test`` spreads modules over workers as ``tests/scheduling.py`` says."""
    from tests.scheduling import ModuleScheduling

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest modules first (workers take them in this order); a module's own order kept."""
    from tests.scheduling import run_order

    items.sort(key=lambda item: run_order(item.nodeid))


def isolate_project(mp: pytest.MonkeyPatch, directory: Path) -> Path:
    """Make ``directory`` the working project: the committed .dlt/config.toml and nothing else.

    dlt state, the DuckDB file and any secrets file land there, never in the checkout, and no
    environment variable from the developer's shell leaks in.
    """
    for key in list(os.environ):
        if key.startswith(("SOURCES__", "PRP__", "DESTINATION__", "PROVIDERS__")) or key in (
            "FORCE_FULL_REFRESH", "PIPELINE_NAME", "BIGQUERY_DATASET",
            "GITHUB_STEP_SUMMARY",  # a test run inside Actions never writes the job's summary
        ) or key.endswith("_FULL_REFRESH"):
            mp.delenv(key, raising=False)
    (directory / ".dlt").mkdir(exist_ok=True)
    shutil.copy(REPO / ".dlt" / "config.toml", directory / ".dlt" / "config.toml")
    mp.chdir(directory)
    mp.setenv("DLT_PROJECT_DIR", str(directory))
    mp.setenv("DLT_DATA_DIR", str(directory / "dlt"))
    mp.setenv("PRP__DUCKDB_PATH", str(directory / "warehouse.duckdb"))
    mp.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    # dbt's artifacts and logs too, so tests running side by side never share dbt/target
    mp.setenv("DBT_TARGET_PATH", str(directory / "dbt-target"))
    _start_from_a_saved_dbt_parse(directory / "dbt-target")
    mp.setenv("DBT_LOG_PATH", str(directory / "dbt-logs"))
    # no dbt debug log file (about 6 % of a build's CPU); the privacy scan turns it back on
    mp.setenv("DBT_LOG_LEVEL_FILE", "none")
    return directory


# the dbt target folders this process handed out, newest last (see the function below)
_DBT_TARGETS: list[Path] = []


def _start_from_a_saved_dbt_parse(target: Path) -> None:
    """A new project folder starts with the dbt parse an earlier one in this process saved.

    dbt parses the project from scratch (~3 s of CPU) into an empty target folder, and only
    what changed when it finds a saved parse that matches the project, profile and vars (the
    DuckDB path is relative to the project folder, ``dbt_project.dbt_settings``); a saved parse
    that does not match is parsed again in full, as dbt does for a person whose project changed.
    """
    from pipelines.transform.dbt_project import PARTIAL_PARSE_FILE

    if target in _DBT_TARGETS:  # the same folder again (a module's several commands)
        return
    saved = [t / PARTIAL_PARSE_FILE for t in _DBT_TARGETS if (t / PARTIAL_PARSE_FILE).is_file()]
    _DBT_TARGETS.append(target)
    if saved and not (target / PARTIAL_PARSE_FILE).exists():
        target.mkdir(parents=True, exist_ok=True)
        # the parse dbt wrote last (a folder handed out early may have parsed since)
        shutil.copyfile(max(saved, key=lambda path: path.stat().st_mtime), target / PARTIAL_PARSE_FILE)


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated project directory per test (see ``isolate_project``)."""
    return isolate_project(monkeypatch, tmp_path)


@pytest.fixture
def start(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Start a sandbox (``start(apis=("notion",), profile="small")``) pointed at by the env."""
    from sandbox import start_sandbox

    started = []

    def _start(apis: tuple[str, ...] | None = None, profile: str = "small", seed: int = 7,
               now=None, rate_limits: bool = False):
        # limits off unless a test checks pacing: the data is the same, the waiting is not
        box = start_sandbox(profile=profile, seed=seed, apis=apis, now=now, rate_limits=rate_limits)
        started.append(box)
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        return box

    yield _start
    for box in started:
        box.stop()


@contextlib.contextmanager
def sandbox_in_env(mp: pytest.MonkeyPatch, profile: str = "demo") -> Iterator:
    """Every stand-in, limits off, with the settings that point the pipelines at it; stopped after."""
    from sandbox import start_sandbox

    box = start_sandbox(profile=profile, seed=7, rate_limits=False)
    try:
        for key, value in box.env().items():
            mp.setenv(key, value)
        yield box
    finally:
        box.stop()


def refresh_every_source() -> None:
    """``prp refresh all`` in-process: every source's real pipeline, one after another."""
    from pipelines.sources import SOURCE_MODULES, refresh_function

    for name in SOURCE_MODULES:
        refresh_function(name)()


def build_marts_as_of(box, *, unit_tests: bool = True) -> tuple:
    """``dbt build`` pinned to the sandbox's today in the personal zone.

    Returns (settings, zone, as-of date, the build's error or None): the marts may exist even
    when a dbt test failed, and the caller's own test reports it. ``unit_tests=False`` leaves
    dbt's unit tests out, as the daily build does: their inputs are fixed, and the demo build
    runs them.
    """
    import json
    from zoneinfo import ZoneInfo

    from pipelines.runtime.settings import load_settings
    from pipelines.transform import DAILY_BUILD_ARGS, run_dbt

    settings = load_settings()
    zone = ZoneInfo(settings.timezone)
    as_of = box.clock.now().astimezone(zone).date()
    try:
        # the last --vars wins: the CLI's time zone plus the pinned as-of date
        run_dbt("build", "--vars", json.dumps(
            {"timezone": settings.timezone, "as_of_date": as_of.isoformat()}),
            *(() if unit_tests else DAILY_BUILD_ARGS), settings=settings)
    except Exception as exc:  # noqa: BLE001 - reported by the caller's own test
        return settings, zone, as_of, exc
    return settings, zone, as_of, None


@dataclass
class DemoWarehouse:
    """The demo profile as the three pipelines loaded it and ``dbt build`` left it."""

    work: Path
    box: object  # the stopped sandbox: its truth stays readable
    timezone: ZoneInfo
    as_of: date
    build_error: Exception | None
    settings: object
    unit_test_results: dict[str, str]  # unique_id -> status, from the build's run_results.json

    @property
    def path(self) -> Path:
        return self.work / "warehouse.duckdb"

    @property
    def dbt_target(self) -> Path:
        """The build's dbt artifacts (``isolate_project`` put them there)."""
        return self.work / "dbt-target"


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    """Demo sandbox -> the three pipelines -> DuckDB -> a pinned ``dbt build``, once per worker.

    Between the first load and the build, a contact, a call and a Fitbit day are deleted in the
    sandbox and both sources refreshed again, so the build shows deletions flowing through.
    For tests that only read the result (copy the file to change it). Their modules are one
    work unit (``tests/scheduling.py``), so one worker builds it for all of them. The
    environment is restored before the tests run; the sandbox is stopped, its truth kept.
    """
    work = tmp_path_factory.mktemp("demo_warehouse")
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, work)
        mp.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
        # the personal zone the demo person configured (the sandbox's accounts live in London);
        # unset, it would be this machine's zone
        mp.setenv("PRP__TIMEZONE", "Europe/London")
        with sandbox_in_env(mp) as box:
            refresh_every_source()
            _delete_a_contact_a_call_and_a_day(box)
            mp.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
            from pipelines.sources import refresh_function

            refresh_function("hubspot")()
            refresh_function("fitbit")()
            settings, zone, as_of, build_error = build_marts_as_of(box)
    return DemoWarehouse(work, box, zone, as_of, build_error, settings, _unit_test_results(work))


def _unit_test_results(work: Path) -> dict[str, str]:
    """The status of each dbt unit test the build ran (later dbt commands overwrite the file)."""
    import json

    results = work / "dbt-target" / "run_results.json"
    if not results.exists():
        return {}
    return {r["unique_id"]: r["status"] for r in json.loads(results.read_text())["results"]
            if r["unique_id"].startswith("unit_test.")}


def _delete_a_contact_a_call_and_a_day(box) -> None:
    """Archive the first live contact and call in HubSpot; delete a Fitbit day two days back."""
    from datetime import timedelta

    crm = box.app("hubspot").truth
    box.clock.advance(minutes=5)
    crm.archive("contacts", min(int(i) for i in crm.live_ids("contacts")))
    crm.archive("calls", min(int(i) for i in crm.live_ids("calls")))
    box.clock.advance(minutes=1)
    health = box.app("google").data
    health.delete_day(health.today() - timedelta(days=2))


def duckdb_rows(path: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` against a DuckDB file, opened read-only."""
    with duckdb_reader(path) as con:
        return con.execute(sql).fetchall()


@contextlib.contextmanager
def duckdb_reader(path: Path) -> Iterator:
    """A read-only connection to a DuckDB file, for several queries: each open costs ~35 ms of
    CPU (DuckDB builds its catalog), which adds up over hundreds of checks."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        yield con
