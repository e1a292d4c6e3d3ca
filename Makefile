# hrss-warehouse entry points. `make help` lists them; CI runs `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
# make bench: the national benchmark's scale (1 = 3,161 regions, 19 M raw rows) and the
# DuckDB memory_limit of its runs (dbt's and the reference's; 3GB = HRSS_DUCKDB_MEMORY_LIMIT's
# default).
BENCH_SCALE ?= 0.1
BENCH_MEMORY_LIMIT ?= 3GB
# Processes make test runs the suite on (1 = one after another). 4 on the CI machine's 2 cores:
# a run waits on its Airflow, dbt and parse subprocesses part of the time, and the extra
# workers fill it (fresh clones of one commit: 16.4 min with 4, 17.2 with 3; 23.6 with 2 before).
TEST_WORKERS ?= 4
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp records which pyproject/constraints the venv was built from, so an
# edit to either makes the venv stale and `setup` reinstalls.
STAMP  := $(VENV)/.installed

.PHONY: help setup system-packages run test test-unit bench lint format clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(STAMP) ## Create or refresh .venv with the pinned dependency set (idempotent)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: setup ## Run the hrss_nightly DAG once through Airflow on the sample files and print the scorecard
	@scripts/system-packages.sh run
	@# The sample files are complete however new their checkout is: no settle time.
	HRSS_LANDING_SETTLE_S=$${HRSS_LANDING_SETTLE_S:-0} $(BIN)/hrss run

test: setup system-packages lint ## Lint, then run the whole test suite (unit + integration: Airflow, dbt build, GX, PostgreSQL) on TEST_WORKERS processes
	@# Each file stays on one worker, so module fixtures (a warehouse built once) are shared;
	@# files go out in collection order (tests/conftest.py puts the longest first: the two
	@# kill chains), not xdist's default of most tests first, which left them for last.
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

system-packages: ## Install the Debian packages tests need where missing (postgresql, chromium, fonts-noto-cjk)
	@scripts/system-packages.sh test

test-unit: setup ## Run only the fast unit tests
	$(BIN)/python -m pytest -m unit

bench: setup ## Benchmarks (ingest beside pandas; nightly vs full rebuild; national scale vs a hand-written script, BENCH_SCALE=0.1, 1 = national); copy the tables into docs/benchmarks.md
	$(BIN)/python -m benchmarks.ingest_bench
	$(BIN)/python -m benchmarks.incremental_bench
	$(BIN)/python -m benchmarks.national_bench --scale $(BENCH_SCALE) --memory-limit $(BENCH_MEMORY_LIMIT)

lint: setup ## ruff (incl. AIR rules on dags/), sqlfluff on the dbt models, dbt parse
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ruff check --select AIR dags/
	$(BIN)/sqlfluff lint dbt_project/models
	$(BIN)/python -m hrss_warehouse.dbt_runner parse

format: setup ## Apply ruff formatting and sqlfluff fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix dbt_project/models

clean: ## Remove the local warehouse, Airflow home and dbt build output (keeps .venv)
	rm -rf warehouse .airflow dbt_project/target dbt_project/logs
