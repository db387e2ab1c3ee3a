# personal-reporting-pipelines: every command a person needs. `make help` lists them.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
PYTEST_ARGS ?=
# test modules run side by side: most of a test's time is waiting on the sandbox or dbt
TEST_WORKERS ?= 3
target ?= dev
# bytecode caches on, whatever the shell says: without them every dbt and prp process compiles
# all its imports again (dbt alone spends ~4 s of CPU on that each time it starts)
export PYTHONDONTWRITEBYTECODE :=
# apt-get needs root: sudo -n when not root (CI runs as root)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo -n)

.DEFAULT_GOAL := help
.PHONY: help install demo test lint run refresh-notion refresh-hubspot refresh-fitbit refresh-all \
        dbt-build bench status doctor e2e report docs review test-calendar chromium bigquery-emulator

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

install: ## install the locked environment into .venv (uv, bootstrapped with pip)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

demo: install ## sandbox -> all pipelines -> DuckDB -> dbt build -> report; no credentials needed
	$(RUN) prp demo

test: install chromium bigquery-emulator ## every offline test (unit, integration, dbt, workflows, browser)
	$(RUN) python -m tests.bytecode  # a fresh clone: compile once what every worker imports
	$(RUN) pytest -m "not e2e" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-calendar: install chromium ## the date-sensitive tests at each moment of a list (AT="2030-06-30T23:59Z ..." for others)
	$(RUN) python -m tests.bytecode
	$(RUN) python -m tests.calendar_sweep $(AT)

# a BigQuery API someone else wrote, for the BigQuery path's tests: its own pinned venv under
# .bigquery-emulator/ (tests/bigquery/requirements-emulator.txt), from the package registry
bigquery-emulator: install ## the BigQuery emulator's own environment (tests/bigquery/emulator.py)
	PRP_UV="$(UV)" $(RUN) python -m tests.bigquery.emulator install

chromium: ## Debian's chromium for the browser tests (never a browser downloaded by a test tool)
	@command -v chromium >/dev/null 2>&1 || ($(SUDO) apt-get update -qq \
	  && $(SUDO) apt-get install -y --no-install-recommends chromium) || echo "chromium is missing and could not be installed: the browser tests will skip (fail in CI)"

report: install ## write the HTML report from the marts: data/report/index.html
	$(RUN) prp report

docs: install ## the report plus the dbt docs site beside it (data/report/docs/)
	$(RUN) prp report --docs

review: install ## last week's review (data/report/review-<ISO week>.md), e-mailed once per week when configured
	$(RUN) prp review --send

# the workflows are judged by tools that are not ours (would GitHub accept them: contexts, what a
# called workflow needs against what its caller grants); make test runs the same three
lint: install ## ruff, sqlfluff for the dbt SQL, actionlint + schema + zizmor for the workflows (offline)
	$(RUN) ruff check pipelines sandbox tests bench
	PRP_DUCKDB_PATH=:memory: $(RUN) sqlfluff lint dbt/models
	$(RUN) actionlint -no-color
	$(RUN) check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(RUN) zizmor --offline --no-progress --strict-collection .github/workflows

run: install ## refresh every source from the real APIs, then transform
	$(RUN) prp refresh all && $(RUN) prp transform

refresh-notion: install ## incremental Notion refresh (FORCE_FULL_REFRESH=true for a full one)
	$(RUN) prp refresh notion

refresh-hubspot: install ## incremental HubSpot refresh
	$(RUN) prp refresh hubspot

refresh-fitbit: install ## incremental Fitbit refresh
	$(RUN) prp refresh fitbit

refresh-all: install ## refresh every source
	$(RUN) prp refresh all

dbt-build: install ## dbt build; `make dbt-build target=prod` for BigQuery
	PRP__DESTINATION=$(if $(filter prod,$(target)),bigquery,duckdb) $(RUN) prp transform build

bench: install ## heavy sandbox profile vs the API floor (requests, wall, RSS, dbt, formats); not in make test
	$(RUN) python -m bench.run --output bench/results/latest.json

status: install ## last run, cursors and row counts per table
	$(RUN) prp status

doctor: install ## check every secret, scope and dataset `make run` needs (exit 0 = ready)
	$(RUN) prp doctor

e2e: install ## live APIs and BigQuery, opt-in: set the E2E_* variables (README, End-to-end tests)
	$(RUN) pytest -m e2e tests/e2e $(PYTEST_ARGS)
