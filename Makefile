# The two commands of the README: `make demo` and `make test`.
# Everything they need is installed here, into .venv, from the project's own files.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint unit integration browser-deps db-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: start the local Kafka broker and run the main job on embedded defaults
demo: install db-deps
	$(BIN)/joinedup demo

## browser-deps: headless Chromium for the browser tests (Debian package)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

## db-deps: the PostgreSQL server of the audit index (Debian package), unless installed
db-deps:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/joinedup schemas check-compat

## test: lint, type-check, schema compatibility, then unit + integration + e2e tests on a real broker
test: install browser-deps db-deps lint
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

## bench: start the local broker, run every benchmark; figures are left in bench/results/*.json
bench: install
	$(BIN)/joinedup broker start
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
	@ls bench/results/*.json

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
