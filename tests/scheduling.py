"""How ``make test`` spreads test modules over pytest-xdist workers.

As ``--dist loadfile`` (a module is one unit of work, so its fixtures are set up once), with two
changes: the modules that read the session's demo warehouse are a single unit, so one worker
builds it for all of them; and the units known to be slowest start first, so no long module
starts last and runs alone while the other workers sit idle.
"""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

# modules reading the session-scoped ``demo_warehouse`` fixture (tests/conftest.py)
SHARED_UNITS = {
    "tests/dbt/test_marts_truth.py": "demo-warehouse",
    "tests/browser/test_report.py": "demo-warehouse",
    "tests/dbt/test_hubspot_staging.py": "demo-warehouse",
    "tests/dbt/test_fitbit_staging.py": "demo-warehouse",
    "tests/integration/test_review.py": "demo-warehouse",
    "tests/browser/test_review.py": "demo-warehouse",
}

# slowest first (wall time per module in a whole run); a module not named runs after these, in
# path order. The demo-warehouse unit is named by its first module.
SLOW_FIRST = [
    "tests/bigquery/test_bigquery_emulator.py",
    "tests/integration/test_hubspot_pipeline.py",
    "tests/dbt/test_any_subset_of_sources.py",
    "tests/dbt/test_hubspot_engagement_subsets.py",
    "tests/dbt/test_marts_truth.py",
    "tests/integration/test_notion_pipeline.py",
    "tests/workflows/test_refresh_steps.py",
    "tests/workflows/test_transforms_steps.py",
    "tests/integration/test_transform_skips_unchanged.py",
    "tests/integration/test_fitbit_pipeline.py",
    "tests/integration/test_privacy.py",
    "tests/reliability/test_no_secret_at_debug.py",
    "tests/reliability/test_cursors.py",
    "tests/reliability/test_interrupts.py",
    "tests/reliability/test_warehouse_state.py",
    "tests/integration/test_doctor.py",
    "tests/reliability/test_faults.py",
    "tests/dbt/test_bigquery_compile.py",
    "tests/integration/test_notion_staging.py",
    "tests/dbt/test_own_notion_workspace.py",
    "tests/integration/test_secret_manager.py",
]


def run_order(nodeid: str) -> int:
    """A test's place in the run: its module's place in ``SLOW_FIRST`` (sort is stable)."""
    module = nodeid.split("::", 1)[0]
    return SLOW_FIRST.index(module) if module in SLOW_FIRST else len(SLOW_FIRST)


class ModuleScheduling(LoadFileScheduling):
    """One unit per module, except the shared units; units handed out in collection order."""

    def __init__(self, config, log=None):
        config.option.loadscopereorder = False  # keep the slowest-first collection order
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        module = super()._split_scope(nodeid)
        return SHARED_UNITS.get(module, module)
