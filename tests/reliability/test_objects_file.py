"""The HubSpot objects file is checked against the account's properties API before extracting:
an unknown object type, property or cursor property stops the run with exit 2, naming the file,
the object and the property.

Problem (issue 25, item 2): a wrong ``cursor_property`` exited 0 with "0 rows" and the records
edited meanwhile were never loaded; a property the account does not have gave an empty column.
"""

from __future__ import annotations

import pytest

from pipelines.cli import main as prp
from pipelines.sources.hubspot.objects import OBJECTS_FILE

pytestmark = pytest.mark.integration

PROPERTIES = "GET /crm/properties/{version}/{object_type}"


@pytest.mark.parametrize(("change", "named"), [
    (("cursor_property: lastmodifieddate", "cursor_property: hs_lastmodifieddate"),
     ("contacts", "hs_lastmodifieddate")),
    (("jobtitle, lifecyclestage", "jobtitle, job_title_typo, lifecyclestage"),
     ("contacts", "job_title_typo")),
    (("cursor_property: hs_lastmodifieddate\n    properties: [name,",
      "cursor_property: hs_last_modified\n    properties: [name,"),
     ("companies", "hs_last_modified")),
    (("  companies:\n    table: hubspot__companies", "  companys:\n    table: hubspot__companies"),
     ("companys",)),
])
def test_a_wrong_objects_file_stops_the_run_naming_file_object_and_property(
        project_dir, sandbox, monkeypatch, capsys, change, named):
    box = sandbox("hubspot")
    objects = project_dir / "objects.yml"
    text = OBJECTS_FILE.read_text()
    assert change[0] in text
    objects.write_text(text.replace(change[0], change[1], 1))
    monkeypatch.setenv("SOURCES__HUBSPOT__OBJECTS_FILE", str(objects))
    capsys.readouterr()
    assert prp(["refresh", "hubspot"]) == 2
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if "ERROR" in line]
    assert len(errors) == 1, out[-3000:]
    for word in (str(objects), *named):
        assert word in errors[0], errors[0]
    counts = box.app("hubspot").counts
    assert sum(counts.values()) == counts[PROPERTIES] > 0  # no record was read


def test_the_check_runs_again_only_when_the_file_changes(project_dir, sandbox, monkeypatch):
    box = sandbox("hubspot")
    counts = box.app("hubspot").counts
    assert prp(["refresh", "hubspot"]) == 0
    assert counts[PROPERTIES] == 8  # one request per object type
    assert prp(["refresh", "hubspot"]) == 0
    assert counts[PROPERTIES] == 8  # the same file passed last time
    objects = project_dir / "objects.yml"
    objects.write_text(OBJECTS_FILE.read_text().replace("jobtitle, ", "jobtitle, phone_typo, "))
    monkeypatch.setenv("SOURCES__HUBSPOT__OBJECTS_FILE", str(objects))
    assert prp(["refresh", "hubspot"]) == 2
