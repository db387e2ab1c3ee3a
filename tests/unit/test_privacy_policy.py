"""The privacy policy: keyed hashes, treatments, defaults by destination, rows of every table."""

from __future__ import annotations

import json

import pytest

from pipelines.runtime.errors import ConfigurationError
from pipelines.runtime.privacy import Policy, cloud_defaults, keyed_hash, normalise, treat
from pipelines.runtime.privacy import load_policy as load_any_policy
from pipelines.runtime.privacy_run import PrivacyRun
from pipelines.sources import privacy_defaults

pytestmark = pytest.mark.unit

KEY = b"unit-test-key-0123456789"


@pytest.fixture(autouse=True)
def fresh_providers(project_dir):
    """dlt caches its config files: read this test's project, and leave none of it behind."""
    from pipelines.runtime.token_store import reload_dlt_providers

    reload_dlt_providers()
    yield
    reload_dlt_providers()


def load_policy(destination: str, **kwargs) -> Policy:
    """The policy over every registered source's defaults, as a run loads it."""
    return load_any_policy(destination, privacy_defaults(), **kwargs)


def cloud_policy(overrides: dict | None = None) -> Policy:
    rules = cloud_defaults(privacy_defaults())
    for (source, table), columns in (overrides or {}).items():
        rules.setdefault(source, {}).setdefault(table, {}).update(columns)
    return Policy("cloud", rules, key=KEY, sources=privacy_defaults())


def test_hash_is_stable_normalised_and_keyed():
    assert keyed_hash("Ada.Adams@Example.org ", KEY) == keyed_hash("ada.adams@example.org", KEY)
    assert keyed_hash("+44 20 7123 4567", KEY) == keyed_hash("+44 (20) 7123-4567", KEY)
    assert normalise("+44 20 7123 4567") == "+442071234567"
    assert keyed_hash("ada@example.org", KEY) != keyed_hash("ada@example.org", b"another-key-0123456")
    assert len(keyed_hash("x", KEY)) == 64


def test_treatments_pass_empty_and_already_treated_values_through():
    hashed = treat("ada@example.org", "hash", KEY)
    assert treat(hashed, "hash", KEY) == hashed  # a stored row re-read is not hashed twice
    assert treat("Felt good.", "redact", None) == "[redacted:10]"
    assert treat("[redacted:10]", "redact", None) == "[redacted:10]"
    assert treat(None, "hash", KEY) is None and treat("", "redact", None) == ""
    assert treat("x", "drop", KEY) is None and treat("x", "keep", None) == "x"
    with pytest.raises(ConfigurationError, match="privacy.hash_key"):
        treat("ada@example.org", "hash", None)


def test_contact_and_engagement_rows_under_the_cloud_policy():
    run = PrivacyRun(cloud_policy(), "hubspot")
    contact = {"id": "1", "email": "ada@example.org", "phone": "+44 20 7123 4567",
               "firstname": "Ada", "company": "Acme", "hs_additional_emails": "a@b.c"}
    out = run.treat_row("hubspot__contacts", contact)
    assert out["email"] == keyed_hash("ada@example.org", KEY)
    assert out["phone"] == keyed_hash("+442071234567", KEY)
    assert out["hs_additional_emails"] == keyed_hash("a@b.c", KEY)
    assert (out["id"], out["firstname"], out["company"]) == ("1", "Ada", "Acme")
    engagement = {"id": "9", "hs_note_body": "<p>private</p>", "hs_call_status": "COMPLETED",
                  "hs_timestamp": "2026-01-01T00:00:00Z"}
    out = run.treat_row("hubspot__engagements", engagement)
    assert out == {**engagement, "hs_note_body": "[redacted:14]"}
    company = {"id": "5", "name": "Acme", "phone": "+1 555 0100"}
    assert run.treat_row("hubspot__companies", company) == company
    assert run.counts[("hubspot__contacts", "email", "hash")] == 1


def value_row(kind: str, name: str, text=None, number=None, json_value=None) -> dict:
    return {"page_id": "p", "property_id": "x", "property_name": name, "property_type": kind,
            "value_text": text, "value_number": number, "value_bool": None, "value_date": None,
            "value_date_end": None, "value_json": json.dumps(json_value if json_value is not None
                                                             else text)}


def test_notion_values_by_type_and_by_name():
    run = PrivacyRun(cloud_policy({("notion", "notion__property_values"): {"Mood": "drop"}}),
                     "notion")
    notes = run.treat_row("notion__property_values", value_row("rich_text", "Notes", "Felt good."))
    assert (notes["value_text"], json.loads(notes["value_json"])) == ("[redacted:10]", "[redacted:10]")
    email = run.treat_row("notion__property_values", value_row("email", "Met", "Ada@Example.org"))
    assert email["value_text"] == keyed_hash("ada@example.org", KEY)
    habit = value_row("checkbox", "Meditate", json_value=True)
    assert run.treat_row("notion__property_values", habit) == habit
    title = value_row("title", "Name", "Monday 01 January 2024")
    assert run.treat_row("notion__property_values", title) == title  # names are kept
    mood = run.treat_row("notion__property_values", value_row("select", "Mood", "low"))
    assert (mood["value_text"], mood["value_json"]) == (None, None)


def test_page_titles_follow_the_title_rule():
    policy = cloud_policy({("notion", "notion__property_values"): {"title": "redact"}})
    out = PrivacyRun(policy, "notion").treat_row("notion__pages", {"page_id": "p", "title": "Secret"})
    assert out["title"] == "[redacted:6]"
    kept = PrivacyRun(cloud_policy(), "notion").treat_row("notion__pages", {"title": "Secret"})
    assert kept["title"] == "Secret"


def test_exact_rule_wins_over_glob_and_drop_leaves_the_column_out():
    policy = cloud_policy({("hubspot", "hubspot__contacts"): {"phone": "keep", "jobtitle": "drop"}})
    out = PrivacyRun(policy, "hubspot").treat_row(
        "hubspot__contacts", {"id": "1", "phone": "+44 1", "mobilephone": "+44 20 7123 4567",
                              "jobtitle": "Engineer"})
    assert out["phone"] == "+44 1" and len(out["mobilephone"]) == 64 and "jobtitle" not in out


def test_defaults_by_destination_and_overrides(project_dir, monkeypatch):
    from pipelines.runtime.token_store import reload_dlt_providers

    config = project_dir / ".dlt" / "config.toml"
    config.write_text(config.read_text() + '\n[privacy.hubspot.hubspot__contacts]\nphone = "keep"\n')
    reload_dlt_providers()
    local = load_policy("duckdb")
    assert local.mode == "local" and local.treatment("hubspot", "hubspot__contacts", "email") == "keep"
    assert local.treatment("hubspot", "hubspot__contacts", "phone") == "keep"
    with pytest.raises(ConfigurationError, match="PRIVACY__HASH_KEY"):
        load_policy("bigquery")
    monkeypatch.setenv("PRIVACY__HASH_KEY", "k" * 20)
    cloud = load_policy("bigquery")
    assert cloud.treatment("hubspot", "hubspot__contacts", "email") == "hash"
    assert cloud.treatment("hubspot", "hubspot__contacts", "phone") == "keep"
    monkeypatch.setenv("PRP__PRIVACY", "cloud")
    assert load_policy("duckdb").mode == "cloud"
    monkeypatch.setenv("PRP__PRIVACY", "sometimes")
    with pytest.raises(ConfigurationError, match="prp.privacy"):
        load_policy("duckdb")


def test_a_bad_treatment_names_its_setting(project_dir):
    from pipelines.runtime.token_store import reload_dlt_providers

    config = project_dir / ".dlt" / "config.toml"
    config.write_text(config.read_text() + '\n[privacy.hubspot.hubspot__contacts]\nphone = "blur"\n')
    reload_dlt_providers()
    with pytest.raises(ConfigurationError, match=r"privacy.hubspot.hubspot__contacts.phone = 'blur'"):
        load_policy("duckdb")


def test_doctor_warns_for_the_cloud_until_reviewed(project_dir, monkeypatch):
    from pipelines.commands.privacy import privacy_warnings
    from pipelines.runtime.settings import load_settings

    assert privacy_warnings(load_settings()) == []  # DuckDB: nothing leaves
    monkeypatch.setenv("PRP__DESTINATION", "bigquery")
    warnings = privacy_warnings(load_settings())
    assert any("no privacy policy has been reviewed" in w for w in warnings)
    assert any("hash_key is not set" in w for w in warnings)
    monkeypatch.setenv("PRIVACY__REVIEWED", "true")
    monkeypatch.setenv("PRIVACY__HASH_KEY", "k" * 20)
    assert privacy_warnings(load_settings()) == []
