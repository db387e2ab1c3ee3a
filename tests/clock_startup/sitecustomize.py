"""Python runs this at start-up when the tests put this folder on PYTHONPATH: a process the
tests start (``prp``, dbt, a workflow step) sees the test's shifted clock (tests/process_clock.py)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_prp_process_clock", Path(__file__).resolve().parent.parent / "process_clock.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
_module.shift_from_environment()
