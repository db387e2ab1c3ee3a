"""Each registered source describes itself once, in its package's ``SPEC``: the checks here keep
the specs consistent with each other and with the names the rest of the project expects."""

from __future__ import annotations

import pytest

from pipelines.sources import SOURCE_MODULES, feeding, labels, privacy_defaults, specs

pytestmark = pytest.mark.unit


def test_the_built_in_sources_in_order():
    assert [spec.name for spec in specs()] == list(SOURCE_MODULES)
    assert len(set(labels().values())) == len(specs())


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec.name)
def test_a_spec_names_its_own_tables_and_rules(spec):
    assert spec.refresh.__name__ == f"refresh_{spec.name}"
    assert spec.tables and all(table.startswith(f"{spec.name}__") for table in spec.tables)
    assert set(spec.privacy.cloud) <= set(spec.tables)
    assert set(spec.privacy.value_tables) <= set(spec.tables)
    assert {table for pair in spec.privacy.follows.items() for table, _ in pair} <= set(spec.tables)
    assert spec.marts and spec.connect and callable(spec.doctor)


def test_no_two_sources_feed_the_same_mart():
    marts = [mart for spec in specs() for mart in spec.marts]
    assert len(marts) == len(set(marts))
    assert all(feeding(mart) == (spec.name,) for spec in specs() for mart in spec.marts)


def test_the_privacy_defaults_are_each_specs():
    assert privacy_defaults() == {spec.name: spec.privacy for spec in specs()}
