SHELL := /bin/bash
# Two commands matter: `make run` (set up, build the demo event once, start the desk)
# and `make test` (set up, lint, type-check, run every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= .data/demo.sqlite3
DEMO_SIZE ?= 10000
# The demo event took place on 22-24 November 2024; the desk runs on a rehearsal clock that
# starts on the main day, so doors are open. `make run DEMO_CLOCK=` uses the real time.
DEMO_CLOCK ?= 2024-11-23T09:20

.PHONY: setup run demo test test-fast lint typecheck pytest bench screenshots clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

$(DEMO_DB): | $(STAMP)
	$(BIN)/checkin-app demo --db $(DEMO_DB) --size $(DEMO_SIZE) --if-missing

demo: $(DEMO_DB)

run: $(STAMP) $(DEMO_DB)
	$(BIN)/checkin-app gui --db $(DEMO_DB) $(if $(DEMO_CLOCK),--clock $(DEMO_CLOCK))

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

test: lint typecheck pytest

# For developers between changes: the same checks without the tests marked `slow` (those that start
# a hub process, the real desk window under Xvfb or pip; tests/conftest.py marks them), which take
# most of the suite's time. `make test` and CI (.ci/run) still run every test, slow ones included.
test-fast: lint typecheck $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)
	set -e; for b in bench/bench_*.py; do m=$${b%.py}; echo "== $$m"; $(BIN)/python -m $${m//\//.}; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
