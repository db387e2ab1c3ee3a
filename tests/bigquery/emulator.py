"""A third-party BigQuery API on this machine: PyPI ``bqemulator``, in its own environment.

``install()`` builds that environment once, from ``requirements-emulator.txt`` (every package
pinned), into ``.bigquery-emulator/`` (git-ignored): a virtual environment made with uv, and a
HOME of its own holding DuckDB's ``spatial`` extension, which the emulator loads at start and
would otherwise try to download. ``make test`` runs it (``python -m tests.bigquery.emulator``);
the test module runs it too, so a plain ``pytest`` works from a fresh clone. Nothing is
downloaded at run time beyond the package registry during the install.

``running_emulator()`` starts it on free loopback ports and stops it after; ``token_endpoint()``
and ``service_account_key()`` give Google's auth libraries (dlt, dbt, the doctor) a token the
emulator accepts, without any Google server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).resolve().parent / "requirements-emulator.txt"
HOME = REPO / ".bigquery-emulator"
VENV = HOME / "venv"
EMULATOR_HOME = HOME / "home"  # DuckDB keeps its extensions under $HOME/.duckdb
MARKER = HOME / "installed.sha256"  # written last: the requirements an install completed
PROJECT = "local-project"
START_TIMEOUT_SECONDS = 60


class EmulatorUnavailable(RuntimeError):
    """The emulator's environment could not be built or the emulator did not start."""


def _requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()


def is_installed() -> bool:
    """Whether the environment matches the pinned requirements (and this Python)."""
    return MARKER.exists() and MARKER.read_text().strip() == _requirements_digest()


def _uv() -> list[str]:
    """The uv command: ``PRP_UV`` (the Makefile's), else ``uv`` on PATH, else ``python -m uv``."""
    if os.environ.get("PRP_UV"):
        return os.environ["PRP_UV"].split()
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def _run(argv: list[str], **kwargs) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise EmulatorUnavailable(f"{' '.join(argv[:4])} ... failed ({done.returncode}):\n"
                                  f"{(done.stdout + done.stderr)[-2000:]}")


def install() -> Path:
    """Build the emulator's environment unless it is there already; its folder."""
    if is_installed():
        return HOME
    shutil.rmtree(HOME, ignore_errors=True)  # a half-built one from an interrupted install
    EMULATOR_HOME.mkdir(parents=True)
    # the base interpreter, not the project's venv: the emulator's venv must not see its packages
    python = getattr(sys, "_base_executable", None) or sys.executable
    _run([*_uv(), "venv", "--quiet", "--python", python, str(VENV)])
    _run([*_uv(), "pip", "sync", "--quiet", "--python", str(VENV / "bin" / "python"), str(REQUIREMENTS)])
    # the spatial extension from its wheel into this HOME, so the emulator never downloads it
    _run([str(VENV / "bin" / "python"), "-c",
          "import duckdb, duckdb_extensions; "
          "duckdb_extensions.import_extension('spatial', con=duckdb.connect())"],
         env={"PATH": os.environ.get("PATH", ""), "HOME": str(EMULATOR_HOME)})
    MARKER.write_text(_requirements_digest())
    return HOME


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop_with_parent() -> None:
    """In the emulator's process before it starts: a test process killed outright (no
    ``finally``) takes the emulator with it (Linux; elsewhere the ``finally`` alone)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@contextlib.contextmanager
def running_emulator(log_path: Path) -> Iterator[str]:
    """The emulator on free loopback ports (in memory), ready; its REST origin. Stopped after.

    Its environment is its own: not this process's PYTHONPATH (the tests' clock start-up hook
    lives there, and the emulator's Python lacks time-machine); its clock does not matter, as
    dbt passes "now" into the SQL (``dbt/macros/cross_db/current_timestamp.sql``).
    """
    install()
    url = f"http://127.0.0.1:{free_port()}"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(EMULATOR_HOME),
           # no attempt to download the avro extension at start
           "BQEMU_ENABLE_FORMAT_EXTENSIONS": "false"}
    argv = [str(VENV / "bin" / "bqemulator"), "start", "--rest-port", url.rsplit(":", 1)[1],
            "--grpc-port", str(free_port()), "--project", PROJECT, "--log-level", "warning"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=_stop_with_parent)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise EmulatorUnavailable(f"bqemulator did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class _TokenHandler(BaseHTTPRequestHandler):
    """Google's OAuth token endpoint as a service account sees it: any grant gets a token."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"access_token": "emulator-token", "expires_in": 3600,
                           "token_type": "Bearer"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def token_endpoint() -> Iterator[str]:
    """A loopback token endpoint (the emulator accepts any token); its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token"
    finally:
        server.shutdown()
        server.server_close()


def service_account_key(path: Path, token_uri: str) -> Path:
    """A throwaway service-account key whose tokens come from ``token_uri``."""
    from tests.dbt.test_bigquery_compile import throwaway_service_account_key

    throwaway_service_account_key(path)
    key = json.loads(path.read_text())
    key.update(project_id=PROJECT, token_uri=token_uri)
    path.write_text(json.dumps(key))
    return path


def emulator_env(url: str, keyfile: Path) -> dict[str, str]:
    """What points the project (dlt, dbt, google-cloud-bigquery) at the emulator."""
    return {
        "PRP__DESTINATION": "bigquery",
        "BIGQUERY_EMULATOR_HOST": url,
        "GOOGLE_APPLICATION_CREDENTIALS": str(keyfile),
        "GCP_PROJECT_ID": PROJECT,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        # the emulator does not gunzip load files, and dlt always compresses its state table's
        "NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION": "true",
    }


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m tests.bigquery.emulator install")
    started = time.monotonic()
    already = is_installed()
    install()
    print(f"BigQuery emulator environment in {HOME}"
          + ("" if already else f" (installed in {time.monotonic() - started:.1f} s)"))
