"""Whether GitHub would accept the workflows is judged by independent tools, offline: actionlint
(expressions, context availability, what a called workflow's jobs need against what its caller
grants), GitHub's workflow schema and zizmor. A judge is only worth its verdicts, so actionlint is
also shown the two faults that once made GitHub reject every refresh and transforms run.

The rest checks the shape production depends on and no judge knows: schedules, inputs,
concurrency, pins, least privilege.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflows.github import LEVELS, WORKFLOWS, load, local_workflow, permissions

pytestmark = pytest.mark.workflows

BIN = Path(sys.executable).parent
FILES = sorted(WORKFLOWS.glob("*.yml"))
# the seed's hours (and weekday), which the schedules keep
SEED_HOURS = {"hubspot": ("2", "*"), "fitbit": ("3", "*"), "notion": ("9", "0")}
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*\s*$")


def actionlint(root: Path) -> subprocess.CompletedProcess:
    """actionlint over every workflow under ``root`` (it resolves ``$/`` paths from there)."""
    return subprocess.run([str(BIN / "actionlint"), "-no-color", "-oneline"], cwd=root,
                          capture_output=True, text=True)


def test_every_expected_workflow_exists():
    names = {f.name for f in FILES}
    assert {"refresh.yml", "transforms.yml", "run-transforms.yml", "publish-report.yml",
            "test-pipelines.yml", *(f"refresh-{s}.yml" for s in SEED_HOURS)} <= names


def test_actionlint_finds_nothing():
    done = actionlint(WORKFLOWS.parents[1])
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def _copy_workflows(tmp_path: Path) -> Path:
    """The workflows in a throwaway repository (actionlint looks for the ``.git`` beside them)."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(WORKFLOWS, tmp_path / ".github" / "workflows")
    return tmp_path / ".github" / "workflows"


def _runner_context_in_job_env(workflows: Path) -> None:
    """The job-level env reads ``runner.temp``, as refresh.yml once did."""
    path = workflows / "refresh.yml"
    anchor = "      GCP_PROJECT_ID: ${{ vars.GCP_PROJECT_ID }}\n"
    assert anchor in path.read_text()
    path.write_text(path.read_text().replace(
        anchor, anchor + "      DLT_DATA_DIR: ${{ runner.temp }}/dlt\n", 1))


def _pages_job_inside_the_called_transforms(workflows: Path) -> None:
    """The Pages deploy job back inside the transforms workflow the refreshes call, which grant
    it no ``pages: write``."""
    deploy = (workflows / "publish-report.yml").read_text().split("\njobs:\n", 1)[1]
    with (workflows / "transforms.yml").open("a") as transforms:
        transforms.write("\n" + deploy)


@pytest.mark.parametrize(("fault", "finding"), [
    (_runner_context_in_job_env,
     r'refresh\.yml:\d+:\d+: context "runner" is not allowed here'),
    (_pages_job_inside_the_called_transforms,
     r'refresh-hubspot\.yml:\d+:\d+: nested job "deploy" of "\$/\.github/workflows/transforms\.yml" '
     r'requires "pages: write" but the calling job grants "pages: none"'),
], ids=["runner-context-in-job-env", "pages-write-not-granted-by-the-caller"])
def test_actionlint_rejects_each_fault_that_once_stopped_every_run(tmp_path, fault, finding):
    workflows = _copy_workflows(tmp_path)
    assert actionlint(tmp_path).returncode == 0  # the copy is clean before the fault goes in
    fault(workflows)
    done = actionlint(tmp_path)
    assert done.returncode == 1
    assert re.search(finding, done.stdout), done.stdout + done.stderr


def test_workflows_match_the_github_workflow_schema():
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           *map(str, FILES)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing():
    # --strict-collection: a file zizmor cannot parse fails, instead of being skipped unaudited
    done = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", "--strict-collection",
                           str(WORKFLOWS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def _needs(workflow: dict) -> dict[str, int]:
    """The most each scope is needed by any job of a (called) workflow."""
    needed: dict[str, int] = {}
    for job in workflow["jobs"].values():
        for scope, level in permissions(job.get("permissions", workflow.get("permissions"))).items():
            needed[scope] = max(needed.get(scope, 0), level)
    return {scope: level for scope, level in needed.items() if level}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege_and_pinned_actions(path):
    workflow = load(path.name)
    assert workflow["permissions"] == {"contents": "read"}
    for job_id, job in workflow["jobs"].items():
        if "uses" in job:  # grants no more than the called workflow's jobs use (actionlint: no less)
            granted = {s: v for s, v in permissions(job.get("permissions")).items() if v}
            assert granted == _needs(load(local_workflow(job["uses"]))), f"{path.name} {job_id}"
            continue
        extra = {k: v for k, v in (job.get("permissions") or {}).items() if v != "read"}
        if any("actions/deploy-pages@" in step.get("uses", "") for step in job.get("steps", [])):
            assert extra == {"pages": "write", "id-token": "write"}  # the Pages deployment only
            continue
        assert extra in ({}, {"id-token": "write"})  # only Workload Identity Federation
    for line in path.read_text().splitlines():
        if re.match(r"^\s*(-\s*)?uses:\s*[\w-]+/", line):
            assert PINNED.match(line), f"{path.name}: not pinned to a commit with its version: {line}"
    assert "secrets: inherit" not in path.read_text()


def test_only_the_pages_deployment_holds_pages_write():
    holders = [(path.name, job_id) for path in FILES for job_id, job in load(path.name)["jobs"].items()
               if "steps" in job and permissions(job.get("permissions")).get("pages", 0) >= LEVELS["write"]]
    assert holders == [("publish-report.yml", "deploy")]


def cron(workflow: dict) -> list[str]:
    """The workflow's one schedule, split into its five fields."""
    (schedule,) = workflow["on"]["schedule"]
    return schedule["cron"].split()


@pytest.mark.parametrize("source", SEED_HOURS)
def test_refresh_caller_schedule_dispatch_and_jobs(source):
    workflow = load(f"refresh-{source}.yml")
    minute, hour, day, month, weekday = cron(workflow)
    # the seed's hour, off minute 0: GitHub delays or drops top-of-the-hour runs under load
    assert (hour, day, month, weekday) == (SEED_HOURS[source][0], "*", "*", SEED_HOURS[source][1])
    assert minute.isdigit() and 0 < int(minute) < 60
    dispatch_input = workflow["on"]["workflow_dispatch"]["inputs"]["force_full_refresh"]
    assert dispatch_input["type"] == "boolean" and dispatch_input["default"] is False
    jobs = workflow["jobs"]
    assert local_workflow(jobs["refresh"]["uses"]) == "refresh.yml"
    assert jobs["refresh"]["with"]["source"] == source
    assert local_workflow(jobs["transforms"]["uses"]) == "transforms.yml"
    assert jobs["transforms"]["needs"] == "refresh"  # transforms only after a successful refresh
    assert local_workflow(jobs["publish"]["uses"]) == "publish-report.yml"
    assert jobs["publish"]["needs"] == "transforms" and "PUBLISH_REPORT" in jobs["publish"]["if"]


def test_daily_transforms_run_after_the_daily_refreshes():
    minute, hour, *rest = cron(load("run-transforms.yml"))
    assert rest == ["*", "*", "*"] and int(minute) != 0
    for source in ("hubspot", "fitbit"):
        refresh_minute, refresh_hour, *_ = cron(load(f"refresh-{source}.yml"))
        assert (int(hour), int(minute)) > (int(refresh_hour), int(refresh_minute))


def _concurrency_blocks() -> list[tuple[str, dict]]:
    blocks = []
    for path in FILES:
        workflow = load(path.name)
        blocks += [(path.name, workflow["concurrency"])] if "concurrency" in workflow else []
        blocks += [(f"{path.name} {job_id}", job["concurrency"])
                   for job_id, job in workflow["jobs"].items() if "concurrency" in job]
    return blocks


def test_no_queued_run_is_dropped():
    """GitHub keeps one pending run per group and cancels the one before it unless the group says
    ``queue: max``; only the test workflow may cancel (a newer push supersedes a test run)."""
    for where, block in _concurrency_blocks():
        if where == "test-pipelines.yml":
            assert block["cancel-in-progress"] is True
            continue
        assert (block["cancel-in-progress"], block.get("queue")) == (False, "max"), where


def test_one_group_per_source_and_one_for_every_transforms_run():
    groups = [load(f"refresh-{s}.yml")["concurrency"]["group"] for s in SEED_HOURS]
    assert groups == [f"refresh-{s}" for s in SEED_HOURS]
    # every caller reaches the same transforms job, so its group orders every build: refreshes
    # that finish close together queue their builds, and the last starts after every load
    callers = {path.name for path in FILES for job in load(path.name)["jobs"].values()
               if job.get("uses", "").endswith("/transforms.yml")}
    assert callers == {*(f"refresh-{s}.yml" for s in SEED_HOURS), "run-transforms.yml"}
    (job,) = load("transforms.yml")["jobs"].values()
    assert job["concurrency"]["group"] == "transforms"
    assert "concurrency" not in load("run-transforms.yml")  # the job's group is the only one


def test_reusable_refresh_transforms_and_publish():
    refresh = load("refresh.yml")
    assert set(refresh["on"]) == {"workflow_call"}
    assert refresh["on"]["workflow_call"]["inputs"]["force_full_refresh"]["type"] == "boolean"
    steps = refresh["jobs"]["refresh"]["steps"]
    run = next(s for s in steps if s.get("name") == "Refresh")
    assert run["env"]["FORCE_FULL_REFRESH"] == "${{ inputs.force_full_refresh }}"
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert all(line.endswith("state.json") for line in upload["with"]["path"].strip().splitlines())
    transforms = load("transforms.yml")
    assert set(transforms["on"]) == {"workflow_call"}
    commands = " ".join(s.get("run", "") for s in transforms["jobs"]["transform"]["steps"])
    for part in ("prp transform build", "source freshness", "docs generate", "prp report --docs"):
        assert part in commands
    scheduled = load("run-transforms.yml")
    assert set(scheduled["on"]) == {"schedule", "workflow_dispatch"}
    assert local_workflow(scheduled["jobs"]["transforms"]["uses"]) == "transforms.yml"
    assert scheduled["jobs"]["publish"]["needs"] == "transforms"
    publish = load("publish-report.yml")
    assert set(publish["on"]) == {"workflow_call"}
    assert publish["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_tests_on_every_change_with_coverage_and_the_calendar_sweep_weekly():
    tests = load("test-pipelines.yml")
    assert "pull_request" in tests["on"] and tests["on"]["push"]["branches"] == ["main"]
    minute, _, day, month, weekday = cron(tests)
    assert (day, month) == ("*", "*") and weekday.isdigit() and int(minute) != 0  # weekly
    test, calendar = tests["jobs"]["test"], tests["jobs"]["calendar"]
    assert test["if"] == "github.event_name != 'schedule'"
    assert calendar["if"] == "github.event_name == 'schedule'"
    runs = [s["run"] for s in test["steps"] if "run" in s]
    assert any(r.startswith("env -u GITHUB_STEP_SUMMARY make test ") and "--cov=pipelines" in r
               for r in runs)
    upload = next(s for s in test["steps"] if "upload-artifact" in s.get("uses", ""))
    assert {"htmlcov/", "coverage.xml"} <= set(upload["with"]["path"].split())
    assert [s["run"] for s in calendar["steps"] if "run" in s] == [
        "env -u GITHUB_STEP_SUMMARY make test-calendar"]


def test_every_make_target_a_workflow_runs_exists():
    """A step calling a target the Makefile lacks would fail only on GitHub, after the schedule."""
    makefile = (WORKFLOWS.parents[1] / "Makefile").read_text()
    defined = set(re.findall(r"^([\w-]+):", makefile, re.MULTILINE))
    called = set()
    for path in FILES:
        for job in load(path.name)["jobs"].values():
            for step in job.get("steps", []):
                for target in re.findall(r"\bmake \"?([\w${}-]+)", step.get("run", "")):
                    called |= {target.replace("${SOURCE}", s) for s in SEED_HOURS}
    assert {"install", "test", "test-calendar", "refresh-hubspot"} <= called
    assert called <= defined, called - defined
