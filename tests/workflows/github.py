"""Just enough of a GitHub runner to run a workflow job's ``run:`` steps locally, in order.

Whether GitHub accepts a workflow is actionlint's judgement (``test_workflow_checks.py``), not
this module's. This module only executes steps, and refuses to evaluate what GitHub would not:

- ``expand`` takes each ``${{ }}`` expression's value from a table the test gives, keyed by
  the expression's text (any other expression fails the test, so a workflow cannot quietly depend
  on something the test does not provide), and fails when the expression reads a context that
  GitHub does not offer at that key (``AVAILABLE``, GitHub's "Context availability" table);
- ``called_job`` follows a calling job to the reusable workflow's job and fails when that
  workflow's jobs need a permission the calling job does not grant;
- ``run_steps`` gives every step what the runner gives it: ``RUNNER_TEMP``, a ``GITHUB_ENV`` file
  whose assignments later steps see, and a ``GITHUB_STEP_SUMMARY`` file, collected per step.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

# GitHub's "Context availability" table, for the keys this module evaluates
# (https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#context-availability)
_STEP = frozenset({"github", "needs", "strategy", "matrix", "job", "runner", "env", "vars",
                   "secrets", "steps", "inputs"})
AVAILABLE = {
    "jobs.<job_id>.env": frozenset({"github", "needs", "strategy", "matrix", "vars", "secrets",
                                    "inputs"}),
    "jobs.<job_id>.with.<with_id>": frozenset({"github", "needs", "strategy", "matrix", "inputs",
                                               "vars"}),
    "jobs.<job_id>.secrets.<secrets_id>": frozenset({"github", "needs", "strategy", "matrix",
                                                     "secrets", "inputs", "vars"}),
    "jobs.<job_id>.steps.if": _STEP - {"secrets"},
    "jobs.<job_id>.steps.env": _STEP,
    "jobs.<job_id>.steps.run": _STEP,
    "jobs.<job_id>.steps.with": _STEP,
}
_STRING = re.compile(r"'(?:[^']|'')*'")
_CONTEXT = re.compile(r"(?<![\w.])([A-Za-z_][\w-]*)\s*(?=[.\[])")
LEVELS = {"none": 0, "read": 1, "write": 2}


def load(name: str, workflows: Path = WORKFLOWS) -> dict[str, Any]:
    """A workflow as data (PyYAML reads the key ``on`` as True: put it back)."""
    document = yaml.safe_load((workflows / name).read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def local_workflow(uses: str) -> str:
    """The file name of a workflow in this repository, from ``$/...`` or ``./...``."""
    prefix = next(p for p in ("$/.github/workflows/", "./.github/workflows/") if uses.startswith(p))
    return uses.removeprefix(prefix)


def contexts_read(expression: str) -> set[str]:
    """The contexts an expression reads (``inputs.x == 'a.b'`` -> {"inputs"})."""
    return set(_CONTEXT.findall(_STRING.sub("''", expression)))


def evaluate(expression: str, contexts: dict[str, str], key: str) -> str:
    """An expression's value from ``contexts``; fails on a context GitHub does not offer at ``key``."""
    unavailable = contexts_read(expression) - AVAILABLE[key]
    if unavailable:
        raise AssertionError(f"${{{{ {expression} }}}} at {key}: GitHub does not make the context "
                             f"{', '.join(sorted(unavailable))} available there")
    if expression not in contexts:
        raise AssertionError(f"the test does not know the expression ${{{{ {expression} }}}}")
    return contexts[expression]


def expand(text: Any, contexts: dict[str, str], key: str) -> str:
    """``text`` with each ``${{ expr }}`` replaced from ``contexts`` (see ``evaluate``)."""
    return EXPRESSION.sub(lambda match: evaluate(match.group(1), contexts, key), str(text))


def condition_holds(step: dict[str, Any], contexts: dict[str, str]) -> bool:
    """A step's ``if:`` (a bare expression or one ``${{ }}``), its value taken from ``contexts``."""
    if "if" not in step:
        return True
    condition = str(step["if"]).strip()
    match = EXPRESSION.fullmatch(condition)
    value = evaluate(match.group(1) if match else condition, contexts, "jobs.<job_id>.steps.if")
    return value == "true"


def permissions(granted: Any) -> dict[str, int]:
    """A ``permissions:`` value as levels per scope (``read-all``/``write-all`` cover every scope
    this project uses; an absent scope is none)."""
    if isinstance(granted, str):
        level = LEVELS[granted.removesuffix("-all")]
        return {scope: level for scope in ("contents", "id-token", "pages", "actions")}
    return {scope: LEVELS[level] for scope, level in (granted or {}).items()}


def missing_permissions(caller: dict[str, Any], caller_workflow: dict[str, Any],
                        called: dict[str, Any]) -> list[str]:
    """What the called workflow's jobs need that the calling job does not grant."""
    granted = permissions(caller.get("permissions", caller_workflow.get("permissions")))
    missing = []
    for job_id, job in called["jobs"].items():
        needed = permissions(job.get("permissions", called.get("permissions")))
        missing += [f"{job_id} needs {scope}: {[k for k, v in LEVELS.items() if v == level][0]}"
                    for scope, level in needed.items() if granted.get(scope, 0) < level]
    return missing


def called_job(workflow_name: str, caller_id: str, job_id: str,
               workflows: Path = WORKFLOWS) -> tuple[dict, dict]:
    """The job ``job_id`` of the reusable workflow that ``caller_id`` in ``workflow_name`` calls,
    and the called workflow; fails when the calling job grants less than that workflow needs."""
    caller_workflow = load(workflow_name, workflows)
    caller = caller_workflow["jobs"][caller_id]
    called = load(local_workflow(caller["uses"]), workflows)
    missing = missing_permissions(caller, caller_workflow, called)
    assert not missing, f"{workflow_name} job {caller_id} does not grant what it calls: {missing}"
    return called["jobs"][job_id], called


@dataclass
class StepResult:
    name: str
    returncode: int
    output: str
    summary: str = ""  # what the step wrote to GITHUB_STEP_SUMMARY


@dataclass
class Run:
    """A job's steps as run: results in order, and the job summary as GitHub shows it."""

    steps: list[StepResult] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """Every step's summary, in step order (GitHub shows them one after another)."""
        return "".join(step.summary for step in self.steps)

    @property
    def output(self) -> str:
        return "\n".join(step.output for step in self.steps)

    @property
    def succeeded(self) -> bool:
        return bool(self.steps) and all(step.returncode == 0 for step in self.steps)


def read_env_file(path: Path) -> dict[str, str]:
    """The assignments a step wrote to ``GITHUB_ENV``: ``NAME=value`` lines and
    ``NAME<<DELIMITER`` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = iter(path.read_text().splitlines() if path.exists() else [])
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def run_steps(job: dict[str, Any], contexts: dict[str, str], base_env: dict[str, str],
              overrides: dict[str, str], runner_temp: Path, cwd: Path = REPO) -> Run:
    """Run the job's ``run:`` steps in order with bash, as the runner does; stop at a failure.

    ``uses:`` steps are skipped (checkout, Python, uv and Google authentication are what the
    test environment already provides, the last through the Secret Manager stand-in). A step
    whose ``if:`` is false is skipped. ``overrides`` win over everything the workflow sets.
    """
    run = Run()
    job_env = {k: expand(v, contexts, "jobs.<job_id>.env") for k, v in (job.get("env") or {}).items()}
    from_env_files: dict[str, str] = {}
    files = runner_temp / "_runner_files"
    files.mkdir(parents=True, exist_ok=True)
    for number, step in enumerate(job["steps"]):
        if "run" not in step or not condition_holds(step, contexts):
            continue
        env_file, summary_file = files / f"env-{number}", files / f"summary-{number}"
        step_env = {k: expand(v, contexts, "jobs.<job_id>.steps.env")
                    for k, v in (step.get("env") or {}).items()}
        env = {**base_env, **job_env, **from_env_files, **step_env, **overrides,
               "RUNNER_TEMP": str(runner_temp), "GITHUB_ENV": str(env_file),
               "GITHUB_STEP_SUMMARY": str(summary_file)}
        script = expand(step["run"], contexts, "jobs.<job_id>.steps.run")
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", script],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        from_env_files.update(read_env_file(env_file))
        run.steps.append(StepResult(step.get("name", step["run"]), done.returncode,
                                    done.stdout + done.stderr,
                                    summary_file.read_text() if summary_file.exists() else ""))
        if done.returncode != 0:
            break
    return run


def environment() -> dict[str, str]:
    """This process's environment (the fixtures' isolation and the sandbox's URLs included),
    without a job summary file of its own (when the tests run in GitHub Actions)."""
    return {k: v for k, v in os.environ.items() if k not in ("GITHUB_STEP_SUMMARY", "GITHUB_ENV")}
