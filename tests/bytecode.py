"""Compile what the test processes import, once, before `make test` starts them.

A fresh clone's ``.venv`` holds no bytecode. Without this step the three test workers (and the
``prp`` processes tests start) compile the same ~3,000 modules of dlt, dbt, pandas and the rest
at the same moment: on a fresh clone here that made the suite ~38 s longer, where compiling them
first takes ~6 s on 2 cores. Only compiling: importing them instead (tried before) runs every
module and cost more than it saved. A checkout that has its bytecode pays a freshness check.

Which directories: ``bytecode_dirs.txt`` beside this file, the site-packages directories a whole
``make test`` imported from. ``python -m tests.bytecode --record`` writes it again from the
bytecode a run left behind (after a dependency change); a directory it misses is only compiled
by the workers, as without this step.
"""

from __future__ import annotations

import compileall
import sys
import sysconfig
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DIRS_FILE = Path(__file__).with_name("bytecode_dirs.txt")
REPO = Path(__file__).resolve().parent.parent
OWN_PACKAGES = ("pipelines", "sandbox")  # the test modules themselves pytest compiles its own way
WORKERS = 2


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def files_to_compile() -> list[Path]:
    """Every ``.py`` file of the recorded directories (not their subdirectories) and ours."""
    root = site_packages()
    files = []
    for line in DIRS_FILE.read_text().splitlines():
        if line.strip():
            files += sorted((root / line.strip()).glob("*.py"))
    for package in OWN_PACKAGES:
        files += sorted((REPO / package).rglob("*.py"))
    return files


def _compile(files: list[Path]) -> None:
    for file in files:
        compileall.compile_file(file, quiet=2)  # skips a file whose bytecode is up to date


def compile_all() -> None:
    """Compile the files in ``WORKERS`` processes side by side."""
    files = files_to_compile()
    with ProcessPoolExecutor(WORKERS) as pool:
        list(pool.map(_compile, [files[i::WORKERS] for i in range(WORKERS)]))


def record() -> None:
    """Write the site-packages directories that hold bytecode now: run it after `make test` on a
    fresh clone, or it records whatever else ran in that environment too."""
    root = site_packages()
    compiled = {pyc.parent.parent for pyc in root.rglob("__pycache__/*.pyc")}
    dirs = sorted(str(d.relative_to(root)) for d in compiled if any(d.glob("*.py")))
    DIRS_FILE.write_text("".join(f"{d}\n" for d in dirs))
    print(f"{DIRS_FILE}: {len(dirs)} directories")


if __name__ == "__main__":
    if "--record" in sys.argv[1:]:
        record()
    else:
        compile_all()
