# Two entry points for a fresh clone: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest bench eval clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependency set changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/chartready serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check assistant api tests bench
	$(BIN)/ruff format --check assistant api tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Headless Chromium + chromedriver for the browser tests (tests/web); installed only if missing.
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && apt-get install -y chromium chromium-driver) || \
		echo "chromium not installed: the browser tests will be skipped"

pytest: $(VENV)/.installed chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

eval: $(VENV)/.installed
	$(BIN)/chartready eval --gold ../shared/corpus/dev-gold.jsonl --notes ../shared/corpus/mtsamples/notes

bench: $(VENV)/.installed
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
