"""The weekly review's HTML e-mail body in a real browser: it renders every section with its
sentence and table, asks the network for nothing (no style sheet, font, image or script: a
mail client would block them), logs no error, and reads as the Markdown part says.

It is written by ``prp review`` from a copy of the session's demo warehouse (``demo_warehouse``
in tests/conftest.py), for the last completed week before the warehouse's as-of date.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import isolate_project

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECTIONS = ["habits", "sleep", "activity", "people", "unusual"]


@pytest.fixture(scope="module")
def review(demo_warehouse, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The review's HTML and Markdown files, as `prp review` writes them."""
    work = tmp_path_factory.mktemp("review")
    monday = demo_warehouse.as_of - dt.timedelta(days=demo_warehouse.as_of.weekday() + 7)
    year, number, _ = monday.isocalendar()
    label = f"{year}-W{number:02d}"
    with pytest.MonkeyPatch.context() as mp:
        isolate_project(mp, work)
        mp.setenv("PRP__TIMEZONE", "Europe/London")
        mp.setenv("REVIEW__REPORT_URL", "https://me.github.io/personal-reporting-pipelines/")
        shutil.copy(demo_warehouse.path, work / "warehouse.duckdb")
        from pipelines.cli import main

        assert main(["review", "--week", label]) == 0
    folder = work / "data" / "report"
    return folder / f"review-{label}.html", folder / f"review-{label}.md"


def test_review_email_renders_offline_with_every_section(browser, review):
    page_file, markdown_file = review
    source = page_file.read_text()
    assert "<script" not in source and "<link" not in source and "<img" not in source
    assert "<style" not in source  # every style inline, as mail clients keep them
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    assert requests == [page_file.as_uri()]
    assert errors == []
    markdown = re.sub(r"\\(.)", r"\1", markdown_file.read_text())
    for section in SECTIONS:
        located = page.locator(f"section#{section}")
        assert located.is_visible(), section
        sentence = located.locator("p.sentence").inner_text().strip()
        assert sentence and f"\n{sentence}\n" in markdown, (section, sentence)
    # the tables carry the week's rows: every habit, the most overdue people
    assert page.locator("section#habits tbody tr").count() >= 3
    assert page.locator("section#people tbody tr").count() == 5
    # the inline styles apply: a white column of 680 px on a grey page
    width = page.evaluate("() => document.querySelector('body > div').getBoundingClientRect().width")
    assert width == 680
    link = page.locator("a", has_text="The full report")
    assert link.get_attribute("href") == "https://me.github.io/personal-reporting-pipelines/"
    page.close()
