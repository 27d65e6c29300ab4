# The two commands of the README: `make demo` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
DB := var/truceline.db
export TRUCELINE_DATABASE_URL ?= sqlite:///$(CURDIR)/$(DB)
export TRUCELINE_HOME ?= $(CURDIR)/var
# The browser tests (tests/e2e) drive Debian's Chromium; `make chromium` installs it when it is missing.
CHROMIUM := /usr/bin/chromium

.PHONY: demo test check format lint types contracts pytest eval bench clean docs chromium screenshots

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

## test: every check and test, on SQLite and on a real PostgreSQL server started by the tests,
## and the browser tests in headless Chromium
test: $(DEV_STAMP) chromium
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

# One pytest-xdist worker per core (each with its own PostgreSQL server); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
pytest:
	env -u TRUCELINE_DATABASE_URL -u TRUCELINE_HOME $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

## chromium: install Debian's chromium package for the browser tests, unless $(CHROMIUM) is there
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "make chromium: $(CHROMIUM) is missing; install Debian's chromium package as root (apt-get install chromium)" >&2; exit 1; fi; \
	echo "installing Debian's chromium package for the browser tests" >&2; \
	$$SUDO apt-get update && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

## screenshots: run the browser tests and keep their screenshots in docs/screenshots (shown in the README)
screenshots: $(DEV_STAMP) chromium
	env -u TRUCELINE_DATABASE_URL -u TRUCELINE_HOME TRUCELINE_SCREENSHOTS=$(CURDIR)/docs/screenshots \
		$(BIN)/pytest -m e2e tests/e2e

## eval: extract and cluster every dev article; whole-set, per-fold and cross-validated scores (needs ../shared/eval-dev)
eval: $(DEV_STAMP)
	$(BIN)/python benchmarks/eval.py

clean:
	rm -rf $(VENV) var build src/*.egg-info

## docs: regenerate the CLI reference from --help
docs: $(DEV_STAMP)
	$(BIN)/python -m truceline.cli.reference > docs/cli.md
