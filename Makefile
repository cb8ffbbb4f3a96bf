# The two front doors: `make demo` and `make test`. Everything else is a step they run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

# Nothing at run or test time may reach the internet.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_VERSION_CHECK := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

DATA_DIR ?= data/demo
export SALESPULSE_DATA_DIR ?= $(CURDIR)/$(DATA_DIR)

.PHONY: help setup system-deps venv js-deps demo data load build forecast powerbi parquet docs summary serve watch test lint pytest bench lock clean

help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: system-deps venv js-deps ## Install Debian packages, the pinned Python environment and the browser tests' JavaScript.

system-deps:
	@bash scripts/install-system-deps.sh

venv: $(VENV)/.installed
	@# the embedded warehouse's folder, so that a plain `dbt build` after a load finds its file
	@mkdir -p .warehouse

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

# axe-core, which the accessibility tests inject into the dashboard, and plotly.js + esbuild, from which
# the dashboard's partial Plotly bundle is built (scripts/plotly_bundle.mjs): pinned by package-lock.json
js-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json scripts/plotly_bundle.mjs
	npm ci --no-audit --no-fund --no-update-notifier
	@touch $@

demo: setup data load build forecast summary ## Set up, generate the demo data, build the warehouse, serve the dashboard.
	@echo "Demo warehouse ready: $(CURDIR)/.warehouse/salespulse.duckdb (schemas raw, staging, marts, reporting)"
	@$(MAKE) --no-print-directory serve

data: venv ## Generate the demo extracts (once; delete data/demo to regenerate).
	@test -f $(DATA_DIR)/_manifest.json || $(BIN)/salespulse generate --out $(DATA_DIR)

load: venv ## Land data/demo in the raw schema (SALESPULSE_TARGET=postgres for PostgreSQL).
	$(BIN)/salespulse load

build: venv ## dbt build (models, unit and data tests), then the quality suite, on SALESPULSE_TARGET.
	$(BIN)/salespulse build

forecast: venv ## Forecast the next 12 months (with a backtest), land it and build the forecast models.
	$(BIN)/salespulse forecast

powerbi: venv ## Regenerate the Power BI project, measure macros and layout pictures from the semantic layer.
	$(BIN)/salespulse powerbi write

parquet: venv ## Export the reporting views to artifacts/parquet/ (Power BI without a server).
	$(BIN)/salespulse export-parquet --out artifacts/parquet

docs: venv ## dbt docs generate (open target/index.html).
	$(BIN)/dbt docs generate

summary: venv ## Row counts and amount totals of the raw layer.
	@$(BIN)/salespulse summary

serve: venv ## Serve the web dashboard on http://127.0.0.1:8050 (demo accounts, password "demo").
	$(BIN)/salespulse serve --demo-users

WATCH_INTERVAL ?= 60
watch: venv ## Refresh the warehouse from data/demo every 60 s and when files arrive, until Ctrl+C (feed: salespulse generate --trickle).
	$(BIN)/salespulse watch --data-dir $(DATA_DIR) --interval $(WATCH_INTERVAL)

test: setup lint pytest ## Set up and run every check (what CI runs).

lint: venv ## ruff, sqlfluff, generated files in step with their sources, the Power BI project's offline checks.
	$(BIN)/ruff check src tests/python scripts bench
	$(BIN)/ruff format --check src tests/python scripts bench
	$(BIN)/salespulse contract --check
	$(BIN)/salespulse powerbi check
	@# sqlfluff compiles through dbt: give it a scratch warehouse, not the demo's
	lint_dir=$$(mktemp -d) && SALESPULSE_DUCKDB_PATH=$$lint_dir/lint.duckdb \
	  $(BIN)/sqlfluff lint models data_tests analyses --disable-progress-bar; \
	rc=$$?; rm -rf $$lint_dir; exit $$rc

pytest: venv ## The Python test suite (starts and stops its own PostgreSQL cluster).
	@rc=0; $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

bench: setup ## Generate, load, build, quality and web timings (Chromium: 100 k, 10 M lines) (BENCH_ARGS="--scales N").
	$(PY) scripts/bench.py $(BENCH_ARGS)

lock: ## Re-pin every Python dependency from a fresh resolve (needs the package index).
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade "pip>=24" && .lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude salespulse | sort > requirements.lock && rm -rf .lock-venv

clean: ## Remove the warehouse, generated data and caches (not the venv).
	rm -rf .warehouse data/demo target logs .pytest_cache .ruff_cache src/salespulse/web/assets/vendor
