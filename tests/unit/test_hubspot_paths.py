"""HubSpot's date-versioned paths (the version a setting) and the columns declared per table."""

from __future__ import annotations

import pytest

from pipelines.runtime.errors import ConfigurationError
from pipelines.sources.hubspot.objects import load_objects
from pipelines.sources.hubspot.paths import DEFAULT_API_VERSION, ApiPaths, checked_version
from pipelines.sources.hubspot.rows import declared_properties


def test_every_path_carries_the_version():
    paths = ApiPaths("2026-09")
    assert paths.objects("contacts") == "/crm/objects/2026-09/contacts"
    assert paths.search("calls") == "/crm/objects/2026-09/calls/search"
    assert paths.properties("emails") == "/crm/properties/2026-09/emails"
    assert paths.association_batch_read("notes", "contacts") == \
        "/crm/associations/2026-09/notes/contacts/batch/read"


@pytest.mark.parametrize("given, used", [(None, DEFAULT_API_VERSION), ("", DEFAULT_API_VERSION),
                                         ("2026-03", "2026-03"), ("2026-09-beta", "2026-09-beta")])
def test_a_date_version_is_taken(given, used):
    assert checked_version(given) == used


@pytest.mark.parametrize("bad", ["v3", "2026-9", "2026-13", "latest", "/2026-09"])
def test_anything_else_is_a_configuration_error_naming_the_setting(bad):
    with pytest.raises(ConfigurationError, match="sources.hubspot.api_version"):
        checked_version(bad)


def test_each_table_declares_every_property_of_every_type_sharing_it():
    objects, engagements = load_objects()
    declared = declared_properties([*objects, *engagements])
    assert {"hs_call_title", "hs_note_body", "hs_email_subject", "hs_communication_body",
            "hs_timestamp"} <= set(declared["hubspot__engagements"])
    assert "hs_merged_object_ids" in declared["hubspot__contacts"]
    assert "id" not in declared["hubspot__contacts"]  # record fields are declared apart
    assert all(len(names) == len(set(names)) for names in declared.values())
