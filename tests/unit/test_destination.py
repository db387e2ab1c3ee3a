"""The destination a run loads into resolves its capabilities' configuration once per section."""

from __future__ import annotations

import dlt
import pytest
from dlt.common.configuration import inject_section
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.common.destination import Destination

from pipelines.common.destination import destination_for
from pipelines.common.settings import load_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def resolutions(monkeypatch) -> list[bool]:
    """``accept_partial`` of every configuration dlt resolves for a destination from now on."""
    calls: list[bool] = []
    resolve = Destination.configuration

    def counted(self, initial_config, accept_partial=False):
        calls.append(accept_partial)
        return resolve(self, initial_config, accept_partial)

    monkeypatch.setattr(Destination, "configuration", counted)
    return calls


def test_capabilities_resolve_once_per_section_and_match_dlts_own(project_dir, resolutions):
    destination = destination_for(load_settings())
    first = destination.capabilities()
    destination.capabilities()
    destination.capabilities()
    assert resolutions == [True]  # dlt alone resolves on each of the three calls

    with inject_section(ConfigSectionContext(pipeline_name="prp_other_dev")):
        destination.capabilities()
    assert resolutions == [True, True]  # another pipeline's section may configure it otherwise

    plain = dlt.destinations.duckdb(str(project_dir / "warehouse.duckdb")).capabilities()
    assert first.supported_loader_file_formats == plain.supported_loader_file_formats
    assert first.preferred_loader_file_format == plain.preferred_loader_file_format
    assert first.max_identifier_length == plain.max_identifier_length


def test_a_clients_full_configuration_is_resolved_every_time(project_dir, resolutions):
    destination = destination_for(load_settings())
    for _ in range(2):
        config = destination.spec(credentials=str(project_dir / "warehouse.duckdb"))
        config.dataset_name = "dev_raw_data"
        destination.configuration(config)
    assert resolutions == [False, False]
