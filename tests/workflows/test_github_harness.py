"""The step runner of ``tests/workflows/github.py`` refuses what GitHub refuses, so the run-steps
tests cannot pass on a workflow GitHub would reject: each of today's two faults, put back into a
copy of the workflows, stops them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.workflows.github import (
    WORKFLOWS,
    called_job,
    contexts_read,
    expand,
    read_env_file,
    run_steps,
)

pytestmark = pytest.mark.workflows


def test_a_runner_context_in_a_job_level_env_fails_and_is_allowed_in_a_step():
    contexts = {"runner.temp": "/tmp/runner"}
    with pytest.raises(AssertionError, match="does not make the context runner available"):
        expand("${{ runner.temp }}/dlt", contexts, "jobs.<job_id>.env")
    assert expand("${{ runner.temp }}/dlt", contexts, "jobs.<job_id>.steps.env") == "/tmp/runner/dlt"
    # a job whose env reads runner.temp does not run a single step
    job = {"env": {"DLT_DATA_DIR": "${{ runner.temp }}/dlt"}, "steps": [{"run": "true"}]}
    with pytest.raises(AssertionError, match="runner"):
        run_steps(job, contexts, {}, {}, runner_temp=Path("/tmp/unused"))


def test_contexts_are_read_outside_string_literals():
    assert contexts_read("inputs.force_full_refresh == true") == {"inputs"}
    assert contexts_read("vars.PUBLISH_REPORT == 'runner.temp'") == {"vars"}
    assert contexts_read("github.event.inputs['x'] && steps.a.outputs.b") == {"github", "steps"}


def test_an_expression_the_test_does_not_provide_fails():
    with pytest.raises(AssertionError, match="does not know the expression"):
        expand("${{ vars.SOMETHING }}", {}, "jobs.<job_id>.steps.run")


def test_a_caller_granting_less_than_the_called_jobs_need_fails(tmp_path):
    workflows = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, workflows)
    job, _ = called_job("refresh-hubspot.yml", "publish", "deploy", workflows)
    assert "steps" in job
    # today's fault: the Pages job nested in the workflow whose callers grant no pages: write
    deploy = (workflows / "publish-report.yml").read_text().split("\njobs:\n", 1)[1]
    with (workflows / "transforms.yml").open("a") as transforms:
        transforms.write("\n" + deploy)
    with pytest.raises(AssertionError, match=r"job transforms does not grant .*deploy needs pages: write"):
        called_job("refresh-hubspot.yml", "transforms", "transform", workflows)


def test_steps_see_what_earlier_steps_wrote_to_github_env_and_each_writes_its_summary(tmp_path):
    job = {"steps": [
        {"name": "set", "run": 'echo "WHERE=$RUNNER_TEMP/x" >> "$GITHUB_ENV"\n'
                               'printf "NOTE<<EOF\\na\\nb\\nEOF\\n" >> "$GITHUB_ENV"\n'
                               'echo "### one" >> "$GITHUB_STEP_SUMMARY"'},
        {"name": "skipped", "if": "vars.ON == 'true'", "run": "exit 1"},
        {"name": "use", "run": 'test "$WHERE" = "$RUNNER_TEMP/x"; echo "$NOTE" >> "$GITHUB_STEP_SUMMARY"'},
    ]}
    run = run_steps(job, {"vars.ON == 'true'": "false"}, {"PATH": "/usr/bin:/bin"}, {},
                    runner_temp=tmp_path)
    assert [s.name for s in run.steps] == ["set", "use"] and run.succeeded, run.output
    assert run.summary == "### one\na\nb\n"


def test_read_env_file_reads_both_forms(tmp_path):
    path = tmp_path / "env"
    path.write_text("A=1\nB=x=y\nC<<END\nline 1\nline 2\nEND\nD=4\n")
    assert read_env_file(path) == {"A": "1", "B": "x=y", "C": "line 1\nline 2", "D": "4"}
