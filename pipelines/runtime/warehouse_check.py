"""Is the DuckDB warehouse file whole? Read every block once before a command trusts it.

DuckDB reads a block only when a query needs it, and checks its checksum then. A file damaged in
the middle (a disk error, a copy cut short, another tool writing into it) therefore went
unnoticed by `prp refresh` and `prp status`, which read only a few blocks, until `prp transform`
failed with a traceback. Reading every table in full (tens of milliseconds for a personal
warehouse) finds it before anything is written, and the command stops naming the file.

The check is skipped when the file is exactly as this project last left it or last found it
whole (same inode, size and modification time, recorded next to the warehouse's lock file):
damage made by anything else changes at least the modification time.

DuckDB's own connection, not the warehouse reader's: the check reads DuckDB's blocks through
DuckDB-only SQL, often on the native connection the runner holds, and must see DuckDB's own
error for a damaged file before dlt wraps it into one about credentials.
"""

from __future__ import annotations

import os
from typing import Any

from pipelines.runtime.errors import PipelineError
from pipelines.runtime.settings import Settings
from pipelines.runtime.warehouse_errors import damaged_file_message


def _record_file(settings: Settings):
    return settings.lock_file.with_suffix(".whole")


def _fingerprint(settings: Settings) -> str | None:
    try:
        stat = os.stat(settings.duckdb_path)
    except OSError:
        return None
    return f"{stat.st_ino} {stat.st_size} {stat.st_mtime_ns}"


def remember_whole(settings: Settings) -> None:
    """Record the warehouse file as whole, as it is now (after a check or a successful run)."""
    fingerprint = _fingerprint(settings)
    if settings.destination != "duckdb" or fingerprint is None:
        return
    try:
        _record_file(settings).write_text(fingerprint)
    except OSError:
        pass  # only an optimisation: the next command checks the file again


def _unchanged(settings: Settings) -> bool:
    try:
        return _record_file(settings).read_text() == _fingerprint(settings)
    except OSError:
        return False


def read_every_block(connection: Any) -> None:
    """Read every value of every table (DuckDB verifies each block's checksum as it reads)."""
    tables = connection.execute(
        "select database_name, schema_name, table_name from duckdb_tables() "
        "where not internal").fetchall()
    for database, schema, table in tables:
        # hashing the whole row keeps every column in the scan; count(*) alone reads no data
        connection.execute(f'select count(*), bit_xor(hash(t)) from "{database}"."{schema}".'
                           f'"{table}" as t').fetchall()


def check_whole(settings: Settings, connection: Any = None) -> None:
    """Raise ``PipelineError`` naming the DuckDB file when it is damaged (exit code 1).

    Uses ``connection`` when the caller holds one; otherwise opens the file for the check. A
    file that cannot be opened for another reason (held by another process) is left to the
    command's own error.
    """
    if settings.destination != "duckdb" or not settings.duckdb_path.exists() or _unchanged(settings):
        return
    import duckdb

    try:
        if connection is not None:
            read_every_block(connection)
        else:
            with duckdb.connect(str(settings.duckdb_path)) as own:
                read_every_block(own)
    except duckdb.Error as exc:
        message = damaged_file_message(exc, settings.duckdb_path)
        if message:
            raise PipelineError(message) from None
        return
    remember_whole(settings)
