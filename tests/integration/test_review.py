"""The weekly review, sent through a real SMTP server (aiosmtpd, in this process) and read back
as it arrived: headers, the Markdown and HTML parts, each figure equal to what the marts say for
that week (computed here with SQL), no contact's e-mail address under the cloud policy, once per
week unless forced, STARTTLS and implicit TLS with a certificate made for the test, a failure to
send that is logged, and a week with Fitbit missing that says so and still goes out.

The review reads a copy of the session's demo warehouse (``demo_warehouse``, tests/conftest.py),
built on today's clock, so the reviewed week is the last completed week before the warehouse's
as-of date (this module follows the calendar, as the report's tests do).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import ssl
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller

from tests.conftest import isolate_project
from tests.smtp_inbox import PASSWORD, Inbox, free_port, self_signed_certificate

pytestmark = pytest.mark.integration

ANALYTICS = "dev_analytics"
SENDER = "review@prp.example"
RECIPIENT = "me@prp.example"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp_server(inbox):
    """A plain SMTP server on a free loopback port (a relay on this machine)."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def work(demo_warehouse, tmp_path, monkeypatch) -> Path:
    """A project whose warehouse is a copy of the demo warehouse, e-mail going to ``smtp_server``."""
    isolate_project(monkeypatch, tmp_path)
    monkeypatch.setenv("PRP__TIMEZONE", "Europe/London")
    shutil.copy(demo_warehouse.path, tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("REVIEW__TO", RECIPIENT)
    monkeypatch.setenv("REVIEW__FROM", SENDER)
    monkeypatch.setenv("REVIEW__REPORT_URL", "https://me.github.io/personal-reporting-pipelines/")
    return tmp_path


def _use_plain_server(monkeypatch, server) -> None:
    monkeypatch.setenv("REVIEW__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("REVIEW__SMTP__PORT", str(server.port))
    monkeypatch.setenv("REVIEW__SMTP__SECURITY", "none")


def _week(demo_warehouse) -> tuple[str, dt.date, dt.date]:
    """The last completed Monday-to-Sunday week before the warehouse's as-of date."""
    monday = demo_warehouse.as_of - dt.timedelta(days=demo_warehouse.as_of.weekday() + 7)
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}", monday, monday + dt.timedelta(days=6)


def _review(*argv: str) -> int:
    from pipelines.cli import main

    return main(["review", *argv])


def _parts(message) -> dict[str, str]:
    """Each part's text by content type, with the line ends it had before SMTP (CRLF on the wire)."""
    return {part.get_content_type(): part.get_content().replace("\r\n", "\n")
            for part in message.iter_parts()}


def plain(markdown: str) -> str:
    """Markdown with its escapes undone (text from the data is escaped)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _figures(warehouse: Path, start: dt.date, end: dt.date) -> dict[str, str]:
    """The week's figures straight from the marts, written as the review writes them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        def one(sql: str, *params):
            return con.execute(sql, list(params)).fetchone()

        habits, on_target = one(f"""select count(*), count(*) filter (where completion_rate >= target_rate)
            from {ANALYTICS}.habit_metrics where grain = 'week' and window_start = ?""", start)
        sleep, nights, met, goal = one(f"""select avg(hours_asleep), count(*),
                   count(*) filter (where is_sleep_goal_met), arg_max(sleep_goal_hours, sleep_date)
            from {ANALYTICS}.fct_sleep_nightly
            where has_main_sleep and sleep_date between ? and ?""", start, end)
        sleep_before, = one(f"""select avg(hours_asleep) from {ANALYTICS}.fct_sleep_nightly
            where has_main_sleep and sleep_date between ? and ?""", start - dt.timedelta(weeks=4),
                            start - dt.timedelta(days=1))
        steps, heart, hrv, workouts, minutes = one(f"""select avg(steps), avg(resting_heart_rate),
                   avg(hrv_ms), coalesce(sum(workouts), 0), coalesce(sum(workout_minutes), 0)
            from {ANALYTICS}.daily_summary where summary_date between ? and ?""", start, end)
        overdue, contacts = one(f"""select count(*) filter (where is_overdue), count(*)
            from {ANALYTICS}.dim_contacts""")
        name, last_touch, days = one(f"""select full_name, last_touch_date, days_overdue
            from {ANALYTICS}.dim_contacts where is_overdue order by days_overdue desc, full_name limit 1""")
        touched, habit_days = one(f"""select sum(contacts_touched),
                   sum(daily_habits_target_met) / sum(daily_habits_tracked)
            from {ANALYTICS}.daily_summary where week_start = ?""", start)
    return {
        "habits": f"{on_target} of {habits} habits on target",
        "habit_days": f"daily habit-days on target {habit_days:.0%}",
        "sleep": (f"{sleep:.1f} h asleep on average against a {float(goal):g} h goal, "
                  f"met on {met} of {nights} nights"),
        "sleep_before": f"({sleep_before:.1f} h)",
        "steps": f"{steps:,.0f} steps a day",
        "heart": f"resting heart rate {heart:,.0f} bpm",
        "hrv": "heart-rate variability " + ("not measured" if hrv is None else f"{hrv:,.0f} ms"),
        "workouts": f"workouts {workouts:,.0f}",
        "workout_minutes": f"workout minutes {minutes:,.0f} min",
        "people": f"{overdue:,} of {contacts:,} contacts overdue for a touch",
        "longest": f"longest wait: {name}",
        "last_touch": f"last touched {last_touch}, {days} days overdue",
        "touched": f"{touched:,} people touched in the week",
    }


def test_the_review_arrives_with_both_parts_and_the_marts_figures(demo_warehouse, work, smtp_server,
                                                                   inbox, monkeypatch):
    _use_plain_server(monkeypatch, smtp_server)
    label, start, end = _week(demo_warehouse)
    assert _review("--send", "--week", label) == 0
    assert len(inbox.messages) == 1
    sender, recipients, message, _ = inbox.messages[0]
    assert (sender, recipients) == (SENDER, [RECIPIENT])
    assert message["From"] == SENDER and message["To"] == RECIPIENT
    assert message["Subject"].startswith(f"Weekly review {label}: ")
    assert message["X-PRP-Review-Week"] == label
    assert message["Date"] and message["Message-ID"].endswith("@prp.example>")
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert list(parts) == ["text/plain", "text/html"]
    markdown, page = plain(parts["text/plain"]), html.unescape(parts["text/html"])
    # the file beside the report is the part that went out
    written = work / "data" / "report" / f"review-{label}.md"
    assert written.read_text() == parts["text/plain"]
    for name, figure in _figures(work / "warehouse.duckdb", start, end).items():
        assert figure in markdown, (name, figure, markdown)
        assert figure in page, (name, figure)
    for title in ("Habits", "Sleep", "Activity and recovery", "People", "Anything unusual"):
        assert f"### {title}" in markdown and f">{title}</h2>" in page
    assert "](https://me.github.io/personal-reporting-pipelines/)" in parts["text/plain"]
    assert 'href="https://me.github.io/personal-reporting-pipelines/"' in parts["text/html"]


def _streak_changes(warehouse: Path, start: dt.date, end: dt.date) -> tuple[list[str], list[str]]:
    """Streaks gained and broken in the week, by SQL over ``fct_habit_periods``, written as the
    review writes them, longest first: a run is consecutive periods on target with no gap; a
    streak is gained when the run at the week's end is longer than the one alive when it began,
    broken when the run alive when it began did not last through the week's periods."""
    units = {"daily": "day", "weekly": "week", "monthly": "month"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        habits = con.execute(f"""
            with ordered as (
                select *, case when is_target_met and lag(is_target_met) over w
                                    and lag(period_end) over w + interval 1 day = period_start
                               then 0 else 1 end as starts_run
                from {ANALYTICS}.fct_habit_periods
                window w as (partition by habit_id order by period_start)
            ), runs as (
                select *, sum(starts_run) over (partition by habit_id order by period_start) as run_id
                from ordered
            ), lengths as (
                select *, case when is_target_met then row_number() over (
                    partition by habit_id, run_id order by period_start) else 0 end as run_length
                from runs
            )
            select arg_max(habit_name, period_start), arg_max(period, period_start),
                   coalesce(arg_max(run_length, period_start) filter (where period_end < ?), 0),
                   coalesce(arg_max(run_length, period_start) filter (where period_end <= ?), 0),
                   count(*) filter (where period_end between ? and ?)
            from lengths group by habit_id""", [start, end, start, end]).fetchall()
    gained, broken = [], []
    for name, period, before, after, in_week in habits:
        unit = units[period]
        if not in_week:
            continue
        if before and after < before + in_week:
            broken.append((-before, name, f"{name} (after {before} {unit}{'s' if before != 1 else ''})"))
        elif after > before:
            gained.append((-after, name, f"{name} (now {after} {unit}{'s' if after != 1 else ''})"))
    return [text for *_, text in sorted(gained)], [text for *_, text in sorted(broken)]


def test_streaks_gained_and_broken_equal_the_marts(demo_warehouse, work):
    label, start, end = _week(demo_warehouse)
    assert _review("--week", label) == 0
    markdown = plain((work / "data" / "report" / f"review-{label}.md").read_text())
    habits = next(line for line in markdown.splitlines() if "habits on target in the week" in line)
    gained, broken = _streak_changes(work / "warehouse.duckdb", start, end)
    assert gained or broken, "the demo week changes no streak: nothing compared"
    for found, said, none in ((gained, "streaks gained: ", "no streak gained"),
                              (broken, "broken: ", "none broken")):
        if not found:
            assert none in habits, habits
            continue
        listed = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        assert said + listed in habits, (listed, habits)


def test_a_week_is_sent_once_unless_forced(demo_warehouse, work, smtp_server, inbox, monkeypatch, caplog):
    _use_plain_server(monkeypatch, smtp_server)
    label, _, _ = _week(demo_warehouse)
    assert _review("--send", "--week", label) == 0
    assert _review("--send", "--week", label) == 0
    assert len(inbox.messages) == 1
    assert f"the review of {label} went out at" in caplog.text
    assert _review("--send", "--week", label, "--force") == 0
    assert len(inbox.messages) == 2
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        weeks = con.execute("select iso_week, recipients from dev_raw_data._prp_review_sent").fetchall()
    assert weeks == [(label, 1), (label, 1)]


def test_no_contact_address_under_the_cloud_policy(demo_warehouse, work, smtp_server, inbox, monkeypatch):
    """The most overdue contacts lose their names, so only an address could name them: under
    the cloud policy none appears; under the local one it does (so the check can fail)."""
    _use_plain_server(monkeypatch, smtp_server)
    label, _, _ = _week(demo_warehouse)
    warehouse = work / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"""update {ANALYTICS}.dim_contacts set full_name = null where contact_id in (
            select contact_id from {ANALYTICS}.dim_contacts where is_overdue
            order by days_overdue desc limit 3)""")
        addresses = [a for a, in con.execute(f"select email from {ANALYTICS}.dim_contacts "
                                             "where email like '%@%'").fetchall()]
    assert addresses
    monkeypatch.setenv("PRP__PRIVACY", "cloud")
    assert _review("--send", "--week", label) == 0
    message = inbox.messages[0][2]
    text = message.as_string() + "".join(_parts(message).values())
    assert not [a for a in addresses if a.lower() in text.lower()]
    assert "(no name)" in plain(_parts(message)["text/plain"])

    monkeypatch.setenv("PRP__PRIVACY", "local")
    assert _review("--send", "--week", label, "--force") == 0
    local = "".join(_parts(inbox.messages[1][2]).values())
    assert [a for a in addresses if a in local]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_sent_over_tls_with_login(demo_warehouse, work, inbox, monkeypatch, capsys, caplog, security):
    """A server with a certificate made now, trusted through review.smtp.ca_file; the password
    travels only inside TLS (the server refuses AUTH before it) and is never printed."""
    cert, key = self_signed_certificate(work)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    # on implicit TLS aiosmtpd does not know its session is encrypted, so it cannot require it
    options = ({"tls_context": server_context, "require_starttls": True, "auth_require_tls": True}
               if security == "starttls" else {"ssl_context": server_context, "auth_require_tls": False})
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=inbox.authenticate,
                            **options)
    controller.start()
    try:
        monkeypatch.setenv("REVIEW__SMTP__HOST", "127.0.0.1")
        monkeypatch.setenv("REVIEW__SMTP__PORT", str(controller.port))
        monkeypatch.setenv("REVIEW__SMTP__SECURITY", security)
        monkeypatch.setenv("REVIEW__SMTP__CA_FILE", str(cert))
        monkeypatch.setenv("REVIEW__SMTP__USER", "me")
        monkeypatch.setenv("REVIEW__SMTP__PASSWORD", PASSWORD)
        label, _, _ = _week(demo_warehouse)
        assert _review("--send", "--week", label) == 0
    finally:
        controller.stop()
    assert inbox.logins == [("me", True)]
    assert len(inbox.messages) == 1 and inbox.messages[0][3]  # the message came over TLS
    assert PASSWORD not in capsys.readouterr().out + caplog.text


def test_untrusted_certificate_or_no_server_is_logged_and_the_file_still_written(
        demo_warehouse, work, monkeypatch, caplog):
    monkeypatch.setenv("REVIEW__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("REVIEW__SMTP__PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("REVIEW__SMTP__PASSWORD", PASSWORD)
    label, _, _ = _week(demo_warehouse)
    assert _review("--send", "--week", label) == 1
    assert "the weekly review was not sent through 127.0.0.1:" in caplog.text
    assert PASSWORD not in caplog.text
    assert (work / "data" / "report" / f"review-{label}.md").is_file()
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from information_schema.tables "
                           "where table_name = '_prp_review_sent'").fetchone()[0] == 0


def test_a_week_without_fitbit_says_so_and_still_goes_out(demo_warehouse, work, smtp_server, inbox,
                                                          monkeypatch):
    """Fitbit taken out of a copy, as dbt leaves the marts when it was never loaded."""
    _use_plain_server(monkeypatch, smtp_server)
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        for table in ("fct_sleep_nightly", "fct_activity_daily"):
            con.execute(f"delete from {ANALYTICS}.{table}")
        con.execute(f"update {ANALYTICS}.daily_summary set hours_asleep = null, minutes_asleep = null, "
                    "steps = null, resting_heart_rate = null")
        con.execute("delete from dev_raw_data._dlt_loads where schema_name = 'fitbit'")
    label, _, _ = _week(demo_warehouse)
    assert _review("--send", "--week", label) == 0
    markdown = plain(_parts(inbox.messages[0][2])["text/plain"])
    sections = dict(re.findall(r"^### (.+)\n\n(.+)$", markdown, re.MULTILINE))
    assert sections["Sleep"] == "Fitbit not connected yet: nothing to review."
    assert sections["Activity and recovery"] == "Fitbit not connected yet: nothing to review."
    assert "Fitbit did not load: it has never loaded" in sections["Anything unusual"]
    assert "habits on target" in sections["Habits"] and "contacts overdue" in sections["People"]


def test_without_email_settings_the_review_is_written_and_not_sent(demo_warehouse, work, monkeypatch, caplog):
    for key in ("REVIEW__TO", "REVIEW__FROM"):
        monkeypatch.delenv(key)
    assert _review("--send") == 0
    assert "not sent: e-mail is not configured" in caplog.text
    today = dt.datetime.now(dt.UTC).astimezone(demo_warehouse.timezone).date()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    year, number, _ = monday.isocalendar()
    assert (work / "data" / "report" / f"review-{year}-W{number:02d}.md").is_file()
