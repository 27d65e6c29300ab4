# The two commands of the README: `make demo` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
DB := var/truceline.db
export TRUCELINE_DATABASE_URL ?= sqlite:///$(CURDIR)/$(DB)
export TRUCELINE_HOME ?= $(CURDIR)/var

.PHONY: demo test check format lint types contracts pytest eval bench clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(DEV_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP) $@

## demo: set up, load the default scenario and demo data, serve on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/truceline init --demo
	$(BIN)/truceline serve --host 127.0.0.1 --port 8000

## test: every check and test, on SQLite and on a real PostgreSQL server started by the tests
test: $(DEV_STAMP)
	$(MAKE) --no-print-directory check

check: format lint types contracts pytest

format:
	$(BIN)/ruff format --check src tests benchmarks

lint:
	$(BIN)/ruff check src tests benchmarks

types:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

pytest:
	env -u TRUCELINE_DATABASE_URL -u TRUCELINE_HOME $(BIN)/pytest

## eval: extract every dev article and score it (needs ../shared/eval-dev)
eval: $(DEV_STAMP)
	$(BIN)/python benchmarks/eval.py
	$(BIN)/python benchmarks/eval_incidents.py

clean:
	rm -rf $(VENV) var build src/*.egg-info

## docs: regenerate the CLI reference from --help
docs: $(DEV_STAMP)
	$(BIN)/python -m truceline.cli.reference > docs/cli.md
