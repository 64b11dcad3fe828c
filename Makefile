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

.PHONY: install run test test-deps test-fast lint format airflow dbt docs bench bench-scale bench-scale-quick stop clean

install: $(STAMP)

# pip's own chatter (build-backend notices) goes to $(VENV)/install.log; on a failure its end is shown.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing the project into $(VENV) (log: $(VENV)/install.log)"
	@{ $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e ".[test]"; } > $(VENV)/install.log 2>&1 \
		|| { tail -30 $(VENV)/install.log; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

# The stand-ins of every source whose connection (AIRFLOW_CONN_<ID>) is not set run around the
# pipeline (simulators.run); the pipeline itself only reads connections.
STANDINS := $(PY) -m simulators.run --

run: install
	$(STANDINS) $(PY) -m pipeline run $(if $(MONTH),--month $(MONTH))

test: install test-deps bi-install
	$(PY) -m pytest $(ARGS)

# Debian packages of the tests (root only, else the tests that need them skip): headless Chromium for
# the report's HTML and the dashboard's screenshot, poppler's pdftoppm for the PDF page images,
# HarfBuzz's subsetter for WeasyPrint's fonts, redis-server for the CeleryExecutor test.
TEST_DEBS := chromium poppler-utils libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 redis-server
test-deps:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's $$missing for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

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

# `make airflow EXECUTOR=celery`: Airflow's CeleryExecutor, with Debian's redis-server (installed when missing
# and run as root) as the broker and two Celery workers, all on 127.0.0.1 (docs/operations.md).
EXECUTOR ?=
airflow: install
	@if [ "$(EXECUTOR)" = celery ] && ! command -v redis-server >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's redis-server for the CeleryExecutor"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
		else echo "EXECUTOR=celery needs redis-server (Debian: sudo apt-get install redis-server)"; exit 1; fi; fi
	$(STANDINS) $(PY) -m pipeline airflow $(if $(EXECUTOR),--executor $(EXECUTOR))

dbt: install
	$(PY) -m pipeline dbt $(ARGS)

# dbt's documentation of every model, test and the report's exposure, as one self-contained page.
docs: install
	$(PY) -m pipeline dbt docs generate --static
	@echo "dbt docs: $(CURDIR)/dbt_project/target/static_index.html"

bench: install
	$(PY) -m bench.loader $(ARGS)

# The daily run at 1x and 10x history and a national year, extract to marts (docs/BENCHMARKS.md, "Scale").
# `make bench-scale` writes its section of docs/BENCHMARKS.md; QUICK=1 (or `make bench-scale-quick`): a smoke
# run, 1x vs 2x daily runs and a small national slice's generation (no national dbt build), printed only.
# Both first build (or reuse) the 1x base, a real pipeline run. Private folder: .local/bench-scale (BENCH_SCALE_DIR=...).
QUICK ?=
BENCH_SCALE_DIR ?= .local/bench-scale
bench-scale: install
	nice -n 10 $(PY) -m bench.scale --workdir $(BENCH_SCALE_DIR) $(if $(QUICK),--quick,--out docs/BENCHMARKS.md) $(ARGS)

bench-scale-quick: install
	nice -n 10 $(PY) -m bench.scale --workdir $(BENCH_SCALE_DIR) --quick $(ARGS)

# The benchmark's peers (dlt's Postgres destination, `bench.loader --peer dlt`) in a venv of their own:
# dlt would change packages of the project's venv (setuptools). Never a dependency of the product.
BENCH_VENV ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-$(shell cat bench/requirements.txt | sha1sum | cut -c1-12)

.PHONY: bench-install

bench-install: $(BENCH_STAMP)

$(BENCH_STAMP): bench/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	@echo '*' > $(BENCH_VENV)/.gitignore
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q -r bench/requirements.txt
	@rm -f $(BENCH_VENV)/.installed-* && touch $@

stop: install
	$(PY) -m pipeline stop

clean: stop
	-$(PY) -m bi stop
	rm -rf out data .local dbt_project/target dbt_project/logs

# Superset on the marts (docs/bi.md), in its own venv: Superset 6.1 needs SQLAlchemy < 2, Airflow 3.3 needs 2.
# `make bi [BI_PORT=8088]` installs it when bi/requirements.txt changed, provisions the dashboard, starts it
# on 127.0.0.1 in the background; `make bi-stop` stops it; `make bi-screenshot` refreshes docs/img/.
BI_VENV ?= .venv-bi
BI_PORT ?= 8088
BI_STAMP := $(BI_VENV)/.installed-$(shell cat bi/requirements.txt | sha1sum | cut -c1-12)

.PHONY: bi bi-install bi-stop bi-screenshot

bi-install: $(BI_STAMP)

$(BI_STAMP): bi/requirements.txt
	@test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	@echo '*' > $(BI_VENV)/.gitignore
	$(BI_VENV)/bin/python -m pip install -q --upgrade pip
	$(BI_VENV)/bin/python -m pip install -q -r bi/requirements.txt
	@rm -f $(BI_VENV)/.installed-* && touch $@

bi: install bi-install
	BI_VENV=$(BI_VENV) $(PY) -m bi start --port $(BI_PORT)

bi-stop: install
	$(PY) -m bi stop

bi-screenshot: install bi-install test-deps
	BI_VENV=$(BI_VENV) $(PY) -m bi screenshot
