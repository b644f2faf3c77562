# attrib: the two commands a user needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
ATTRIB := $(VENV)/bin/attrib
export ATTRIB_PGPORT ?= 55432

.PHONY: deps venv db demo test test-sql test-py test-citus bench bench-smoke bench-dbt bench-dbt-check cli-docs clean-db help

help:
	@echo "make demo   - set up everything (apt, venv, local PostgreSQL), load sample data, run, summarize"
	@echo "make test   - run every test (pgTAP + pytest) against the local PostgreSQL"
	@echo "make bench  - benchmark full and incremental runs (EVENTS=1000000 DAYS=365; SCALES=1M,5M,10M to scale)"
	@echo "make bench-smoke - the same on 20 K events (seconds)"
	@echo "make cli-docs - rewrite docs/cli.md from every command's --help (a test checks it is current)"
	@echo "make bench-dbt DBT_SEGMENT_DIR=... DBT_UTILS_DIR=... - full run vs the dbt segment package's full refresh"
	@echo "make test-citus CITUS_GIT=/path/to/citus.git - attrib on Citus (coordinator + 2 workers) vs plain PostgreSQL"

deps:
	@bash scripts/install-deps.sh

$(VENV)/.installed: pyproject.toml tools/pyproject.toml | deps
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ./tools -e '.[test,tools]'
	touch $@

venv: $(VENV)/.installed

db: venv
	@$(ATTRIB) db up

demo: venv  # attrib demo starts the cluster itself: no DSN of the empty `attrib` database first
	$(ATTRIB) demo

test: db
	bash scripts/test.sh

# Citus built from CITUS_GIT (git dir, CITUS_REF=v13.2.2) or CITUS_SRC, outside the repository;
# EVENTS=200000, CITUS_PORT=56432 (and the next two ports), OUT=bench/results/citus-<date>.json
test-citus: venv
	bash scripts/test-citus.sh

bench: db
	$(ATTRIB) bench --events $${EVENTS:-1000000} --days $${DAYS:-365} --workers 0,2 $${SCALES:+--scales $$SCALES}

bench-smoke: db
	$(ATTRIB) bench --events 20000 --days 30

# Not part of `make test` or CI: needs checkouts of the dbt segment and
# dbt-utils packages (DBT_SEGMENT_DIR, DBT_UTILS_DIR) and installs dbt into
# .venv-dbt. EVENTS/DAYS/SEED as for `make bench`. See bench/dbt_segment.py.
bench-dbt: bench-dbt-check db
	$(VENV)/bin/python bench/dbt_segment.py

bench-dbt-check:  # before `db`: say what to set before installing anything
	@$(PYTHON) bench/dbt_segment.py --check

cli-docs: venv
	$(VENV)/bin/python scripts/cli_docs.py

clean-db: venv
	$(ATTRIB) db down --destroy
