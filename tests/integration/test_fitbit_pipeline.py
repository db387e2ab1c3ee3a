"""The Fitbit pipeline over HTTP against the Google Health sandbox, asserting on DuckDB rows,
the sandbox's request counters and its ground truth."""

from __future__ import annotations

import contextlib
import logging
import math
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import tomlkit

from pipelines.cli import main as prp
from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.token_store import LocalSecretsFile, reload_dlt_providers
from pipelines.sources.fitbit import refresh_fitbit
from sandbox import start_sandbox
from sandbox.clock import current_minute
from sandbox.ratelimit import SlidingWindowLimit
from tests.conftest import duckdb_rows, isolate_project, python_env
from tests.workspace_snapshot import WorkspaceSnapshot

pytestmark = pytest.mark.integration

RAW = "dev_raw_data"
SHORT = ("active-minutes", "total-calories", "floors")  # floors: 14 days, as a field report saw
LONG90 = ("steps", "distance", "time-in-heart-rate-zone", "active-zone-minutes")
LONG = LONG90
# one list request each (10,000 points a page)
LISTED = ("daily-resting-heart-rate", "daily-heart-rate-variability", "daily-oxygen-saturation",
          "daily-respiratory-rate", "daily-sleep-temperature-derivations", "daily-vo2-max",
          "weight", "body-fat")


@pytest.fixture(autouse=True)
def forget_secrets_file(project_dir):
    """dlt keeps the TOML it read in memory: leave no secret behind for later tests."""
    yield
    (project_dir / ".dlt" / "secrets.toml").unlink(missing_ok=True)
    reload_dlt_providers()


@contextlib.contextmanager
def collected_log_lines() -> Iterator[list[str]]:
    """Every message the project logs meanwhile, before any masking."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())
            if record.exc_info:
                lines.append(logging.Formatter().formatException(record.exc_info))

    handler = Collect()
    logger = logging.getLogger("prp")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def log_lines():
    """Every message the project logs during the test, before any masking."""
    with collected_log_lines() as lines:
        yield lines


@pytest.fixture
def sandbox(start):
    return start(apis=("google",))


@pytest.fixture
def google(sandbox):
    return sandbox.app("google")


@dataclass(frozen=True)
class FirstLoad:
    """The module's one real backfill of the small sandbox, as it ran and as it landed."""

    now: datetime  # the sandbox clock it ran at
    project: Path  # where it landed
    app: Any  # its (stopped) sandbox app: the counters and the truth as the backfill left them
    log_lines: list[str]  # what the run logged, before any masking
    snapshot: WorkspaceSnapshot


@pytest.fixture(scope="module")
def first_load(tmp_path_factory) -> FirstLoad:
    """``refresh_fitbit()`` once into an empty warehouse; tests that start from it restore it.

    The sandbox does not rotate refresh tokens unless a test asks, so the backfill stores no
    token: a restored test authenticates with its own sandbox's refresh token, as before.
    """
    work = tmp_path_factory.mktemp("fitbit_first_load")
    project = work / "project"
    project.mkdir()
    now = current_minute()
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, project)
        with start_sandbox(apis=("google",), now=now, rate_limits=False) as box:
            for key, value in box.env().items():
                mp.setenv(key, value)
            app = box.app("google")
            assert not app.oauth.rotate
            with collected_log_lines() as lines:
                refresh_fitbit()
            snapshot = WorkspaceSnapshot.take(work / "snapshot")
    return FirstLoad(now, project, app, lines, snapshot)


@pytest.fixture
def restored(start, first_load):
    """This test's sandbox app (the same data as the first load's) and a copy of that load.

    A sandbox with the same seed and clock serves the same data, so the copied warehouse and
    dlt state are what this test's own first ``refresh_fitbit()`` would have left.
    """
    app = start(apis=("google",), now=first_load.now).app("google")
    first_load.snapshot.restore()
    return app


def warehouse(project_dir: Path) -> Path:
    return project_dir / "warehouse.duckdb"


def loaded_sleep(project_dir: Path) -> dict[str, tuple]:
    rows = duckdb_rows(warehouse(project_dir), f"""
        select sleep_id, start_time, end_time, minutes_asleep, minutes_awake,
               minutes_in_sleep_period, stage_deep_minutes, stage_light_minutes,
               stage_rem_minutes, coalesce(stage_awake_minutes, 0), is_main_sleep, is_nap
        from {RAW}.fitbit__sleep""")
    return {r[0]: (r[1].astimezone(UTC), r[2].astimezone(UTC), *r[3:]) for r in rows}


def truth_sleep(app) -> dict[str, tuple]:
    return {s["id"]: (s["start"], s["end"], s["minutes_asleep"], s["minutes_awake"],
                      s["minutes_in_bed"], s["minutes_deep"], s["minutes_light"],
                      s["minutes_rem"], s["minutes_wake"], s["is_main_sleep"], s["is_nap"])
            for s in app.data.truth_sleep_sessions()}


def loaded_activity(project_dir: Path) -> dict[date, tuple]:
    rows = duckdb_rows(warehouse(project_dir), f"""
        select activity_date, steps, distance_mm / 1000.0, floors,
               active_minutes_moderate + active_minutes_vigorous, calories_total_kcal
        from {RAW}.fitbit__activity_daily""")
    return {r[0]: (r[1], r[2], r[3], r[4], None if r[5] is None else round(r[5], 6))
            for r in rows}


def truth_activity(app) -> dict[date, tuple]:
    return {d: (v["steps"], v["distance_meters"], v["floors"], v["active_minutes"],
                None if v["calories_total"] is None else round(v["calories_total"], 6))
            for d, v in app.data.truth_daily_activity().items()}


def loaded_resting(project_dir: Path) -> dict[date, int]:
    return dict(duckdb_rows(warehouse(project_dir),
                            f"select measured_date, beats_per_minute "
                            f"from {RAW}.fitbit__resting_heart_rate"))


def assert_matches_truth(project_dir: Path, app) -> None:
    assert loaded_sleep(project_dir) == truth_sleep(app)
    assert loaded_activity(project_dir) == truth_activity(app)
    assert loaded_resting(project_dir) == app.data.truth_resting_heart_rate()


def data_calls(app) -> dict:
    return {key: n for key, n in app.calls.items() if n}


def sleep_reads(app, sessions: int) -> int:
    """Reconcile requests for ``sessions`` nights: under the observed filter rules the end-time
    filter is refused once, and every session is read."""
    refused = 1 if app.filter_mode == "observed" else 0
    return refused + sessions // 25 + 1


def backfill_calls(app) -> dict:
    """The fewest requests a backfill from the membership start can make."""
    days = (app.data.today() - app.data.first_day).days + 1
    sessions = len(app.data.truth_sleep_sessions())
    calls = {("dailyRollUp", t): math.ceil(days / 90) for t in LONG90}
    calls.update({("dailyRollUp", t): math.ceil(days / 14) for t in SHORT})
    # one reconciled session per night, 25 a page; a full last page still carries a token,
    # answered by an empty page
    calls[("reconcile", "sleep")] = sleep_reads(app, sessions)
    calls.update({("list", t): 1 for t in LISTED})
    calls[("list", "exercise")] = len(app.data.visible_exercises()) // 25 + 1
    return calls


def assert_no_secret_leaks(project_dir: Path, app, *texts: str) -> None:
    """No issued token or the client secret in the texts, any file but the secrets file, or
    the dlt state stored in the warehouse."""
    from dlt.common.versioned_state import decompress_state

    secrets = [s for s in app.oauth.issued() if len(s) >= 8]
    assert secrets
    for text in texts:
        for secret in secrets:
            assert secret not in text
    encoded = [s.encode() for s in secrets]
    for path in project_dir.rglob("*"):
        if path.is_file() and path != project_dir / ".dlt" / "secrets.toml":
            content = path.read_bytes()
            assert not any(s in content for s in encoded), path
    if warehouse(project_dir).exists():
        for (state,) in duckdb_rows(warehouse(project_dir),
                                    f"select state from {RAW}._dlt_pipeline_state"):
            text = str(decompress_state(state))
            assert not any(s in text for s in secrets)


def test_backfill_equals_truth_in_the_fewest_requests(first_load):
    """The module's real backfill (``first_load``), checked where it landed."""
    project_dir, google = first_load.project, first_load.app
    assert_matches_truth(project_dir, google)
    assert data_calls(google) == backfill_calls(google)
    assert google.requests_to("POST /token") == 1
    assert google.requests_to("GET /v4/users/{user}/settings") == 1
    assert google.requests_to("GET /v4/users/{user}/profile") == 1
    assert google.rejected == 0  # paced under 300 requests a minute
    assert_no_secret_leaks(project_dir, google, *first_load.log_lines)


def test_backfill_works_with_documented_filters_and_empty_pages(project_dir, google):
    google.filter_mode = "documented"  # the discovery document's rules, not the field report's
    google.empty_pages = 2  # two list pages come back empty, still carrying a token
    refresh_fitbit()
    assert_matches_truth(project_dir, google)
    expected = backfill_calls(google)
    lists = sum(n for (method, _), n in google.calls.items() if method in ("list", "reconcile"))
    assert lists == sum(n for (method, _), n in expected.items()
                        if method in ("list", "reconcile")) + 2


def test_demo_profile_backfill(project_dir, start):
    app = start(apis=("google",), profile="demo").app("google")
    refresh_fitbit()
    assert_matches_truth(project_dir, app)
    assert data_calls(app) == backfill_calls(app)
    assert len(loaded_activity(project_dir)) > 300


def test_a_scaled_sandbox_serves_that_many_times_the_history_and_a_backfill_loads_it_all(
        project_dir, monkeypatch):
    """The benchmark's volume series: ``scale=3`` is three times the small profile's 40 days."""
    with start_sandbox(apis=("google",), rate_limits=False, scale=3) as box:
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        app = box.app("google")
        assert (app.data.today() - app.data.first_day).days + 1 == 3 * 40
        refresh_fitbit()
        assert_matches_truth(project_dir, app)
        assert min(loaded_activity(project_dir)) == app.data.first_day
        assert data_calls(app) == backfill_calls(app)


def _days_with_main_sleep(app, days: list[date]) -> list[date]:
    return [d for d in days if any(s.main_sleep for s in app.data.sessions_ending_on(d))
            and app.data.truth_resting_heart_rate().get(d)]


def _worn_day_outside_the_window(project_dir: Path, today: date) -> date:
    loaded = loaded_activity(project_dir)
    return next(d for d in (today - timedelta(days=i) for i in range(15, 35))
                if d in loaded and loaded[d][0])


def test_second_run_rereads_the_lookback_window(project_dir, restored):
    google = restored
    today = google.data.today()
    newest_resting = max(loaded_resting(project_dir))
    usable = _days_with_main_sleep(google, [today - timedelta(days=i) for i in range(1, 8)])
    assert len(usable) >= 4, "the seed should give enough worn days in the window"
    late_day, changed_day, deleted_day, sleep_day = usable[:4]
    outside = _worn_day_outside_the_window(project_dir, today)
    before_outside = loaded_activity(project_dir)[outside]
    google.data.add_late_steps(late_day)
    google.data.change_steps(changed_day, 2.0)
    google.data.delete_day(deleted_day)
    changed_sleep = google.data.change_sleep(sleep_day, 45)
    nap = google.data.add_late_nap(late_day)
    google.data.set_resting_heart_rate(changed_day, 99)
    google.data.change_steps(outside, 3.0)  # outside the window: not re-read
    filters: list[str] = []
    google.observers.append(lambda r: filters.append(r.arg("filter") or "") if r.params.get(
        "dataType") == "daily-resting-heart-rate" else None)
    google.calls.clear()
    google.reset_counts()

    refresh_fitbit()

    # the look-back counts from the newest date read, not from today
    window_start = newest_resting - timedelta(days=7)
    assert filters == [f'daily_resting_heart_rate.date >= "{window_start}"']
    assert data_calls(google) == {("dailyRollUp", t): 1 for t in (*LONG, *SHORT)} | {
        ("reconcile", "sleep"): sleep_reads(google, len(google.data.truth_sleep_sessions()))} | {
        ("list", t): 1 for t in (*LISTED, "exercise")}
    assert google.requests_to("GET /v4/users/{user}/profile") == 0
    activity = loaded_activity(project_dir)
    truth = truth_activity(google)
    assert activity[outside] == before_outside != truth[outside]
    del activity[outside], truth[outside]
    assert activity == truth
    assert deleted_day not in activity
    assert loaded_resting(project_dir) == google.data.truth_resting_heart_rate()
    assert loaded_resting(project_dir)[changed_day] == 99
    sleep = loaded_sleep(project_dir)
    assert sleep == truth_sleep(google)
    ids = {s["id"].rsplit("/", 1)[1]: s for s in google.data.truth_sleep_sessions()}
    assert nap.id in ids and changed_sleep.id in ids
    assert not any(v[1].date() == deleted_day and v[-2] for v in sleep.values())


def test_full_refresh_reloads_everything(project_dir, restored):
    google = restored
    outside = _worn_day_outside_the_window(project_dir, google.data.today())
    google.data.delete_day(outside)
    refresh_fitbit()
    assert outside in loaded_activity(project_dir)  # outside the look-back window
    refresh_fitbit(is_incremental=False)
    assert outside not in loaded_activity(project_dir)
    assert_matches_truth(project_dir, google)


def _use_secrets_file(project_dir: Path, monkeypatch, refresh_token: str) -> Path:
    """Keep the refresh token in .dlt/secrets.toml (as a person would), next to other secrets."""
    monkeypatch.delenv("SOURCES__FITBIT__REFRESH_TOKEN")
    path = project_dir / ".dlt" / "secrets.toml"
    path.write_text('# my secrets\n[sources.notion]\napi_key = "ntn_keep_me"\n')
    LocalSecretsFile(path).save("sources.fitbit", "refresh_token", refresh_token)
    return path


def test_rotated_refresh_token_is_stored_before_data_requests(project_dir, restored,
                                                              monkeypatch, log_lines):
    # the copied first load holds no token (its sandbox did not rotate): both runs here
    # start from this sandbox's own refresh token and rotate it
    google = restored
    google.oauth.rotate = google.oauth.reject_used = True
    path = _use_secrets_file(project_dir, monkeypatch, google.refresh_token)
    stored_at_first_request: list[str] = []

    def probe(request) -> None:
        if not stored_at_first_request:
            document = tomlkit.parse(path.read_text())
            stored_at_first_request.append(document["sources"]["fitbit"]["refresh_token"])

    google.observers.append(probe)
    refresh_fitbit()
    live = [t for t, g in google.oauth.refresh_tokens.items() if not g.used]
    assert len(live) == 1 and live[0] != google.refresh_token
    assert stored_at_first_request == live  # persisted before the first data request
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = tomlkit.parse(path.read_text())
    assert document["sources"]["notion"]["api_key"] == "ntn_keep_me"
    assert "# my secrets" in path.read_text()
    assert not list(path.parent.glob(".secrets.*"))  # no temporary file left behind

    refresh_fitbit()  # the next run uses the stored token (the first one is now rejected)
    assert google.oauth.grants == 2
    newest = tomlkit.parse(path.read_text())["sources"]["fitbit"]["refresh_token"]
    assert newest != live[0] and not google.oauth.refresh_tokens[newest].used
    assert_matches_truth(project_dir, google)
    assert_no_secret_leaks(project_dir, google, *log_lines)


def test_invalid_grant_exits_2_with_the_reauthorisation_hint(project_dir, google, log_lines,
                                                             capsys):
    google.oauth.revoke()
    with pytest.raises(ConfigurationError) as raised:
        refresh_fitbit()
    assert "prp auth fitbit" in str(raised.value)
    assert prp(["refresh", "fitbit"]) == 2
    assert any("prp auth fitbit" in line for line in log_lines)
    assert google.requests_to("GET /v4/") == 0 and google.requests_to("POST /v4/") == 0
    out = capsys.readouterr()
    assert_no_secret_leaks(project_dir, google, str(raised.value), out.out, out.err, *log_lines)


def test_pkce_flow_against_the_sandbox(project_dir, restored, monkeypatch, log_lines):
    google = restored
    env = python_env(PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "auth", "fitbit", "--no-browser",
         "--timeout", "60"], cwd=project_dir, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        for line in process.stdout:
            output.append(line)
            if line.startswith("http"):
                break
        url = output[-1].strip()
        assert "code_challenge_method=S256" in url and "access_type=offline" in url
        page = requests.get(url, timeout=30)  # the "browser": consent, then the loopback
        assert page.status_code == 200 and "access granted" in page.text
        rest, _ = process.communicate(timeout=60)
        output.append(rest)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(output)
    path = project_dir / ".dlt" / "secrets.toml"
    token = tomlkit.parse(path.read_text())["sources"]["fitbit"]["refresh_token"]
    assert token in google.oauth.refresh_tokens and token != google.refresh_token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    monkeypatch.delenv("SOURCES__FITBIT__REFRESH_TOKEN")
    reload_dlt_providers()
    refresh_fitbit()  # works with the token the flow stored
    assert_matches_truth(project_dir, google)
    assert_no_secret_leaks(project_dir, google, "".join(output), *log_lines)


def test_rate_limits_are_survived(project_dir, google):
    google.limit = SlidingWindowLimit(10, 2.0)  # far tighter than Google's 300 a minute
    google.faults.inject("rate_limit", 3, path_contains="/dataPoints")
    refresh_fitbit()
    assert google.rejected >= 3
    assert_matches_truth(project_dir, google)


def test_expired_access_token_is_refreshed_mid_run(project_dir, restored):
    google = restored
    seen = []

    def expire_after_three(request) -> None:
        seen.append(request.path)
        if len(seen) == 3:
            google.oauth.expire_access_tokens()

    google.observers.append(expire_after_three)
    refresh_fitbit()
    assert google.oauth.grants == 2
    assert_matches_truth(project_dir, google)


def test_since_and_until_bound_a_run_from_the_cli(project_dir, google):
    today = google.data.today()
    since, until = today - timedelta(days=12), today - timedelta(days=5)
    assert prp(["refresh", "fitbit", "--since", since.isoformat(),
                "--until", until.isoformat()]) == 0
    activity = loaded_activity(project_dir)
    truth = {d: v for d, v in truth_activity(google).items() if since <= d <= until}
    assert activity == truth
    assert set(loaded_resting(project_dir)) == {
        d for d in google.data.truth_resting_heart_rate() if since <= d <= until}
    assert data_calls(google)[("dailyRollUp", "steps")] == 1


def test_no_data_scope_at_all_exits_2_with_the_reauthorisation_hint(project_dir, google,
                                                                   monkeypatch):
    monkeypatch.setenv("SOURCES__FITBIT__REFRESH_TOKEN",
                       google.refresh_token_for("profile.readonly"))
    with pytest.raises(ConfigurationError) as raised:
        refresh_fitbit()
    assert raised.value.exit_code == 2 and "prp auth fitbit" in str(raised.value)
    assert google.requests_to("GET /v4/") == 0


def test_days_synced_late_are_picked_up_when_the_clock_moves(project_dir, monkeypatch):
    from sandbox import start_sandbox

    two_days_ago = current_minute() - timedelta(days=2)
    with start_sandbox("small", apis=("google",), now=two_days_ago, rate_limits=False) as box:
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        app = box.app("google")
        refresh_fitbit()
        assert_matches_truth(project_dir, app)
        before = set(loaded_activity(project_dir))
        box.clock.advance(days=2)  # two more days happen, and late syncs arrive
        refresh_fitbit()
        assert_matches_truth(project_dir, app)
        assert set(loaded_activity(project_dir)) - before


def test_item9_one_session_per_night_from_reconcile(first_load):
    """The module's backfill (``first_load``) of nights a second device also recorded."""
    google = first_load.app
    assert google.data.visible_other_sleeps(), "a second device records some nights"
    loaded = loaded_sleep(first_load.project)
    assert loaded == truth_sleep(google)  # the second device's sessions are not loaded
    nights = duckdb_rows(warehouse(first_load.project), f"""
        select sleep_date, count(*) from {RAW}.fitbit__sleep where is_main_sleep
        group by sleep_date having count(*) > 1""")
    assert nights == []
    assert ("list", "sleep") not in data_calls(google)


def test_item10_nights_are_dated_by_their_own_offset(project_dir, google, monkeypatch):
    monkeypatch.setenv("PRP__TIMEZONE", "America/Los_Angeles")  # configured: another zone again
    refresh_fitbit()
    rows = duckdb_rows(warehouse(project_dir), f"""
        select sleep_id, sleep_date, start_time_local, end_time_local from {RAW}.fitbit__sleep""")
    loaded = {r[0]: r[1:] for r in rows}
    truth = {s["id"]: (s["sleep_date"], s["start_local"], s["end_local"])
             for s in google.data.truth_sleep_sessions()}
    assert loaded == truth
    trip = google.data.trips[0]
    nights_in_tokyo = [s for s in google.data.truth_sleep_sessions()
                       if trip.first <= s["sleep_date"] <= trip.last and s["is_main_sleep"]]
    assert nights_in_tokyo
    # dated where it was slept, not at home nor in the configured zone (a nap in Tokyo's
    # afternoon falls on the same date in London, so only the nights tell)
    for session in nights_in_tokyo:
        assert loaded[session["id"]][0] != session["end"].astimezone(google.data.zone).date()


@pytest.mark.parametrize(("now", "trip"), [
    # the night reported: slept at home in London, over at 06:29; Los Angeles is still on the 29th
    (datetime(2026, 11, 30, 7, 30, tzinfo=UTC), None),
    # in Tokyo, the 30th's night and resting heart rate are known while Los Angeles is on the 29th
    (datetime(2026, 11, 30, 4, 0, tzinfo=UTC), "Asia/Tokyo"),
], ids=["london-night", "tokyo-trip"])
def test_item10_a_date_ahead_of_the_personal_zone_loads_on_this_run(project_dir, start,
                                                                   monkeypatch, log_lines,
                                                                   now, trip):
    monkeypatch.setenv("PRP__TIMEZONE", "America/Los_Angeles")
    app = start(apis=("google",), now=now).app("google")
    monkeypatch.setattr("pipelines.sources.fitbit.window.now_utc", app.data.now)  # one clock for both
    ahead = now.astimezone(ZoneInfo("America/Los_Angeles")).date() + timedelta(days=1)
    if trip:
        app.data.add_trip(ahead - timedelta(days=1), ahead, trip)
    assert any(s["sleep_date"] == ahead for s in app.data.truth_sleep_sessions())
    assert trip is None or ahead in app.data.truth_resting_heart_rate()

    refresh_fitbit()
    assert loaded_sleep(project_dir) == truth_sleep(app)
    assert loaded_resting(project_dir) == app.data.truth_resting_heart_rate()

    app.data.delete_sleep(ahead)  # the next run, still the 29th in Los Angeles, sees it gone
    if trip:
        app.data.delete_resting_heart_rate(ahead)
    refresh_fitbit()
    assert loaded_sleep(project_dir) == truth_sleep(app)
    assert loaded_resting(project_dir) == app.data.truth_resting_heart_rate()
    assert not [line for line in log_lines if "in the future" in line]


def test_item11_unticked_scope_skips_its_resource_with_a_warning(project_dir, google,
                                                               monkeypatch):
    partial = google.refresh_token_for("activity_and_fitness.readonly",
                                       "health_metrics_and_measurements.readonly",
                                       "profile.readonly", "settings.readonly")
    monkeypatch.setenv("SOURCES__FITBIT__REFRESH_TOKEN", partial)
    info = refresh_fitbit()
    assert loaded_activity(project_dir) == truth_activity(google)
    assert loaded_resting(project_dir) == google.data.truth_resting_heart_rate()
    tables = {t for (t,) in duckdb_rows(warehouse(project_dir), f"""
        select table_name from information_schema.tables where table_schema = '{RAW}'""")}
    assert "fitbit__sleep" not in tables
    assert google.calls[("reconcile", "sleep")] == 0  # skipped, not refused
    warnings = info.prp_summary.warnings
    assert len(warnings) == 1 and "googlehealth.sleep.readonly" in warnings[0]


@pytest.mark.parametrize(("filter_mode", "order"), [("observed", "shuffled"),
                                                    ("documented", "oldest_first")])
def test_item12_sleep_read_relies_on_no_reconcile_order(project_dir, restored, filter_mode,
                                                       order):
    """Only ``list`` documents newest first: whatever order reconcile pages come in, an
    incremental run loads every night of its window and deletes only the nights truly gone."""
    google = restored
    google.filter_mode, google.modes.reconcile_order = filter_mode, order
    today = google.data.today()
    gone = _days_with_main_sleep(google, [today - timedelta(days=i) for i in range(1, 6)])[0]
    google.data.delete_sleep(gone)
    changed = google.data.change_sleep(
        _days_with_main_sleep(google, [today - timedelta(days=i) for i in range(1, 6)])[1])
    filters: list[str] = []
    google.observers.append(lambda r: filters.append(r.arg("filter") or "") if r.params.get(
        "dataType") == "sleep" else None)
    google.calls.clear()

    refresh_fitbit()

    assert loaded_sleep(project_dir) == truth_sleep(google)
    assert loaded_sleep(project_dir)[changed_name(google, changed)][1] == changed.end
    # the read is bounded by the documented end-time filter (observed rules refuse it: then
    # every session is read, to the last page)
    assert filters[0].startswith('sleep.interval.end_time >= "')
    assert " AND sleep.interval.end_time < " in filters[0]
    expected = 1 if filter_mode == "documented" else sleep_reads(
        google, len(google.data.truth_sleep_sessions()))
    assert google.calls[("reconcile", "sleep")] == expected


def changed_name(app, session) -> str:
    return f"users/{app.data.health_user_id}/dataTypes/sleep/dataPoints/{session.id}"


def test_item12_roll_up_range_error_halves_the_chunk(project_dir, google):
    assert google.modes.rollup_max_days == {"floors": 14}  # strict by default: the field report
    google.modes.rollup_max_days = {"floors": 14, "steps": 20}  # and steps shorter still
    refresh_fitbit()
    assert_matches_truth(project_dir, google)
    days = (google.data.today() - google.data.first_day).days + 1
    assert days == 40
    # 40 days refused once, then two chunks of 20
    assert data_calls(google)[("dailyRollUp", "steps")] == 3


def test_item13_progress_lines_during_a_backfill(first_load):
    """What the module's backfill (``first_load``) logged."""
    for label in ("fitbit sleep", "fitbit activity", "fitbit resting heart rate"):
        assert any(line.startswith(f"{label}: ") and " rows " in line
                   for line in first_load.log_lines), label


def test_missing_secret_fails_naming_its_key(project_dir, google, monkeypatch):
    monkeypatch.delenv("SOURCES__FITBIT__CLIENT_SECRET")
    with pytest.raises(ConfigurationError) as raised:
        refresh_fitbit()
    assert "client_secret" in str(raised.value)
    assert google.requests_to("POST /token") == 0


# --- health data beyond sleep and activity ---------------------------------------------------

def raw_tables(project_dir: Path) -> set[str]:
    return {t for (t,) in duckdb_rows(warehouse(project_dir), f"""
        select table_name from information_schema.tables where table_schema = '{RAW}'""")}


def loaded_vitals(project_dir: Path) -> dict[date, dict]:
    """Raw vitals by date, named as the sandbox's ``truth_daily_vitals`` (a table never loaded
    holds nothing)."""
    out: dict[date, dict] = {}
    tables = raw_tables(project_dir)
    for table, name, expression in (
            ("fitbit__heart_rate_variability", "hrv_ms", "average_ms"),
            ("fitbit__oxygen_saturation", "spo2_percent", "average_percent"),
            ("fitbit__respiratory_rate", "breaths_per_minute", "breaths_per_minute"),
            ("fitbit__sleep_temperature", "temperature_deviation_celsius",
             "nightly_celsius - baseline_celsius"),
            ("fitbit__vo2_max", "vo2_max", "vo2_max")):
        if table not in tables:
            continue
        for day, value in duckdb_rows(warehouse(project_dir),
                                      f"select measured_date, {expression} from {RAW}.{table}"):
            out.setdefault(day, {})[name] = value
    return out


def loaded_exercises(project_dir: Path) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in duckdb_rows(warehouse(project_dir), f"""
        select exercise_id, exercise_type, start_time, exercise_date, calories_kcal,
               average_heart_rate_bpm from {RAW}.fitbit__exercise""")}


def truth_exercises(app) -> dict[str, tuple]:
    return {k: (w["exercise_type"], w["start_at"], w["exercise_date"], w["calories"],
                w["average_heart_rate"]) for k, w in app.data.truth_exercises().items()}


def loaded_body(project_dir: Path) -> dict[date, dict]:
    out: dict[date, dict] = {}
    tables = raw_tables(project_dir)
    for table, name, scale in (("fitbit__weight", "weight_kg", "weight_grams / 1000"),
                               ("fitbit__body_fat", "body_fat_percent", "body_fat_percent")):
        if table not in tables:
            continue
        for day, value in duckdb_rows(warehouse(project_dir), f"""
                select measured_date, {scale} from {RAW}.{table} order by measured_at"""):
            out.setdefault(day, {"weight_kg": None, "body_fat_percent": None})[name] = value
    return out


def loaded_zones(project_dir: Path) -> dict[date, dict]:
    return {r[0]: {"light_minutes": r[1] / 60, "moderate_minutes": r[2] / 60,
                   "vigorous_minutes": r[3] / 60, "peak_minutes": r[4] / 60,
                   "azm_fat_burn": r[5], "azm_cardio": r[6], "azm_peak": r[7]}
            for r in duckdb_rows(warehouse(project_dir), f"""
                select zone_date, light_seconds, moderate_seconds, vigorous_seconds, peak_seconds,
                       azm_fat_burn, azm_cardio, azm_peak from {RAW}.fitbit__heart_rate_zones_daily""")}


def assert_health_matches_truth(project_dir: Path, app) -> None:
    loaded, truth = loaded_vitals(project_dir), app.data.truth_daily_vitals()
    assert {d: set(v) for d, v in loaded.items()} == {d: set(v) for d, v in truth.items()}
    assert all(loaded[d] == pytest.approx(v) for d, v in truth.items())
    assert loaded_exercises(project_dir) == truth_exercises(app)
    assert loaded_body(project_dir) == app.data.truth_body()
    assert loaded_zones(project_dir) == app.data.truth_heart_rate_zones()


def test_health_data_lands_as_the_truth(first_load):
    """Each new data type of the backfill, dated by its own offset, NULL where not measured."""
    assert_health_matches_truth(first_load.project, first_load.app)
    vitals = first_load.app.data.truth_daily_vitals()
    assert any(len(v) < 5 for v in vitals.values())  # days without one value or another


def test_health_data_second_run_uses_the_lookback_and_the_update_cursor(project_dir, restored):
    google = restored
    data, today = google.data, google.data.today()
    recent = [today - timedelta(days=i) for i in range(1, 7)]
    # two workouts synced only now, inside the look-back window
    earlier, late = data.add_late_exercise(recent[4]), data.add_late_exercise(recent[2])
    hrv_day = next(d for d in recent if "daily-heart-rate-variability" in data.day(d).health.daily)
    data.set_daily("daily-heart-rate-variability", hrv_day,
                   averageHeartRateVariabilityMilliseconds=99.5)
    spo2_day = next(d for d in recent if "daily-oxygen-saturation" in data.day(d).health.daily)
    data.delete_daily("daily-oxygen-saturation", spo2_day)
    weigh_in = data.add_late_weight(recent[3])

    refresh_fitbit()

    assert_health_matches_truth(project_dir, google)
    assert loaded_vitals(project_dir)[hrv_day]["hrv_ms"] == 99.5
    assert loaded_body(project_dir)[recent[3]]["weight_kg"] == 71.5
    assert {data.exercise_name(late), data.exercise_name(earlier)} <= set(
        loaded_exercises(project_dir))

    data.clock.advance(minutes=5)
    late.calories += 50.0
    late.update_time = data.now()  # the person edits the late workout
    data.day(recent[4]).health.exercises.remove(earlier)  # and deletes the other
    data.day(recent[3]).health.samples.remove(weigh_in)  # and a weigh-in
    filters: list[str] = []
    google.observers.append(lambda r: filters.append(r.arg("filter") or "") if r.params.get(
        "dataType") == "exercise" else None)

    info = refresh_fitbit()

    assert loaded_exercises(project_dir) == truth_exercises(google)
    assert loaded_body(project_dir) == data.truth_body()
    assert loaded_exercises(project_dir)[data.exercise_name(late)][3] == late.calories
    # only the edited workout loads again (its updateTime moved), plus the deleted one's marker
    assert info.prp_summary.rows.get("fitbit__exercise") == 2
    assert len(filters) == 1 and filters[0].startswith('exercise.interval.civil_start_time >= "')


def test_grant_without_health_metrics_skips_those_resources_with_one_warning(project_dir, google,
                                                                            monkeypatch):
    partial = google.refresh_token_for("activity_and_fitness.readonly", "sleep.readonly",
                                       "profile.readonly", "settings.readonly")
    monkeypatch.setenv("SOURCES__FITBIT__REFRESH_TOKEN", partial)
    info = refresh_fitbit()
    warnings = info.prp_summary.warnings
    assert len(warnings) == 1 and "googlehealth.health_metrics_and_measurements" in warnings[0]
    for name in ("resting_heart_rate", "heart_rate_variability", "oxygen_saturation",
                 "respiratory_rate", "sleep_temperature", "weight", "body_fat"):
        assert name in warnings[0]
    tables = {t for (t,) in duckdb_rows(warehouse(project_dir), f"""
        select table_name from information_schema.tables where table_schema = '{RAW}'""")}
    assert not tables & {"fitbit__resting_heart_rate", "fitbit__heart_rate_variability",
                         "fitbit__weight", "fitbit__body_fat", "fitbit__oxygen_saturation"}
    # the rest still loads, VO2 max and workouts among it (activity_and_fitness)
    assert loaded_sleep(project_dir) == truth_sleep(google)
    assert loaded_exercises(project_dir) == truth_exercises(google)
    assert "fitbit__vo2_max" in tables
    assert not [k for k in google.calls if k[1] in ("weight", "daily-heart-rate-variability")]


def test_a_device_that_does_not_measure_a_type_leaves_it_empty(project_dir, google):
    google.data.unmeasured = {"daily-vo2-max", "body-fat"}
    refresh_fitbit()
    assert not any("vo2_max" in v for v in loaded_vitals(project_dir).values())
    assert all(v["body_fat_percent"] is None for v in loaded_body(project_dir).values())
    assert_health_matches_truth(project_dir, google)


def test_prp_status_lists_the_new_cursors(project_dir, restored, capsys):
    assert prp(["status"]) == 0
    output = capsys.readouterr().out
    for resource in ("heart_rate_variability", "oxygen_saturation", "respiratory_rate",
                     "sleep_temperature", "vo2_max", "heart_rate_zones", "exercise", "weight",
                     "body_fat"):
        assert f"    {resource}: {{\"cursor\": " in output, resource
    assert '"last_update_time": ' in output


def test_cloud_policy_redacts_what_a_person_types_and_keeps_the_measurements(project_dir, google,
                                                                            monkeypatch):
    from sandbox.google.health import NOTES

    monkeypatch.setenv("PRP__PRIVACY", "cloud")
    monkeypatch.setenv("PRIVACY__HASH_KEY", "fitbit-privacy-key-0123456789ab")
    config = project_dir / ".dlt" / "config.toml"  # a person drops one measure as well
    config.write_text(config.read_text()
                      + '\n[privacy.fitbit.fitbit__heart_rate_variability]\naverage_ms = "drop"\n')
    reload_dlt_providers()
    refresh_fitbit()
    db = warehouse(project_dir)
    typed = duckdb_rows(db, f"""
        select notes from {RAW}.fitbit__exercise where notes is not null
        union all select display_name from {RAW}.fitbit__exercise
        union all select notes from {RAW}.fitbit__weight where notes is not null""")
    assert typed and all(value.startswith("[redacted:") for (value,) in typed)
    assert not [n for n in NOTES if n in str(duckdb_rows(db, f"select * from {RAW}.fitbit__exercise"))]
    assert duckdb_rows(db, f"select count(average_ms) from {RAW}.fitbit__heart_rate_variability"
                       ) == [(0,)]
    vitals = loaded_vitals(project_dir)
    truth = google.data.truth_daily_vitals()
    assert {d: v.get("spo2_percent") for d, v in vitals.items()} == {
        d: v.get("spo2_percent") for d, v in truth.items()}  # the measurements are kept
    assert loaded_body(project_dir) == google.data.truth_body()
    assert loaded_exercises(project_dir) == truth_exercises(google)
