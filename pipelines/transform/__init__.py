"""The dbt layer: ``run_dbt`` builds the marts from the raw tables (``prp transform``).

``dbt_project`` invokes dbt, ``build`` decides what to run (and skips an unchanged build),
``record`` keeps what the last build saw, ``summary`` and ``failed_checks`` say what it did.
"""

from pipelines.transform.build import run_dbt
from pipelines.transform.dbt_project import DAILY_BUILD_ARGS, DBT_DIR

__all__ = ["DAILY_BUILD_ARGS", "DBT_DIR", "run_dbt"]
