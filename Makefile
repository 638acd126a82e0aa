# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
WORK := .work
SAMPLE_WS := $(WORK)/sample.duckdb
PORT ?= 8501

.PHONY: demo test lint typecheck sample bench chromium clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's chromium for the browser tests; installed only when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

$(SAMPLE_WS): $(VENV)/.installed $(wildcard sample_data/*) $(wildcard sample_data/tenant/*)
	@mkdir -p $(WORK)
	$(BIN)/mfa-migrate load --datafile sample_data/PhoneFactor.pfdata --tenant sample_data/tenant --workspace $@
	$(BIN)/mfa-migrate policy set four_eyes off --workspace $@ --note "make demo: one local identity, rehearsal only"

demo: $(SAMPLE_WS)
	@echo "Dashboard on http://127.0.0.1:$(PORT) (Ctrl+C stops it); to act, open the operator link printed below"
	MFA_MIGRATE_WORKSPACE=$(SAMPLE_WS) MFA_MIGRATE_SETTINGS=$${MFA_MIGRATE_SETTINGS:-.streamlit/demo-settings.toml} \
	  $(BIN)/streamlit run app.py --server.address 127.0.0.1 \
	  --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# The suite first (its closing line is what CI reads), then lint and types; any failure fails.
test: $(VENV)/.installed chromium
	$(BIN)/pytest -n 2 --dist loadgroup
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: $(VENV)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

sample: $(VENV)/.installed
	rm -rf sample_data && $(BIN)/mfa-migrate sample --users 500 --seed 7 --out sample_data

# Smoke run of every script in benchmarks/ at a small size, on fresh data under .work/bench (simulate,
# readiness and dashboard share one generated sample: benchmarks/common.py):
# `make bench USERS=20000`. The published figures come from running a script by hand at full size
# (benchmarks/README.md). execute.py is paced at Graph's write rate (20 writes/s), so it has its own size.
USERS ?= 20000
EXECUTE_USERS ?= 400
BENCH_DIR := $(WORK)/bench

bench: $(VENV)/.installed chromium
	rm -rf $(BENCH_DIR)
	$(PY) benchmarks/load.py --users $(USERS) --workdir $(BENCH_DIR)/load
	$(PY) benchmarks/simulate.py --users $(USERS) --workdir $(BENCH_DIR)/shared
	$(PY) benchmarks/readiness.py --users $(USERS) --workdir $(BENCH_DIR)/shared
	$(PY) benchmarks/whatif.py --users $(USERS) --workdir $(BENCH_DIR)/shared
	$(PY) benchmarks/retirement.py --users $(USERS) --workdir $(BENCH_DIR)/shared
	$(PY) benchmarks/snapshot.py --users $(USERS)
	$(PY) benchmarks/dashboard.py --users $(USERS) --workdir $(BENCH_DIR)/shared
	$(PY) benchmarks/execute.py --users $(EXECUTE_USERS)
	$(PY) benchmarks/refresh.py --users $(USERS) --workdir $(BENCH_DIR)/shared --budgets off

clean:
	rm -rf $(VENV) $(WORK) .pytest_cache .mypy_cache .ruff_cache
