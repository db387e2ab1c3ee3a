"""A loaded workspace copied into another test's project directory instead of loaded again.

A first full load costs a test seconds of CPU. Tests that all start from the same load (the same
sandbox profile, seed and clock) can take it once per module and copy it: the DuckDB file and
dlt's working directory. ``Settings.state_dir`` keys that directory by the warehouse's path, so
the copy is put under the key of the test's own warehouse. The sandbox is not part of it: each
test starts its own, with the same profile, seed and clock, so both sides agree.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

WAREHOUSE_FILES = ("", ".wal")  # the DuckDB file and a write-ahead log, if one is left


@dataclass(frozen=True)
class WorkspaceSnapshot:
    """A copy of a project's warehouse and dlt state, kept in ``directory``."""

    directory: Path

    @classmethod
    def take(cls, directory: Path) -> WorkspaceSnapshot:
        """Copy the current project's warehouse and dlt state (settings from the environment)."""
        from pipelines.runtime.settings import load_settings

        settings = load_settings()
        directory.mkdir(parents=True, exist_ok=True)
        for suffix in WAREHOUSE_FILES:
            source = Path(f"{settings.duckdb_path}{suffix}")
            if source.exists():
                shutil.copy2(source, directory / f"warehouse.duckdb{suffix}")
        shutil.copytree(settings.state_dir, directory / "state")
        return cls(directory)

    def restore(self) -> None:
        """Put the copy in place as the current project's warehouse and dlt state."""
        from pipelines.runtime.settings import load_settings

        settings = load_settings()
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in WAREHOUSE_FILES:
            copy = self.directory / f"warehouse.duckdb{suffix}"
            if copy.exists():
                shutil.copy2(copy, f"{settings.duckdb_path}{suffix}")
        shutil.copytree(self.directory / "state", settings.state_dir, dirs_exist_ok=True)
