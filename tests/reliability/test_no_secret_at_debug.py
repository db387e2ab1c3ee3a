"""No secret at any log level: every command, at debug level, secrets from Secret Manager, right
and wrong keys; nothing the sandbox issued (nor the wrong keys) is in any output or any file.

Problem (issue 25, item 1): with RUNTIME__LOG_LEVEL=DEBUG every `prp refresh` printed the Notion
and HubSpot keys in clear (dlt's request lines, ``headers={'Authorization': 'Bearer ...'}``),
keys read from Secret Manager included. Each command runs as its own process, as a person or a
workflow runs it, so the output scanned is everything it wrote to stdout and stderr. Left out:
`prp demo` and `prp sandbox serve`, which serve the sandbox's own keys and no one else's (the
authorisation waits one second for a browser that never comes, and fails).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import run_prp
from tests.gcp_sandbox import move_secrets_to_secret_manager

pytestmark = pytest.mark.integration

WRONG = {  # plausible keys of the right shape that the sandbox does not accept
    "sources-notion": '[sources.notion]\napi_key = "ntn_wrongkey_000000000000000000000000"\n',
    "sources-hubspot": '[sources.hubspot]\napi_key = "pat-na1-wrongkey-0000-0000-000000000000"\n',
}
WRONG_CLIENT_SECRET = "GOCSPX-wrongsecret-000000000000"


def _duckdb_text(path: Path) -> str:
    """Every value of every table in a DuckDB file, as text (DuckDB compresses what it stores,
    so the raw bytes would not show a secret)."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE'").fetchall()
        return "\n".join(repr(con.execute(f'select * from "{schema}"."{table}"').fetchall())
                         for schema, table in tables)


def file_text(path: Path) -> str:
    """A file's content as a person could read it: gunzipped, parquet read back, DuckDB queried."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PAR1":
        import pyarrow as pa
        import pyarrow.parquet as pq

        return repr(pq.read_table(pa.BufferReader(data)).to_pylist())
    if data[8:12] == b"DUCK":
        return _duckdb_text(path)
    return data.decode("utf-8", errors="replace")


def secrets_found(text: str, secrets: list[str]) -> list[str]:
    return [secret[:12] + "..." for secret in secrets if secret in text]


def test_every_command_at_debug_level_prints_and_stores_no_secret(project_dir, sandbox,
                                                                 monkeypatch):
    box = sandbox("notion", "hubspot", "google", "secretmanager")
    move_secrets_to_secret_manager(box, monkeypatch)
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "DEBUG")
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE")  # dbt's debug log file is written and scanned too
    outputs: dict[str, str] = {}
    for argv, expected in ((("refresh", "all"), {0}), (("transform",), {0}), (("report",), {0}),
                           (("status",), {0}), (("privacy",), {0}), (("doctor",), {0}),
                           # reads its client from Secret Manager, then no browser answers (1)
                           (("auth", "fitbit", "--no-browser", "--timeout", "1"), {1})):
        code, outputs[" ".join(argv)] = run_prp(project_dir, *argv)
        assert code in expected, (argv, outputs[" ".join(argv)][-3000:])

    vault = box.app("secretmanager")
    wrong = {**WRONG, "sources-fitbit": vault.value("sources-fitbit").replace(
        box.app("google").oauth.client_secret, WRONG_CLIENT_SECRET)}
    for name, fragment in wrong.items():
        vault.put(name, fragment)
    for argv in (("refresh", "all"), ("doctor",)):  # the commands that use the keys
        code, outputs["wrong keys: " + " ".join(argv)] = run_prp(project_dir, *argv)
        assert code == 2, outputs["wrong keys: " + " ".join(argv)][-3000:]

    secrets = [box.app("notion").token, box.app("hubspot").token, *box.app("google").oauth.issued(),
               *(fragment.split('"')[1] for fragment in WRONG.values()), WRONG_CLIENT_SECRET]
    secrets = [s for s in secrets if len(s) >= 8]
    # the debug lines that used to carry the keys are there, masked
    assert "Bearer ***" in outputs["refresh all"] and "Bearer ***" in outputs["wrong keys: refresh all"]
    assert "DEBUG" in outputs["refresh all"]
    leaks = {command: found for command, out in outputs.items()
             if (found := secrets_found(out, secrets))}
    files = [p for p in project_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.name == "dbt.log" for p in files)
    leaks |= {str(p.relative_to(project_dir)): found for p in files
              if (found := secrets_found(file_text(p), secrets))}
    assert leaks == {}
