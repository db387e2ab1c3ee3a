"""Each refresh workflow's ``run:`` steps, run in order against the sandbox into DuckDB.

The job is reached as GitHub reaches it: from ``refresh-<source>.yml``'s calling job, which must
grant what the reusable workflow's jobs need, with the caller's inputs; an expression reading a
context GitHub does not offer where it stands fails the test (``tests/workflows/github.py``).

The Google authentication step is replaced by the Secret Manager stand-in: the API keys, the
Fitbit client and its refresh token live there in the documented layout and nowhere else. The
destination is DuckDB instead of BigQuery; everything else is the workflow's own environment.
Every run starts with empty working directories (``RUNNER_TEMP``), as a fresh GitHub runner
does: Fitbit's second run proves the workflow resumes from the warehouse, and its rotating
token survives three runners. Each run's job summary is what the Actions tab would show.
"""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from tests.conftest import duckdb_rows
from tests.gcp_sandbox import REFRESH_TOKEN_SECRET, files_containing, move_secrets_to_secret_manager
from tests.workflows.github import Run, called_job, environment, expand, load, run_steps

pytestmark = [pytest.mark.workflows, pytest.mark.integration]

APIS = {"hubspot": "hubspot", "notion": "notion", "fitbit": "google"}
TABLES = {"hubspot": "hubspot__contacts", "notion": "notion__pages", "fitbit": "fitbit__sleep"}


def caller_inputs(source: str, force_full_refresh: bool) -> tuple[dict, dict[str, str]]:
    """The reusable workflow's job and its ``inputs``, as ``refresh-<source>.yml`` calls it."""
    caller = load(f"refresh-{source}.yml")["jobs"]["refresh"]
    dispatch = {"inputs.force_full_refresh == true": str(force_full_refresh).lower()}
    inputs = {name: expand(value, dispatch, "jobs.<job_id>.with.<with_id>")
              for name, value in caller["with"].items()}
    job, _ = called_job(f"refresh-{source}.yml", "refresh", "refresh")
    return job, inputs


def input_contexts(inputs: dict[str, str]) -> dict[str, str]:
    """The ``inputs.<name>`` expressions of the reusable workflow, from its caller's values."""
    return {f"inputs.{k}": v for k, v in inputs.items()}


def run_refresh_workflow(source: str, box, runner_temp: Path,
                         force_full_refresh: bool = False) -> tuple[Run, list[Path]]:
    """Run the workflow's run: steps once on a fresh runner; returns the run and the artifacts."""
    job, inputs = caller_inputs(source, force_full_refresh)
    runner_temp.mkdir(parents=True)
    contexts = input_contexts(inputs) | {
        "vars.GCP_PROJECT_ID": box.app("secretmanager").project_id,
        "runner.temp": str(runner_temp),
    }
    run = run_steps(job, contexts, environment(), overrides={"PRP__DESTINATION": "duckdb"},
                    runner_temp=runner_temp)
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    artifacts = [Path(p) for pattern in expand(upload["with"]["path"], contexts,
                                               "jobs.<job_id>.steps.with").split()
                 for p in glob.glob(pattern, recursive=True)]
    return run, artifacts


def table_rows(project_dir: Path, source: str) -> int:
    """Rows in the source's main raw table."""
    return duckdb_rows(project_dir / "warehouse.duckdb",
                       f"select count(*) from dev_raw_data.{TABLES[source]}")[0][0]


def assert_succeeded(run: Run) -> str:
    assert run.succeeded, run.output[-4000:]
    return run.output


def md(text: str) -> str:
    """``text`` as the job summary writes it (Markdown punctuation escaped)."""
    return text.replace("_", r"\_")


@pytest.mark.parametrize("source", list(APIS))
def test_refresh_workflow_steps_run_on_fresh_runners(source, project_dir, start, monkeypatch):
    box = start(apis=(APIS[source], "secretmanager"))
    moved = move_secrets_to_secret_manager(box, monkeypatch)
    api = box.app(APIS[source])
    if source == "fitbit":
        api.oauth.rotate = api.oauth.reject_used = True  # the hard case: tokens rotate
    if source == "hubspot":
        api.modes.missing_scopes = {"sales-email-read"}  # a warning the summary must show

    first, artifacts = run_refresh_workflow(source, box, project_dir / "runner-1")
    output = assert_succeeded(first)
    assert "refresh mode incremental" in output
    rows = table_rows(project_dir, source)
    assert rows > 0
    assert artifacts and all(p.name == "state.json" for p in artifacts)
    first_requests = sum(api.counts.values())

    # the job summary: what was loaded, from how many requests, and what went wrong
    summary = first.summary
    assert summary.startswith(f"### Refresh {source}: incremental, ")
    assert f"| {md(TABLES[source])} | {rows:,} |" in summary  # a first load: every row is new
    assert f"{first_requests:,} requests (0 retried)" in summary
    if source == "hubspot":
        assert "- hubspot: skipped emails" in summary and "sales-email-read" in summary
    else:
        assert "No warnings." in summary

    second = full = Run()
    # Fitbit, whose refresh token rotates, goes on to two more fresh runners: the token must
    # survive each. The second resumes from the warehouse (every source's resume from an empty
    # working directory is checked in tests/reliability/test_warehouse_state.py); the third is a
    # forced full refresh (every caller passing that input on is checked below without running)
    if source == "fitbit":
        api.reset_counts()
        second, _ = run_refresh_workflow(source, box, project_dir / "runner-2")
        assert_succeeded(second)
        assert sum(api.counts.values()) < first_requests  # resumed from the warehouse's state
        assert table_rows(project_dir, source) == rows
        full, _ = run_refresh_workflow(source, box, project_dir / "runner-3", force_full_refresh=True)
        assert "refresh mode full" in assert_succeeded(full)
        assert full.summary.startswith("### Refresh fitbit: full refresh, ")
        assert table_rows(project_dir, source) == rows

    secrets = list(moved.values())
    if source == "fitbit":
        secrets += api.oauth.issued()
        vault = box.app("secretmanager")
        live = [t for t, g in api.oauth.refresh_tokens.items() if not g.used]
        assert vault.value(REFRESH_TOKEN_SECRET) == live[0]  # the newest token survived 3 runners
    logs = "\n".join(run.output + run.summary for run in (first, second, full))
    assert not [s for s in secrets if len(s) >= 8 and s in logs]
    assert not files_containing(project_dir, secrets)  # state, artifacts, summaries, warehouse


def test_a_failed_refresh_says_why_in_the_job_summary(project_dir, start, monkeypatch):
    box = start(apis=("hubspot", "secretmanager"))
    move_secrets_to_secret_manager(box, monkeypatch)
    box.app("secretmanager").put("sources-hubspot", "[sources.hubspot]\n")  # the key is missing
    run, _ = run_refresh_workflow("hubspot", box, project_dir / "runner")
    assert not run.succeeded and run.steps[-1].name == "Refresh"
    assert run.summary.startswith("### prp refresh failed\n")
    assert "api\\_key" in run.summary  # names the missing setting a person has to add


@pytest.mark.parametrize("source", list(APIS))
def test_every_caller_passes_force_full_refresh_to_the_refresh_step(source):
    """The dispatch input reaches the Refresh step's FORCE_FULL_REFRESH, which `prp` reads."""
    for dispatched in (True, False):
        job, inputs = caller_inputs(source, dispatched)
        assert inputs["source"] == source
        contexts = input_contexts(inputs)
        refresh = next(s for s in job["steps"] if s.get("name") == "Refresh")
        env = {k: expand(v, contexts, "jobs.<job_id>.steps.env") for k, v in refresh["env"].items()}
        assert env == {"SOURCE": source, "FORCE_FULL_REFRESH": str(dispatched).lower()}
        assert expand(refresh["run"], contexts, "jobs.<job_id>.steps.run") == 'make "refresh-${SOURCE}"'
