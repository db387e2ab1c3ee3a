"""Which zone Fitbit's "today" uses: the person's configured zone, else the account's, else the machine's."""

from datetime import date

import pytest

from pipelines.sources.fitbit.window import FitbitContext

pytestmark = pytest.mark.unit


class Settings:
    """The account's settings endpoint, answering with its own zone."""

    def settings(self):
        return {"timeZone": "Asia/Tokyo"}


class Auth:
    def __init__(self, granted: bool):
        self._granted = granted

    def granted(self, scope: str) -> bool:
        return self._granted


def context(*, granted=True, configured=None):
    return FitbitContext(Settings(), Auth(granted), False, None, None, date(2020, 1, 1), 7,
                         "Europe/Berlin", configured)


def test_a_configured_zone_outranks_the_accounts():
    assert context(configured="America/New_York").zone.key == "America/New_York"


def test_the_accounts_zone_outranks_the_machines():
    assert context().zone.key == "Asia/Tokyo"


def test_the_machines_zone_when_the_account_settings_are_not_granted():
    assert context(granted=False).zone.key == "Europe/Berlin"
