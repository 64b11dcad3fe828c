# Two commands do everything on a fresh machine (Python >= 3.11, make, git):
#   make run    the whole pipeline on the embedded defaults, ending in out/reports/<month>/
#   make test   the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MONTH ?=
ARGS ?=
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install run test test-deps test-fast lint format airflow dbt docs bench stop clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	@rm -f $(VENV)/.installed-* && touch $@

# The stand-ins of every source whose connection (AIRFLOW_CONN_<ID>) is not set run around the
# pipeline (simulators.run); the pipeline itself only reads connections.
STANDINS := $(PY) -m simulators.run --

run: install
	$(STANDINS) $(PY) -m pipeline run $(if $(MONTH),--month $(MONTH))

test: install test-deps
	$(PY) -m pytest $(ARGS)

# Headless Chromium for the report's rendering test (Debian's package; root only, else that test skips).
test-deps:
	@if [ "$$(id -u)" = 0 ] && ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the report test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

# ruff (lint and format check) on the Python, sqlfluff on the dbt models (.sqlfluff holds its rules).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint dbt_project --disable-progress-bar --nocolor

# Apply what the linters can fix by themselves.
format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/sqlfluff fix dbt_project --disable-progress-bar --nocolor

test-fast: install
	$(PY) -m pytest -m "not slow" $(ARGS)

airflow: install
	$(STANDINS) $(PY) -m pipeline airflow

dbt: install
	$(PY) -m pipeline dbt $(ARGS)

# dbt's documentation of every model, test and the report's exposure, as one self-contained page.
docs: install
	$(PY) -m pipeline dbt docs generate --static
	@echo "dbt docs: $(CURDIR)/dbt_project/target/static_index.html"

bench: install
	$(PY) -m bench.loader $(ARGS)

stop: install
	$(PY) -m pipeline stop

clean: stop
	rm -rf out data .local dbt_project/target dbt_project/logs
