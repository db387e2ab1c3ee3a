"""``python -m pipelines.notion [--full-refresh] [--since D] [--until D]`` = ``prp refresh notion``."""

import sys

from pipelines.cli import main

sys.exit(main(["refresh", "notion", *sys.argv[1:]]))
