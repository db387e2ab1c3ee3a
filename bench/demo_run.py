"""The demo's first run on a fresh clone: ``prp demo`` timed, the installing left out.

A clone of the committed tree (``git clone`` of this checkout: no warehouse, no dlt state, no
bytecode of the project's own modules) runs ``prp demo`` with the installed environment (the
one running this), as ``make demo`` does after ``make install``. Reported: its wall time, and
the seconds the demo itself prints ("Demo finished in ...").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 30.0


def demo_first_run(root: Path) -> dict[str, Any]:
    """Clone, then time ``prp demo`` in the clone."""
    clone = root / "fresh-clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)],
                   check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, check=True,
                            capture_output=True, text=True).stdout.strip()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SOURCES__", "PRP__", "DLT_", "DESTINATION__"))}
    env["PYTHONPATH"] = str(clone)
    print("bench: prp demo on a fresh clone", file=sys.stderr, flush=True)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "demo"], cwd=clone, env=env,
                          capture_output=True, text=True)
    wall = time.monotonic() - started
    said = re.search(r"Demo finished in (\d+)s", done.stdout)
    result = {"commit": commit, "wall_s": round(wall, 1), "exit_code": done.returncode,
              "demo_says_s": int(said.group(1)) if said else None,
              "target": [round(wall, 1), done.returncode == 0 and wall < TARGET_S]}
    if done.returncode != 0:
        result["error"] = (done.stderr or done.stdout)[-500:]
    return result
