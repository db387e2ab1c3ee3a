"""Headless Chromium from Debian's packages, driven by Playwright (never a downloaded browser).

Without /usr/bin/chromium the browser tests skip on a developer's machine (with the command
that installs it) and fail in CI (CI=true), where `.ci/run` installs it first.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """Debian's chromium, where `apt-get install chromium` puts it."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium per module."""
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (sudo apt-get install --no-install-recommends chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + ": .ci/run should have installed it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
