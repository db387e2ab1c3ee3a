"""The HubSpot pipeline against the sandbox, asserting on the rows that land in DuckDB."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dlt.common.pipeline import LoadInfo

from pipelines.sources.hubspot import refresh_hubspot
from sandbox import start_sandbox
from sandbox.clock import current_minute
from sandbox.hubspot.app import HubSpotApp
from tests.conftest import duckdb_rows, isolate_project
from tests.workspace_snapshot import WorkspaceSnapshot

pytestmark = pytest.mark.integration

RAW = "dev_raw_data"
ENGAGEMENT_TYPES = ("calls", "meetings", "notes", "tasks", "emails", "communications")
SEARCH = "POST /crm/objects/{version}/{object_type}/search"
LIST = "GET /crm/objects/{version}/{object_type}"
BATCH = "POST /crm/associations/{version}/{from_type}/{to_type}/batch/read"
PROPERTIES = "GET /crm/properties/{version}/{object_type}"
ASSOCIATION_TABLES = {  # (from, to) -> (raw table, from column, to column): a row per pair
    ("engagements", "contacts"): ("hubspot__engagement_contacts", "engagement_id", "contact_id"),
    ("engagements", "companies"): ("hubspot__engagement_companies", "engagement_id", "company_id"),
    ("contacts", "companies"): ("hubspot__contact_companies", "contact_id", "company_id"),
}


@pytest.fixture(scope="module")
def now() -> datetime:
    """The sandbox clock's start, a day behind real time, one for the whole module.

    Tests move the sandbox clock forward by minutes; starting it in the past keeps every
    stamp behind the real present, as HubSpot's are (the source never lets a stamp from the
    future move its cursor). One start for all: a sandbox started with the same seed and
    clock serves the same records, so the module's first load fits every test's sandbox.
    """
    return current_minute() - timedelta(days=1)


def serve_hubspot(mp: pytest.MonkeyPatch, now: datetime):
    """The HubSpot stand-in (small profile, seed 7) and the settings that point at it."""
    mp.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
    mp.setenv("SOURCES__HUBSPOT__SEARCH_RETRY_WINDOW_SECONDS", "0.05")
    # these tests count the sync's own requests; the completeness count is tested in tests/reliability
    mp.setenv("SOURCES__HUBSPOT__COUNT_CHECK", "false")
    sandbox = start_sandbox(profile="small", seed=7, apis=("hubspot",), now=now, rate_limits=False)
    for key, value in sandbox.env().items():
        mp.setenv(key, value)
    return sandbox


@pytest.fixture
def box(project_dir, monkeypatch, now):
    """The test's own HubSpot stand-in, a day behind real time (see ``now``)."""
    sandbox = serve_hubspot(monkeypatch, now)
    yield sandbox
    sandbox.stop()


class _Lines(logging.Handler):
    """The messages logged while attached."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass(frozen=True)
class FirstLoad:
    """The module's one real full load of the default sandbox, as it ran and as it landed."""

    project: Path  # where it landed
    app: HubSpotApp  # its (stopped) sandbox's: the counters and the truth as the load left them
    info: LoadInfo
    progress: list[str]  # the run's prp.progress lines
    snapshot: WorkspaceSnapshot

    def restore(self) -> None:
        """Copy the load into the current test's project, in place of loading it again."""
        self.snapshot.restore()


@pytest.fixture(scope="module")
def first_load(tmp_path_factory, now) -> FirstLoad:
    """``refresh_hubspot(is_incremental=False)`` once, with the settings ``box`` gives a test.

    Tests that start from a plain full load restore a copy of it (a few seconds of CPU
    each saved); the sandbox is not part of the copy, each test serves the same data itself.
    """
    work = tmp_path_factory.mktemp("hubspot_first_load")
    project = work / "project"
    project.mkdir()
    # a handler of its own: pytest's capture misses a logger that turns non-propagating later
    progress = _Lines()
    progress_log = logging.getLogger("prp.progress")
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, project)
        sandbox = serve_hubspot(mp, now)
        progress_log.addHandler(progress)
        try:
            info = refresh_hubspot(is_incremental=False)
            snapshot = WorkspaceSnapshot.take(work / "snapshot")
        finally:
            progress_log.removeHandler(progress)
            sandbox.stop()
    return FirstLoad(project, sandbox.app("hubspot"), info, progress.lines, snapshot)


def rows(db, sql):
    """Rows of ``sql`` on a test's warehouse: its project directory, or an open connection."""
    if isinstance(db, Path):
        return duckdb_rows(db / "warehouse.duckdb", sql)
    return db.execute(sql).fetchall()


def live_ids(db, table):
    return {r[0] for r in rows(db, f"select id from {RAW}.{table} where not is_deleted")}


def raw_pairs(db, from_type, to_type):
    """Associations in raw between records that raw holds as live."""
    table, column, to_column = ASSOCIATION_TABLES[(from_type, to_type)]
    found = set(rows(db, f"select {column}, {to_column} from {RAW}.{table} "
                         f"where {to_column} is not null"))
    from_live = live_ids(db, "hubspot__engagements" if from_type == "engagements"
                         else f"hubspot__{from_type}")
    to_live = live_ids(db, f"hubspot__{to_type}")
    return {(a, b) for a, b in found if a in from_live and b in to_live}


def assert_matches_truth(project_dir, crm):
    # one connection for the dozen queries (each connection opens the file anew)
    with duckdb.connect(str(project_dir / "warehouse.duckdb"), read_only=True) as db:
        assert live_ids(db, "hubspot__contacts") == crm.live_ids("contacts")
        assert live_ids(db, "hubspot__companies") == crm.live_ids("companies")
        assert live_ids(db, "hubspot__engagements") == set(crm.live_engagements())
        for from_type, to_type in ASSOCIATION_TABLES:
            assert raw_pairs(db, from_type, to_type) == crm.pairs(from_type, to_type), \
                (from_type, to_type)


def test_full_load_matches_the_truth_with_few_association_requests(first_load):
    """The module's real full load (``first_load``), checked where it landed."""
    project_dir, app, info = first_load.project, first_load.app, first_load.info
    crm = app.truth
    assert_matches_truth(project_dir, crm)
    assert info.prp_summary.rows["hubspot__contacts"] == len(crm.live_ids("contacts"))
    # every record id asked for associations at most once per pair, <= 1,000 per request
    n = {t: len(crm.live_ids(t)) for t in ("contacts", "companies", *ENGAGEMENT_TYPES)}
    allowed = math.ceil(n["contacts"] / 1000) + 2 * sum(math.ceil(n[t] / 1000)
                                                         for t in ENGAGEMENT_TYPES)
    assert app.counts[BATCH] <= allowed
    assert app.association_inputs == n["contacts"] + 2 * sum(n[t] for t in ENGAGEMENT_TYPES)
    # no request per record: list pages of 100, plus one archived listing per type
    pages = sum(math.ceil(count / 100) for count in n.values())
    assert app.counts[LIST] <= pages + len(n)
    assert app.counts[SEARCH] == 0
    # a contact's engagements and companies as the truth computes them
    contact = sorted(crm.live_ids("contacts"), key=int)[0]
    stored = {r[0] for r in rows(project_dir, f"select engagement_id from {RAW}."
                                 f"hubspot__engagement_contacts where contact_id = '{contact}'")}
    assert stored == {e[0] for e in crm.contact_engagements(contact)}


def test_incremental_run_reflects_exactly_the_changes(project_dir, box, first_load, monkeypatch):
    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    first_load.restore()

    clock.advance(minutes=30)
    contacts = sorted(int(i) for i in crm.live_ids("contacts"))
    edited = contacts[:3]
    for cid in edited:
        crm.edit("contacts", cid, firstname="Renamed")
    new_contact = crm.create("contacts", {"email": "new.person@example.org",
                                          "firstname": "New", "lastname": "Person"})
    company = sorted(int(i) for i in crm.live_ids("companies"))[0]
    crm.associate("contacts", new_contact.id, "companies", company)
    new_call = crm.create("calls", {"hs_timestamp": "2026-01-02T03:04:05.000Z",
                                    "hs_call_title": "Fresh call"})
    crm.associate("calls", new_call.id, "contacts", new_contact.id)
    crm.archive("contacts", contacts[10])
    archived_note = sorted(int(i) for i in crm.live_ids("notes"))[0]
    crm.archive("notes", archived_note)
    # re-associate without touching the records: HubSpot leaves last-modified alone
    meeting = next(int(e) for e, (t, _) in sorted(crm.live_engagements().items())
                   if t == "meetings" and crm.associated("meetings", int(e), "contacts"))
    old = crm.associated("meetings", meeting, "contacts")[0]
    crm.dissociate("meetings", meeting, "contacts", old)
    crm.associate("meetings", meeting, "contacts", contacts[20])
    lonely = next(c for c in contacts[30:] if crm.associated("contacts", c, "companies"))
    for comp in crm.associated("contacts", lonely, "companies"):
        crm.dissociate("contacts", lonely, "companies", comp)
    clock.advance(minutes=1)  # let the search index catch up

    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    app.reset_counts()
    info = refresh_hubspot()
    assert_matches_truth(project_dir, crm)
    # exactly the changed records were loaded: 3 edits, 1 new, 1 archived contact
    assert info.prp_summary.rows["hubspot__contacts"] == 5
    assert info.prp_summary.rows["hubspot__engagements"] == 2  # new call, archived note
    names = dict(rows(project_dir, f"select id, firstname from {RAW}.hubspot__contacts"))
    assert all(names[str(c)] == "Renamed" for c in edited)
    deleted = rows(project_dir, f"select is_deleted, deleted_at from {RAW}.hubspot__contacts "
                                f"where id = '{contacts[10]}'")
    assert deleted[0][0] is True and deleted[0][1]
    assert (str(meeting), str(contacts[20])) in raw_pairs(project_dir, "engagements", "contacts")
    assert not {p for p in raw_pairs(project_dir, "contacts", "companies") if p[0] == str(lonely)}


def test_no_change_run_makes_one_search_per_object_and_loads_nothing(project_dir, box,
                                                                      first_load, monkeypatch):
    app = box.app("hubspot")
    first_load.restore()
    app.reset_counts()
    info = refresh_hubspot()  # the sweep ran with the full load, so it is not due
    assert info.prp_summary.total_rows == 0
    assert app.counts[SEARCH] == 8
    assert sum(app.counts.values()) == 8
    assert all(n == 1 for n in app.search_counts.values()) and len(app.search_counts) == 8

    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    app.reset_counts()
    app.search_counts.clear()
    app.association_inputs = 0
    info = refresh_hubspot()  # the sweep is due now: it reads, but nothing changed
    assert info.prp_summary.total_rows == 0
    assert app.counts[SEARCH] == 8
    crm = app.truth
    n = {t: len(crm.live_ids(t)) for t in ("contacts", *ENGAGEMENT_TYPES)}
    assert app.counts[BATCH] <= math.ceil(n["contacts"] / 1000) + 2 * sum(
        math.ceil(n[t] / 1000) for t in ENGAGEMENT_TYPES)


def test_more_changes_than_the_search_cap_load_completely(project_dir, box, first_load):
    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    app.search_cap = 50  # the pipeline keeps the real cap: it meets HubSpot's 400 and re-anchors
    first_load.restore()
    clock.advance(minutes=30)
    changed = sorted(int(i) for i in crm.live_ids("contacts"))[:130]
    for cid in changed:
        clock.advance(seconds=1)
        crm.edit("contacts", cid, jobtitle=f"Title {cid}")
    clock.advance(minutes=1)
    app.reset_counts()
    app.search_counts.clear()
    info = refresh_hubspot()
    assert info.prp_summary.rows["hubspot__contacts"] == 130
    titles = dict(rows(project_dir, f"select id, jobtitle from {RAW}.hubspot__contacts"))
    assert all(titles[str(c)] == f"Title {c}" for c in changed)
    assert 3 <= app.search_counts["contacts"] <= 10  # re-anchored a few times, no loop
    assert_matches_truth(project_dir, crm)


def test_more_records_than_the_cap_on_one_timestamp_load_without_looping(project_dir, box,
                                                                         first_load):
    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    app.search_cap = 50  # the pipeline keeps the real cap: it meets HubSpot's 400 instead
    first_load.restore()
    clock.advance(minutes=30)
    changed = sorted(int(i) for i in crm.live_ids("contacts"))[:130]
    at_ms = crm.now_ms()
    app.touch_many("contacts", changed, at_ms, lifecyclestage="customer_bulk")
    clock.advance(minutes=1)
    app.search_counts.clear()
    info = refresh_hubspot()
    assert info.prp_summary.rows["hubspot__contacts"] == 130
    stages = dict(rows(project_dir, f"select id, lifecyclestage from {RAW}.hubspot__contacts"))
    assert all(stages[str(c)] == "customer_bulk" for c in changed)
    assert app.search_counts["contacts"] <= 15


def test_rate_limit_storms_and_server_errors_are_survived(project_dir, box):
    app = box.app("hubspot")
    app.faults.inject("rate_limit", 5, path_contains="/crm/objects/2026-09/contacts",
                      retry_after=None)  # HubSpot sends no Retry-After
    app.faults.inject("server_error", 3, path_contains="/crm/associations/2026-09")
    app.faults.inject("rate_limit", 4, path_contains="/crm/properties/2026-09", retry_after=None)
    refresh_hubspot(is_incremental=False)  # a load of its own: the storms hit this one
    assert_matches_truth(project_dir, app.truth)
    app.faults.inject("rate_limit", 6, path_contains="/search", retry_after=None)
    box.clock.advance(minutes=5)
    app.truth.edit("companies", sorted(int(i) for i in app.truth.live_ids("companies"))[0],
                   name="Stormy")
    box.clock.advance(minutes=1)
    info = refresh_hubspot()
    assert info.prp_summary.rows["hubspot__companies"] == 1
    assert app.faults.pending == 0  # the objects file's check read the properties API past them
    assert info.prp_summary.retries >= 6


def test_discovered_properties_are_split_so_no_url_is_too_long(project_dir, box, monkeypatch):
    app = box.app("hubspot")
    monkeypatch.setenv("SOURCES__HUBSPOT__DISCOVER_PROPERTIES", "true")
    refresh_hubspot(is_incremental=False)  # a load of its own: discovery shapes its columns
    columns = {r[0] for r in rows(project_dir, "select column_name from "
                                  "information_schema.columns where table_name = "
                                  "'hubspot__contacts'")}
    assert "personal_crm_custom_field_for_contact_159" in columns
    assert "contact_cadence_days" in columns
    assert app.counts[PROPERTIES] == 8
    assert_matches_truth(project_dir, app.truth)


def test_a_write_the_search_index_had_not_caught_up_with_is_picked_up_next_run(
        project_dir, box, first_load):
    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    first_load.restore()
    clock.advance(minutes=30)
    slow, quick = sorted(int(i) for i in crm.live_ids("contacts"))[5:7]
    app.index_lag_ms = 120_000  # this write reaches the search index two minutes late
    crm.edit("contacts", slow, jobtitle="Indexed late")
    app.index_lag_ms = 2_000
    clock.advance(seconds=30)
    crm.edit("contacts", quick, jobtitle="Indexed quickly")  # newer, but visible first
    clock.advance(seconds=10)
    first = refresh_hubspot()
    assert first.prp_summary.rows["hubspot__contacts"] == 1
    clock.advance(minutes=5)
    second = refresh_hubspot()  # the look-back re-reads the overlap; only the late one is new
    assert second.prp_summary.rows["hubspot__contacts"] == 1
    titles = dict(rows(project_dir, f"select id, jobtitle from {RAW}.hubspot__contacts"))
    assert titles[str(slow)] == "Indexed late" and titles[str(quick)] == "Indexed quickly"


def test_missing_or_wrong_token_is_a_configuration_error(project_dir, box, monkeypatch, capsys):
    from pipelines.cli import main as prp

    monkeypatch.delenv("SOURCES__HUBSPOT__API_KEY")
    assert prp(["refresh", "hubspot"]) == 2
    assert "SOURCES__HUBSPOT__API_KEY" in capsys.readouterr().out
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", "pat-na1-not-the-right-token")
    assert prp(["refresh", "hubspot"]) == 2
    out = capsys.readouterr().out
    assert "401" in out and "pat-na1-not-the-right-token" not in out
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", box.app("hubspot").token)
    # a first load of its own: it must succeed after the failed runs, whatever they left
    assert prp(["refresh", "hubspot"]) == 0
    assert_matches_truth(project_dir, box.app("hubspot").truth)


def test_pacing_stays_under_a_lower_tier_without_collecting_429s(project_dir, box,
                                                                 monkeypatch):
    app = box.app("hubspot")
    app.set_tier(40)  # a stricter burst limit than the default tier
    monkeypatch.setenv("SOURCES__HUBSPOT__REQUESTS_PER_10S", "40")
    info = refresh_hubspot(is_incremental=False)  # a load of its own: paced for the lower tier
    assert info.prp_summary.retries == 0
    assert_matches_truth(project_dir, app.truth)
    crm = app.truth
    box.clock.advance(minutes=5)
    crm.archive("companies", sorted(int(i) for i in crm.live_ids("companies"))[0])
    box.clock.advance(minutes=1)
    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    info = refresh_hubspot()  # eight searches in quick succession, under 5 per second
    assert info.prp_summary.retries == 0
    assert_matches_truth(project_dir, app.truth)
    name = rows(project_dir, f"select name from {RAW}.hubspot__companies where is_deleted")
    assert name and name[0][0]  # an archived record keeps its last values in raw


def test_the_daily_limit_fails_the_run_at_once_with_what_to_do(project_dir, box, capsys):
    from pipelines.cli import main as prp

    app = box.app("hubspot")
    app.daily_limit = app.daily_used + 5
    assert prp(["refresh", "hubspot"]) == 1
    out = capsys.readouterr().out
    assert "daily API limit" in out
    assert sum(app.counts.values()) <= 7  # no retrying against a limit that lasts till midnight


# issue 8 -----------------------------------------------------------------------------------
def test_item6_merged_contacts_and_companies_are_marked_deleted(project_dir, box, first_load,
                                                                monkeypatch):
    """A merge makes a NEW record (issue 27 item 4): both old ids are marked deleted, pointing
    at it, and the new one lands with both old ids in ``hs_merged_object_ids``."""
    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    first_load.restore()
    clock.advance(minutes=30)
    linked = [c for c in sorted(int(i) for i in crm.live_ids("contacts"))
              if crm.contact_companies(c) and crm.contact_engagements(c)]
    primary, secondary = linked[:2]
    emails = {c: crm.get("contacts", c).properties["email"] for c in (primary, secondary)}
    company_primary, company_secondary = sorted(int(i) for i in crm.live_ids("companies"))[:2]
    merged = app.merge("contacts", primary, secondary)
    merged_company = app.merge("companies", company_primary, company_secondary)
    assert merged not in {str(primary), str(secondary)}
    clock.advance(minutes=1)
    # the old contacts' engagements now point at the new one, which only the sweep sees
    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    refresh_hubspot()

    assert_matches_truth(project_dir, crm)
    for old in (primary, secondary):  # both old ids deleted, their last values kept
        gone = rows(project_dir, f"select is_deleted, merged_into, email from "
                                 f"{RAW}.hubspot__contacts where id = '{old}'")
        assert gone == [(True, merged, emails[old])]
    for old in (company_primary, company_secondary):
        gone = rows(project_dir, f"select is_deleted, merged_into from {RAW}.hubspot__companies "
                                 f"where id = '{old}'")
        assert gone == [(True, merged_company)]
    new = rows(project_dir, f"select is_deleted, email, hs_merged_object_ids from "
                            f"{RAW}.hubspot__contacts where id = '{merged}'")
    assert new == [(False, emails[primary], f"{primary};{secondary}")]  # the primary's values
    # the old contacts' association sets are cleared, not left pointing at their companies
    left = rows(project_dir, f"select company_id from {RAW}.hubspot__contact_companies "
                             f"where contact_id in ('{primary}', '{secondary}')")
    assert left == [(None,), (None,)]
    # a second run finds nothing more to mark
    clock.advance(minutes=1)
    assert refresh_hubspot().prp_summary.total_rows == 0


def test_item7_search_pages_by_key_when_records_change_between_pages(project_dir, box,
                                                                     first_load, monkeypatch):
    from sandbox.hubspot.crm import iso

    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    first_load.restore()
    clock.advance(minutes=30)
    changed = sorted(int(i) for i in crm.live_ids("contacts"))[:45]
    for cid in changed:
        clock.advance(seconds=1)
        crm.edit("contacts", cid, jobtitle=f"Title {cid}")
    clock.advance(minutes=1)
    monkeypatch.setenv("SOURCES__HUBSPOT__SEARCH_PAGE_SIZE", "10")
    app.modes.edit_between_search_pages = True
    refresh_hubspot()

    assert app.mid_read_edits  # records did move while the search was being paged
    titles = dict(rows(project_dir, f"select id, jobtitle from {RAW}.hubspot__contacts"))
    assert {c for c in changed if titles[str(c)] != f"Title {c}"} == set()
    stamps = dict(rows(project_dir, f"select id, updated_at from {RAW}.hubspot__contacts"))
    stale = {i for i in crm.live_ids("contacts")
             if stamps[i] != iso(crm.get("contacts", i).updated_ms)}
    assert stale == set()  # the newest version of every record, edited mid-read or not
    assert_matches_truth(project_dir, crm)


def test_item8_a_missing_scope_skips_that_object_with_a_warning(project_dir, box, capsys):
    from pipelines.cli import main as prp

    app = box.app("hubspot")
    crm = app.truth
    app.modes.missing_scopes = {"sales-email-read"}
    assert prp(["refresh", "hubspot"]) == 0  # a first load of its own: without the emails
    out = capsys.readouterr().out
    assert "warning: hubspot: skipped emails" in out and "sales-email-read" in out
    loaded = dict(rows(project_dir, f"select id, object_type from {RAW}.hubspot__engagements"))
    assert "emails" not in set(loaded.values())
    assert set(loaded) == {e for e, (t, _) in crm.live_engagements().items() if t != "emails"}
    assert live_ids(project_dir, "hubspot__contacts") == crm.live_ids("contacts")
    assert live_ids(project_dir, "hubspot__companies") == crm.live_ids("companies")

    # a token without the companies scope: companies and every association to them skipped
    # (and the 403 in its older shape, the scopes under ``requiredScopes``)
    app.modes.missing_scopes = {"crm.objects.companies.read"}
    app.modes.scope_error_key = "requiredScopes"
    info = refresh_hubspot(is_incremental=False)
    warnings = info.prp_summary.warnings
    assert any("skipped companies" in w and "crm.objects.companies.read" in w for w in warnings)
    assert any("contacts->companies associations" in w for w in warnings)
    assert live_ids(project_dir, "hubspot__contacts") == crm.live_ids("contacts")
    assert raw_pairs(project_dir, "engagements", "contacts") == crm.pairs("engagements",
                                                                          "contacts")
    assert info.prp_summary.rows.get("hubspot__companies", 0) == 0


def test_item8_initial_date_bounds_a_first_and_a_full_run(project_dir, box, monkeypatch):
    app = box.app("hubspot")
    crm = app.truth
    cut = (box.clock.now() - timedelta(days=200)).date()
    cut_ms = int(datetime.combine(cut, datetime.min.time(), UTC).timestamp() * 1000)
    monkeypatch.setenv("SOURCES__HUBSPOT__INITIAL_DATE", cut.isoformat())

    def expected(object_type):
        return {i for i in crm.live_ids(object_type)
                if crm.get(object_type, i).updated_ms >= cut_ms}

    refresh_hubspot()  # a first run lists everything and keeps what the window holds
    assert live_ids(project_dir, "hubspot__contacts") == expected("contacts")
    assert 0 < len(expected("contacts")) < len(crm.live_ids("contacts"))
    info = refresh_hubspot(is_incremental=False)
    assert live_ids(project_dir, "hubspot__contacts") == expected("contacts")
    assert info.prp_summary.rows["hubspot__contacts"] == len(expected("contacts"))
    engagements = live_ids(project_dir, "hubspot__engagements")
    assert engagements == {e for e in crm.live_engagements()
                           if any(crm.get(t, e) and crm.get(t, e).updated_ms >= cut_ms
                                  for t in ENGAGEMENT_TYPES)}


def test_item13_progress_lines_name_each_object_and_its_rows(first_load):
    """The progress lines of the module's real full load."""
    lines = first_load.progress
    for object_type in ("contacts", "companies", *ENGAGEMENT_TYPES):
        assert any(line.startswith(f"hubspot {object_type}: ") and " rows" in line
                   for line in lines), object_type


def test_state_holds_cursors_not_id_sets(project_dir, box, first_load, monkeypatch):
    import dlt

    app, clock = box.app("hubspot"), box.clock
    first_load.restore()
    clock.advance(minutes=30)
    app.truth.archive("contacts", sorted(int(i) for i in app.truth.live_ids("contacts"))[3])
    clock.advance(minutes=1)
    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    refresh_hubspot()
    from pipelines.runtime.settings import load_settings

    # the working directory sits beside its warehouse (settings.state_dir)
    pipeline = dlt.attach("prp_hubspot_dev", pipelines_dir=str(load_settings().state_dir))
    state = pipeline.state["sources"]["hubspot"]["resources"]
    for resource in state.values():
        for object_state in resource.values():
            assert set(object_state) <= {"cursor", "boundary", "last_sweep"}
            assert len(object_state.get("boundary", {})) < 20  # only the overlap's records
    assert_matches_truth(project_dir, app.truth)


# issue 27 ----------------------------------------------------------------------------------
def test_item27_5_a_quiet_run_makes_only_the_data_requests(project_dir, box, first_load,
                                                           monkeypatch):
    """The count check runs with the sweep, not every run: a run with nothing new asks only
    for the data (one search per object type)."""
    app = box.app("hubspot")
    first_load.restore()
    monkeypatch.setenv("SOURCES__HUBSPOT__COUNT_CHECK", "true")  # the default
    app.reset_counts()
    info = refresh_hubspot()  # the sweep (and the count) ran with the full load: not due
    assert info.prp_summary.total_rows == 0
    assert sum(app.counts.values()) == app.counts[SEARCH] == 8

    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    app.reset_counts()
    info = refresh_hubspot()  # the sweep is due: the counts agree, so no id listing
    assert info.prp_summary.total_rows == 0
    assert app.counts[SEARCH] == 16  # the data, then each type's total
    assert app.counts[LIST] == 8  # the archived listings only
    checked = rows(project_dir, f"select scope, api_count, warehouse_count from "
                                f"{RAW}._prp_completeness where table_name = 'hubspot__contacts'")
    assert checked == [("contacts", len(app.truth.live_ids("contacts")),
                        len(app.truth.live_ids("contacts")))]


def test_item27_5_deletions_no_listing_shows_are_marked_deleted(project_dir, box, first_load,
                                                                monkeypatch):
    """A GDPR deletion, and an archive older than HubSpot lists, leave no trace but the count:
    the id-only listing of that type finds them and marks them deleted."""
    app, clock = box.app("hubspot"), box.clock
    crm = app.truth
    first_load.restore()
    monkeypatch.setenv("SOURCES__HUBSPOT__COUNT_CHECK", "true")
    clock.advance(minutes=30)
    erased = sorted(int(i) for i in crm.live_ids("contacts"))[4]
    archived = sorted(int(i) for i in crm.live_ids("notes"))[0]
    crm.purge("contacts", erased)
    crm.archive("notes", archived)
    clock.advance(days=91)  # the archive is older than the archived listing keeps
    monkeypatch.setenv("SOURCES__HUBSPOT__ASSOCIATION_SWEEP_HOURS", "0")
    app.reset_counts()
    info = refresh_hubspot()

    assert_matches_truth(project_dir, crm)
    for table, record_id in (("hubspot__contacts", erased), ("hubspot__engagements", archived)):
        deleted = rows(project_dir, f"select is_deleted, deleted_at from {RAW}.{table} "
                                    f"where id = '{record_id}'")
        assert deleted[0][0] is True and deleted[0][1], table
    assert not [w for w in info.prp_summary.warnings if "the API counts" in w]
    n = {t: len(crm.live_ids(t)) for t in ("contacts", "notes")}
    # an id listing of the two types that differed, beside the eight archived listings
    assert app.counts[LIST] == 8 + math.ceil(n["contacts"] / 100) + math.ceil(n["notes"] / 100)


def test_sets_stored_as_nested_lists_are_loaded_again_as_pairs_at_once(project_dir, box,
                                                                       first_load, monkeypatch):
    """A warehouse whose association table holds no to-id column (each set was a nested list
    before sets became a row per pair) is swept on the next run, not the sweep's schedule:
    every stored record's set lands again as pairs, so staging loses none of them."""
    import dlt

    from pipelines.runtime.settings import load_settings

    app = box.app("hubspot")
    first_load.restore()
    table = "hubspot__contact_companies"
    with duckdb.connect(str(project_dir / "warehouse.duckdb")) as db:  # the layout before
        db.execute(f"delete from {RAW}.{table} where company_id is not null and _dlt_id not in "
                   f"(select min(_dlt_id) from {RAW}.{table} group by contact_id)")
        db.execute(f"alter table {RAW}.{table} drop column company_id")
    pipeline = dlt.attach("prp_hubspot_dev", pipelines_dir=str(load_settings().state_dir))
    schema = pipeline.default_schema
    schema.tables[table]["columns"].pop("company_id")
    schema.tables[table]["columns"]["contact_id"]["primary_key"] = True  # one row per contact
    pipeline.schemas.save_schema(schema)
    assert raw_pairs_or_none(project_dir) is None

    app.reset_counts()
    app.association_inputs = 0
    refresh_hubspot()  # nothing changed in HubSpot; the sweep is not due by its schedule
    assert_matches_truth(project_dir, app.truth)
    assert app.association_inputs >= len(app.truth.live_ids("contacts"))


def raw_pairs_or_none(db):
    """The contact-company pairs in raw, or None when the table has no company_id column."""
    try:
        return raw_pairs(db, "contacts", "companies")
    except duckdb.BinderException:
        return None
