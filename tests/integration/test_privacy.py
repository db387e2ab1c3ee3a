"""Privacy: under the cloud policy no clear e-mail, phone number or body text is left anywhere.

The small profile of the sandbox is loaded by the real pipelines into DuckDB with the cloud
policy forced (``PRP__PRIVACY=cloud``); then every raw and mart table, every file dlt left on
disk (load packages, state) and every log line is scanned for the sandbox truth's e-mail
addresses, phone numbers, engagement bodies and subjects, Notion rich-text values and the notes
a person typed with a Fitbit workout or weigh-in.
"""

from __future__ import annotations

import contextlib
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import (
    build_marts_as_of,
    duckdb_reader,
    duckdb_rows,
    isolate_project,
    refresh_every_source,
    sandbox_in_env,
)

pytestmark = pytest.mark.integration

KEY = "test-privacy-key-0123456789abcdef"
OTHER_KEY = "another-privacy-key-fedcba9876543210"
RAW, ANALYTICS = "dev_raw_data", "dev_analytics"


def _needles(box) -> dict[str, set[str]]:
    """The clear values the cloud policy must keep out of the warehouse, files and logs."""
    from pipelines.sources.hubspot import ENGAGEMENT_TEXT
    from sandbox.hubspot.schema import ENGAGEMENT_TYPES

    crm = box.app("hubspot").truth
    contacts = crm.records["contacts"].values()
    bodies = {str(r.properties[name]) for t in ENGAGEMENT_TYPES for r in crm.records[t].values()
              for name in ENGAGEMENT_TEXT if r.properties.get(name)}
    ws = box.notion.ws
    rich = set()
    for page in ws.pages.values():
        for prop in ws.data_sources[page.data_source_id].properties.values():
            if prop.type == "rich_text" and page.values.get(prop.id):
                rich.add(str(page.values[prop.id]))
    health = box.app("google").data  # what the person typed with a workout or a weigh-in
    typed = {entry.notes for day in health.days.values()
             for entry in (*day.health.exercises, *day.health.samples) if entry.notes}
    return {"emails": {r.properties["email"] for r in contacts if r.properties.get("email")},
            "phones": {r.properties["phone"] for r in contacts if r.properties.get("phone")},
            "bodies": bodies, "rich_text": rich, "fitbit_notes": typed}


def _found(text: str, needles: dict[str, set[str]]) -> dict[str, list[str]]:
    hits = {kind: sorted(n for n in values if n in text)[:3] for kind, values in needles.items()}
    return {kind: found for kind, found in hits.items() if found}


def _warehouse_text(path: Path) -> str:
    """Every value of every table of every schema, as text."""
    parts = []
    with duckdb_reader(path) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        for schema, table in tables:
            for row in con.execute(f'select * from "{schema}"."{table}"').fetchall():
                parts.append("\x1f".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)


def _files_text(root: Path) -> str:
    """Every file under ``root`` (dlt's working dirs with their load packages and state, logs),
    gzip-decompressed where it is; not the warehouse (scanned by SQL) nor dbt's compiled
    project (its docs say "daily habits", which is not a value)."""
    parts = []
    for path in root.rglob("*"):
        if not path.is_file() or ".duckdb" in path.name or "dbt-target" in path.parts:
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        parts.append(data.decode("utf-8", errors="ignore"))
    return "\n".join(parts)


@dataclass
class Loaded:
    work: Path
    box: object
    logs: str
    build_error: Exception | None
    as_of: date
    timezone: ZoneInfo

    @property
    def path(self) -> Path:
        return self.work / "warehouse.duckdb"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """Small profile -> three pipelines (cloud policy) -> DuckDB -> dbt build, logs captured."""
    work = tmp_path_factory.mktemp("privacy_cloud")
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, work)
        mp.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
        mp.setenv("PRP__PRIVACY", "cloud")
        mp.setenv("PRIVACY__HASH_KEY", KEY)
        mp.delenv("DBT_LOG_LEVEL_FILE")  # dbt's debug log is written, to be scanned with the rest
        with sandbox_in_env(mp, profile="small") as box:
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                refresh_every_source()
            _, tz, as_of, build_error = build_marts_as_of(box, unit_tests=False)
            yield Loaded(work, box, out.getvalue(), build_error, as_of, tz)


def test_no_clear_value_in_any_table_file_or_log(cloud):
    needles = _needles(cloud.box)
    assert all(needles.values()), {k: len(v) for k, v in needles.items()}
    assert "privacy: cloud policy" in cloud.logs
    assert _found(_warehouse_text(cloud.path), needles) == {}
    files = _files_text(cloud.work)
    assert "hubspot__contacts" in files  # the load packages are there to scan
    assert (cloud.work / "dbt-logs" / "dbt.log").stat().st_size > 0  # and dbt's debug log
    assert _found(files, needles) == {}
    assert _found(cloud.logs, needles) == {}


def test_contact_emails_are_keyed_hashes_and_bodies_redacted(cloud):
    from pipelines.runtime.privacy import keyed_hash

    crm = cloud.box.app("hubspot").truth
    got = dict(duckdb_rows(cloud.path, f"select id, email from {RAW}.hubspot__contacts"))
    live = {cid: r.properties["email"] for cid, r in
            ((str(i), r) for i, r in crm.records["contacts"].items()) if cid in got}
    assert live and all(got[cid] == keyed_hash(email, KEY.encode()) for cid, email in live.items())
    notes = duckdb_rows(cloud.path, f"select distinct value_text from {RAW}.notion__property_values "
                                    "where property_type = 'rich_text' and value_text <> ''")
    assert notes and all(text.startswith("[redacted:") for (text,) in notes)
    bodies = duckdb_rows(cloud.path, f"select body_preview from {ANALYTICS}.fct_engagements")
    assert bodies and all(b is None or b.startswith("[redacted:") for (b,) in bodies)


def test_dbt_build_passes_under_the_cloud_policy(cloud):
    assert cloud.build_error is None, cloud.build_error


def test_marts_match_the_truth_that_does_not_depend_on_treated_values(cloud):
    from sandbox.notion.workspace import HABIT_TARGETS
    from tests.dbt import truth

    variables = truth.dbt_vars()
    crm = cloud.box.app("hubspot").truth
    engagements = {r[0]: (r[1], r[2], r[3]) for r in duckdb_rows(
        cloud.path, f"select engagement_id, engagement_type, occurred_date, contact_count "
                    f"from {ANALYTICS}.fct_engagements")}
    assert engagements == truth.engagements(crm, cloud.timezone)

    expected = truth.contact_health(crm, cloud.timezone, cloud.as_of, variables)
    columns = ["contact_id", "last_touch_date", "touches_total", "touches_last_30_days",
               "touches_last_90_days", "touches_last_365_days", "synchronous_touches",
               "asynchronous_touches", "days_since_last_touch", "cadence_days", "is_overdue",
               "days_overdue"]
    got = {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in duckdb_rows(
        cloud.path, f"select {', '.join(columns)} from {ANALYTICS}.dim_contacts")}
    assert got == expected

    periods = truth.habit_periods(cloud.box.notion.ws, HABIT_TARGETS, variables)
    got_periods = {(r[0], r[1], r[2]): (r[3], r[4]) for r in duckdb_rows(
        cloud.path, f"select habit_name, period, period_start, is_done, value "
                    f"from {ANALYTICS}.fct_habit_periods")}
    assert got_periods == {(p.habit, p.period, p.period_start): (p.is_done, p.value) for p in periods}

    health = cloud.box.app("google").data
    sleep = truth.sleep_nightly(health, variables)
    got_sleep = {r[0]: r[1] for r in duckdb_rows(
        cloud.path, f"select sleep_date, minutes_asleep from {ANALYTICS}.fct_sleep_nightly")}
    assert got_sleep == {day: want["minutes_asleep"] for day, want in sleep.items()}


# --- one column back to keep; hashes across runs, sources and keys ------------------------------

def _privacy_output(capsys) -> str:
    from pipelines.cli import main

    capsys.readouterr()
    assert main(["privacy"]) == 0
    return capsys.readouterr().out


def _contacts(path: Path) -> dict[str, dict]:
    names = [r[0] for r in duckdb_rows(path, "select column_name from information_schema.columns "
                                             f"where table_schema = '{RAW}' and "
                                             "table_name = 'hubspot__contacts' order by column_name")
             if not r[0].startswith("_dlt")]
    rows = duckdb_rows(path, f"select {', '.join(names)} from {RAW}.hubspot__contacts")
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in rows}


def test_keep_one_column_and_hashes_stable_across_runs_and_sources(project_dir, start, monkeypatch,
                                                                    capsys):
    from pipelines.runtime.privacy import keyed_hash
    from pipelines.runtime.token_store import reload_dlt_providers
    from pipelines.sources.hubspot import refresh_hubspot
    from pipelines.sources.notion import refresh_notion

    monkeypatch.setenv("PRP__PRIVACY", "cloud")
    monkeypatch.setenv("PRIVACY__HASH_KEY", KEY)
    monkeypatch.setenv("SOURCES__HUBSPOT__RETRY_BACKOFF_SECONDS", "0.05")
    box = start(apis=("notion", "hubspot"), profile="small")
    crm = box.app("hubspot").truth
    contact = next(r for r in crm.records["contacts"].values() if not r.gone)
    # the same person in Notion, typed differently
    ws = box.notion.ws
    ws.add_property("Daily Habits", "Met", "email")
    page = next(p for p in ws.live_pages("Daily Habits"))
    ws.edit_page(page.id, Met=f"  {contact.properties['email'].upper()} ")
    box.clock.advance(minutes=5)

    refresh_hubspot()
    refresh_notion()
    path = project_dir / "warehouse.duckdb"
    first = _contacts(path)
    hashed = keyed_hash(contact.properties["email"], KEY.encode())
    assert first[str(contact.id)]["email"] == hashed
    met = duckdb_rows(path, f"select value_text from {RAW}.notion__property_values "
                            f"where property_name = 'Met' and page_id = '{page.id}'")
    assert met == [(hashed,)]  # across sources
    before = _privacy_output(capsys)
    phone_before = next(line for line in before.splitlines() if "hubspot__contacts.phone" in line)
    with_phone = sum(1 for row in first.values() if row["phone"])
    assert "hash" in phone_before and f"{with_phone} values in the last run" in phone_before
    assert all(row["phone"] is None or len(row["phone"]) == 64 for row in first.values())

    # phone back to keep: exactly that column is clear after the next full refresh
    config = project_dir / ".dlt" / "config.toml"
    config.write_text(config.read_text() + '\n[privacy.hubspot.hubspot__contacts]\nphone = "keep"\n')
    reload_dlt_providers()  # a new `prp` process would read the edited file
    refresh_hubspot(is_incremental=False)
    second = _contacts(path)
    assert set(second) == set(first)
    phones = {str(i): r.properties.get("phone") for i, r in crm.records["contacts"].items()}
    for cid, row in second.items():
        assert row["phone"] == phones[cid]
        assert {k: v for k, v in row.items() if k != "phone"} == \
               {k: v for k, v in first[cid].items() if k != "phone"}  # same hashes across runs
    after = _privacy_output(capsys)
    phone_line = next(line for line in after.splitlines() if "hubspot__contacts.phone" in line)
    kept = sum(1 for cid in second if phones[cid])
    assert "keep" in phone_line and f"{kept} values in the last run" in phone_line

    # a different key gives different hashes
    monkeypatch.setenv("PRIVACY__HASH_KEY", OTHER_KEY)
    refresh_hubspot(is_incremental=False)
    third = _contacts(path)
    assert third[str(contact.id)]["email"] == keyed_hash(contact.properties["email"], OTHER_KEY.encode())
    assert all(third[cid]["email"] != first[cid]["email"] for cid in first if first[cid]["email"])


def test_cloud_policy_without_a_key_stops_with_exit_2(project_dir, capsys, monkeypatch):
    from pipelines.cli import main

    monkeypatch.setenv("PRP__PRIVACY", "cloud")
    monkeypatch.delenv("PRIVACY__HASH_KEY", raising=False)  # the module's warehouse sets one
    monkeypatch.setenv("SOURCES__HUBSPOT__BASE_URL", "http://127.0.0.1:9")  # never reached
    monkeypatch.setenv("SOURCES__HUBSPOT__API_KEY", "pat-unused")
    assert main(["refresh", "hubspot"]) == 2
    out = capsys.readouterr().out
    assert "privacy.hash_key" in out and "PRIVACY__HASH_KEY" in out
