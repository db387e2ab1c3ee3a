"""The personal time zone defaults to the machine's own; a configured one overrides it."""

from __future__ import annotations

import pytest

from pipelines.runtime import local_zone
from pipelines.runtime.settings import load_settings

pytestmark = pytest.mark.unit


def test_tz_variable_names_the_machine_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert local_zone.local_time_zone() == "Asia/Tokyo"


def test_system_link_names_the_zone_when_tz_is_unset(monkeypatch, tmp_path):
    monkeypatch.delenv("TZ", raising=False)
    zone_file = tmp_path / "usr" / "share" / "zoneinfo" / "America" / "Chicago"
    zone_file.parent.mkdir(parents=True)
    zone_file.write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(zone_file)
    assert local_zone._from_localtime_link(link) == "America/Chicago"


def test_nothing_readable_means_utc(monkeypatch):
    monkeypatch.setenv("TZ", "Not/AZone")
    monkeypatch.setattr(local_zone, "_from_localtime_link", lambda: None)
    monkeypatch.setattr(local_zone, "_from_etc_timezone", lambda: None)
    assert local_zone.local_time_zone() == "UTC"


def test_settings_use_the_machine_zone_unless_one_is_configured(project_dir, monkeypatch):
    monkeypatch.setenv("TZ", "Australia/Perth")
    assert load_settings().timezone == "Australia/Perth"
    monkeypatch.setenv("PRP__TIMEZONE", "Europe/Berlin")
    assert load_settings().timezone == "Europe/Berlin"
