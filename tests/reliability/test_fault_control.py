"""Faults can be injected into a served sandbox by hand: `prp sandbox serve --faults` and the
`/_sandbox/faults` control endpoint on each stand-in's origin."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from pipelines.cli import main as prp
from pipelines.sources.hubspot import refresh_hubspot
from tests.conftest import python_env
from tests.reliability.conftest import assert_nothing_lost

pytestmark = pytest.mark.integration


def test_control_endpoint_injects_shows_and_clears_faults(project_dir, sandbox):
    box = sandbox("hubspot")
    control = box.url("hubspot") + "/_sandbox/faults"
    answer = requests.post(control, json={"kind": "server_error", "count": 2, "status": 502}, timeout=10)
    assert answer.status_code == 200 and answer.json()["pending"] == 2
    refresh_hubspot()
    assert requests.get(control, timeout=10).json() == {"pending": 0, "fired": 2,
                                                        "kinds": answer.json()["kinds"]}
    requests.post(control, json={"kind": "drop", "count": 5}, timeout=10)
    assert requests.delete(control, timeout=10).json()["pending"] == 0
    assert requests.post(control, json={"kind": "bogus"}, timeout=10).status_code == 400
    assert_nothing_lost(project_dir, box)


def test_serve_with_faults_injects_them_before_serving(project_dir):
    served = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "sandbox", "serve", "--profile", "small",
         "--faults", "hubspot:rate_limit:8:/search", "--faults", "notion:drop:2"],
        cwd=project_dir, stdout=subprocess.PIPE, text=True, env=python_env())
    try:
        env = {}
        for line in served.stdout:
            if line.startswith("  export "):
                key, value = line.split("export ", 1)[1].strip().split("=", 1)
                env[key] = value
            if line.startswith("Ctrl-C"):
                break
        hubspot = requests.get(env["SOURCES__HUBSPOT__BASE_URL"] + "/_sandbox/faults", timeout=10)
        notion = requests.get(env["SOURCES__NOTION__BASE_URL"] + "/_sandbox/faults", timeout=10)
        assert hubspot.json()["pending"] == 8 and notion.json()["pending"] == 2
    finally:
        served.send_signal(signal.SIGINT)
        try:
            served.wait(timeout=30)
        finally:
            served.kill()  # never left serving after a failure (kill after exit is a no-op)


def test_serve_with_a_bad_fault_exits_2(project_dir, capsys):
    assert prp(["sandbox", "serve", "--profile", "small", "--faults", "hubspot:meltdown"]) == 2
    assert "meltdown" in capsys.readouterr().out
