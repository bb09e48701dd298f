# Every target creates .venv and installs from the lockfiles on first use, so a fresh clone
# needs nothing but Python 3.11+ and make. Every package is installed by hash
# (--require-hashes): pip and the build backend from requirements-build.lock first, then the
# project's dependencies; the project itself is built without fetching anything else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
BUILD_STAMP := $(VENV)/.build-installed
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
HASHED := --quiet --require-hashes --no-deps

.PHONY: run test eval bench lint lock check-knowledge clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BUILD_STAMP): $(BIN)/python requirements-build.lock
	$(BIN)/python -m pip install $(HASHED) -r requirements-build.lock
	touch $@

$(RUNTIME_STAMP): $(BUILD_STAMP) requirements.lock pyproject.toml
	$(BIN)/pip install $(HASHED) -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.lock
	$(BIN)/pip install $(HASHED) -r requirements-dev.lock
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
	$(BIN)/python -m scripts.slack_benchmark

check-knowledge: $(RUNTIME_STAMP)
	$(BIN)/chatwork-safe-bot check-knowledge

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/ruff format --check bot tests scripts
	$(BIN)/mypy

# Regenerate the lockfiles after changing dependency ranges in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml \
		-o requirements.lock
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml \
		--extra dev -o requirements-dev.lock
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
		requirements-build.in -o requirements-build.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
