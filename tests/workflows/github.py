"""Just enough of GitHub Actions to run a workflow's ``run:`` steps locally, in order.

``expand`` evaluates the few ``${{ }}`` expressions our workflows use from a table of contexts;
any other expression fails the test, so a workflow cannot quietly depend on something the test
does not provide.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load(name: str) -> dict[str, Any]:
    """A workflow as data (PyYAML reads the key ``on`` as True: put it back)."""
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def local_workflow(uses: str) -> str:
    """The file name of a workflow in this repository, from ``$/...`` or ``./...``."""
    prefix = next(p for p in ("$/.github/workflows/", "./.github/workflows/") if uses.startswith(p))
    return uses.removeprefix(prefix)


def expand(text: Any, contexts: dict[str, str]) -> str:
    """``text`` with each ``${{ expr }}`` replaced from ``contexts`` (keyed by the expression)."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression not in contexts:
            raise AssertionError(f"the test does not know the expression ${{{{ {expression} }}}}")
        return contexts[expression]

    return EXPRESSION.sub(value, str(text))


@dataclass
class StepResult:
    name: str
    returncode: int
    output: str


def run_steps(job: dict[str, Any], contexts: dict[str, str], base_env: dict[str, str],
              overrides: dict[str, str], cwd: Path = REPO) -> list[StepResult]:
    """Run the job's ``run:`` steps in order with bash, as the runner does; stop at a failure.

    ``uses:`` steps are skipped (checkout, Python, uv and Google authentication are what the
    test environment already provides, the last through the Secret Manager stand-in).
    """
    results = []
    job_env = {k: expand(v, contexts) for k, v in (job.get("env") or {}).items()}
    for step in job["steps"]:
        if "run" not in step:
            continue
        env = {**base_env, **job_env,
               **{k: expand(v, contexts) for k, v in (step.get("env") or {}).items()}, **overrides}
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", expand(step["run"], contexts)],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        results.append(StepResult(step.get("name", step["run"]), done.returncode,
                                  done.stdout + done.stderr))
        if done.returncode != 0:
            break
    return results


def environment() -> dict[str, str]:
    """This process's environment (the fixtures' isolation and the sandbox's URLs included)."""
    return dict(os.environ)
