# carecast — `make demo` and `make test` set everything up themselves on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap-python.sh
	bash scripts/bootstrap-python.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/carecast demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite runs on SQLite and on a throwaway PostgreSQL cluster this target starts and stops.
# The browser tests run after the rest in one process of their own: one demo store, server and
# browser for all of them (pytest 9 ignores xdist's --dist loadgroup, which could have grouped them).
test: $(STAMP) lint
	bash scripts/system-deps.sh
	bash scripts/peer-venvs.sh
	bash scripts/pg-test-cluster.sh start
	status=0; CARECAST_TEST_POSTGRES_URL="$$(bash scripts/pg-test-cluster.sh url)" \
	  $(BIN)/pytest -n 2 --ignore=tests/browser || status=$$?; \
	  $(BIN)/pytest tests/browser || status=$$?; \
	  bash scripts/pg-test-cluster.sh stop; exit $$status

# Each benchmark measures ratios within one run; bench/RESULTS.md records the figures and dates.
bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/forecast_close.py
	$(BIN)/python bench/forecast.py
	$(BIN)/python bench/project.py
	$(BIN)/python bench/project_deterministic.py
	$(BIN)/python bench/entry_level_real.py
	$(BIN)/python bench/executors.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/backtest_councils.py

clean:
	rm -rf $(VENV) demo out carecast.db .pytest_cache .mypy_cache .ruff_cache
