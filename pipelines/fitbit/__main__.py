"""``python -m pipelines.fitbit [--full-refresh] [--since D] [--until D]`` = ``prp refresh fitbit``."""

import sys

from pipelines.cli import main

sys.exit(main(["refresh", "fitbit", *sys.argv[1:]]))
