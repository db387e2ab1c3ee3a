"""A damaged dlt state or schema file is set aside with a copy kept, said in one line, and the run
goes on from the warehouse's state.

Problem (issue 25, item 3): garbage, an empty file or ``{}`` in a pipeline's ``state.json`` or
``schemas/*.json`` made `prp refresh` and `prp status` end in a raw traceback
(``orjson.JSONDecodeError``, ``KeyError: '_state_engine_version'``) naming neither file nor fix.
"""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from pipelines.runtime.settings import load_settings
from tests.reliability.conftest import raw_counts

pytestmark = pytest.mark.integration


def damage(relative: str, content: str):
    working = load_settings().state_dir / "prp_hubspot_dev"
    file = working / relative
    assert file.is_file(), sorted(p.name for p in working.rglob("*"))
    file.write_text(content)
    return file


def set_aside_line(out: str, file) -> str:
    lines = [line for line in out.splitlines() if "damaged" in line]
    assert len(lines) == 1, out[-3000:]
    assert str(file) in lines[0] and "continuing from the warehouse" in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("relative", "content"), [
    ("state.json", "\x00garbage{"),
    ("state.json", "{}"),
    ("schemas/hubspot.schema.json", ""),
])
def test_refresh_sets_damaged_state_aside_and_resumes_from_the_warehouse(
        project_dir, sandbox, first_load, capsys, relative, content):
    sandbox("hubspot", now=first_load.now)
    first_load.restore()
    before = raw_counts(project_dir, "hubspot__")
    file = damage(relative, content)
    capsys.readouterr()
    assert prp(["refresh", "hubspot"]) == 0
    out = capsys.readouterr().out
    set_aside_line(out, file)
    assert "Traceback" not in out
    # the warehouse's cursors, not a backfill: nothing new, nothing read again
    assert "refresh mode incremental" in out and "rows loaded: 0" in out, out[-3000:]
    assert raw_counts(project_dir, "hubspot__") == before
    kept = list((project_dir / "data" / "dlt" / "damaged").glob(f"*/prp_hubspot_dev-*/{relative}"))
    assert [k.read_text() for k in kept] == [content]  # the damaged copy is kept


def test_status_sets_damaged_state_aside_and_shows_the_warehouse_state(project_dir, sandbox,
                                                                       first_load, capsys):
    sandbox("hubspot", now=first_load.now)
    first_load.restore()
    file = damage("state.json", "not json at all")
    capsys.readouterr()
    assert prp(["status"]) == 0
    out = capsys.readouterr().out
    set_aside_line(out, file)
    assert "Traceback" not in out
    assert "hubspot__contacts:" in out and "cursors:" in out, out  # restored from the warehouse
