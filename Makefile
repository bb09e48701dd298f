# Every target creates .venv and installs from the lockfiles on first use, so a fresh clone
# needs nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test eval bench lint lock check-knowledge clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

run: $(RUNTIME_STAMP)
	$(BIN)/chatwork-safe-bot

test: $(DEV_STAMP)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/python -m pytest

eval: $(RUNTIME_STAMP)
	$(BIN)/python scripts/evaluate.py

bench: $(DEV_STAMP)
	$(BIN)/python scripts/benchmark.py
	$(BIN)/python -m scripts.load_benchmark

check-knowledge: $(RUNTIME_STAMP)
	$(BIN)/chatwork-safe-bot check-knowledge

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/ruff format --check bot tests scripts

# Regenerate the lockfiles after changing dependency ranges in pyproject.toml.
lock: $(DEV_STAMP)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --python-version 3.11
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements-dev.lock --python-version 3.11

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
