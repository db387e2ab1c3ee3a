"""The destination a run loads into resolves each configuration dlt asks for once per pipeline."""

from __future__ import annotations

import dlt
import pytest
from dlt.common.configuration import inject_section
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.common.destination import Destination

from pipelines.runtime.destination import destination_for
from pipelines.runtime.settings import load_settings

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


def test_capabilities_resolve_once_per_pipeline_and_match_dlts_own(project_dir, resolutions):
    destination = destination_for(load_settings())
    first = destination.capabilities()
    destination.capabilities()
    destination.capabilities()
    assert resolutions == [True]  # dlt alone resolves on each of the three calls

    with inject_section(ConfigSectionContext(pipeline_name="prp_other_dev")):
        destination.capabilities()
    assert resolutions == [True, True]  # another pipeline's section may configure it otherwise
    # a step's section (extract, normalize, load) is not part of a destination's lookup
    with inject_section(ConfigSectionContext(pipeline_name="prp_other_dev", sections=("load",))):
        destination.capabilities()
    assert resolutions == [True, True]

    plain = dlt.destinations.duckdb(str(project_dir / "warehouse.duckdb")).capabilities()
    assert first.supported_loader_file_formats == plain.supported_loader_file_formats
    assert first.preferred_loader_file_format == plain.preferred_loader_file_format
    assert first.max_identifier_length == plain.max_identifier_length


def full_config(destination, dataset_name: str):
    """A client's initial configuration, as dlt builds one before a step opens its client."""
    config = destination.spec()
    config.dataset_name = dataset_name
    return config


def test_a_full_configuration_resolves_once_per_pipeline_and_initial_values(project_dir,
                                                                              resolutions):
    destination = destination_for(load_settings())
    first = destination.configuration(full_config(destination, "dev_raw_data"))
    again = destination.configuration(full_config(destination, "dev_raw_data"))
    assert resolutions == [False] and again is first
    assert first.credentials.database == str(project_dir / "warehouse.duckdb")

    other = destination.configuration(full_config(destination, "other_raw_data"))
    assert resolutions == [False, False] and other.dataset_name == "other_raw_data"
    with inject_section(ConfigSectionContext(pipeline_name="prp_other_dev")):
        destination.configuration(full_config(destination, "dev_raw_data"))
    assert resolutions == [False, False, False]

    # a load job's configuration already holds resolved credentials: resolved as dlt does
    for _ in range(2):
        destination.configuration(first.copy())
    assert resolutions == [False, False, False, False, False]


def test_a_new_destination_resolves_again(project_dir, resolutions, monkeypatch):
    """One destination per run: a setting changed before the next run is seen by it."""
    settings = load_settings()
    destination_for(settings).configuration(full_config(destination_for(settings), "dev_raw_data"))
    monkeypatch.setenv("DESTINATION__DUCKDB__CREATE_INDEXES", "true")
    destination = destination_for(settings)
    assert destination.configuration(full_config(destination, "dev_raw_data")).create_indexes
    assert resolutions == [False, False]
