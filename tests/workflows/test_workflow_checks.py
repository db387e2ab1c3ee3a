"""The workflows validate against GitHub's schema, pass zizmor with no findings (both offline)
and keep the shape production depends on: schedules, inputs, concurrency, pins, permissions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflows.github import WORKFLOWS, load, local_workflow

pytestmark = pytest.mark.workflows

BIN = Path(sys.executable).parent
FILES = sorted(WORKFLOWS.glob("*.yml"))
SCHEDULES = {"hubspot": "0 2 * * *", "fitbit": "0 3 * * *", "notion": "0 9 * * 0"}
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*\s*$")


def test_every_expected_workflow_exists():
    names = {f.name for f in FILES}
    assert {"refresh.yml", "run-transforms.yml", "test-pipelines.yml",
            *(f"refresh-{s}.yml" for s in SCHEDULES)} <= names


def test_workflows_match_the_github_workflow_schema():
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           *map(str, FILES)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing():
    done = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", str(WORKFLOWS)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege_and_pinned_actions(path):
    workflow = load(path.name)
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        extra = {k: v for k, v in (job.get("permissions") or {}).items() if v != "read"}
        if any("actions/deploy-pages@" in step.get("uses", "") for step in job.get("steps", [])):
            assert extra == {"pages": "write", "id-token": "write"}  # the Pages deployment only
            continue
        assert extra in ({}, {"id-token": "write"})  # only Workload Identity Federation
    for line in path.read_text().splitlines():
        if re.match(r"^\s*(-\s*)?uses:\s*[\w-]+/", line):
            assert PINNED.match(line), f"{path.name}: not pinned to a commit with its version: {line}"
    assert "secrets: inherit" not in path.read_text()


@pytest.mark.parametrize("source", SCHEDULES)
def test_refresh_caller_schedules_dispatch_concurrency_and_transforms(source):
    workflow = load(f"refresh-{source}.yml")
    assert workflow["on"]["schedule"] == [{"cron": SCHEDULES[source]}]
    dispatch_input = workflow["on"]["workflow_dispatch"]["inputs"]["force_full_refresh"]
    assert dispatch_input["type"] == "boolean" and dispatch_input["default"] is False
    assert workflow["concurrency"] == {"group": f"refresh-{source}", "cancel-in-progress": False}
    refresh, transforms = workflow["jobs"]["refresh"], workflow["jobs"]["transforms"]
    assert local_workflow(refresh["uses"]) == "refresh.yml"
    assert refresh["with"]["source"] == source
    assert local_workflow(transforms["uses"]) == "run-transforms.yml"
    assert transforms["needs"] == "refresh"  # transforms only after a successful refresh


def test_concurrency_groups_are_one_per_source():
    groups = [load(f"refresh-{s}.yml")["concurrency"]["group"] for s in SCHEDULES]
    assert len(set(groups)) == len(groups)


def test_reusable_refresh_and_transforms():
    refresh = load("refresh.yml")
    assert set(refresh["on"]) == {"workflow_call"}
    assert refresh["on"]["workflow_call"]["inputs"]["force_full_refresh"]["type"] == "boolean"
    steps = refresh["jobs"]["refresh"]["steps"]
    run = next(s for s in steps if s.get("name") == "Refresh")
    assert run["env"]["FORCE_FULL_REFRESH"] == "${{ inputs.force_full_refresh }}"
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert all(line.endswith("state.json") for line in upload["with"]["path"].strip().splitlines())
    transforms = load("run-transforms.yml")
    assert {"workflow_call", "schedule"} <= set(transforms["on"])
    assert transforms["on"]["schedule"] == [{"cron": "0 4 * * *"}]
    commands = " ".join(s.get("run", "") for s in transforms["jobs"]["transform"]["steps"])
    for part in ("prp transform build", "source freshness", "docs generate", "prp report --docs"):
        assert part in commands
    publish = transforms["jobs"]["publish"]  # report + dbt docs to GitHub Pages, when enabled
    assert publish["needs"] == "transform" and "PUBLISH_REPORT" in publish["if"]
    assert publish["environment"]["name"] == "github-pages"
    tests = load("test-pipelines.yml")
    assert "pull_request" in tests["on"] and tests["on"]["push"]["branches"] == ["main"]
    assert any(s.get("run") == "make test" for s in tests["jobs"]["test"]["steps"])
