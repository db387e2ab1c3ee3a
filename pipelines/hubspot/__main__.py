"""``python -m pipelines.hubspot [--full-refresh] [--since D] [--until D]`` = ``prp refresh hubspot``."""

import sys

from pipelines.cli import main

sys.exit(main(["refresh", "hubspot", *sys.argv[1:]]))
