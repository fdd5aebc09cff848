# Two commands do all set-up on a fresh machine with python3 and make:
#   make build   -> .venv, install, build every briefing into dist/ and dist/print/, and the
#                   web edition into dist/site/
#   make test    -> .venv with test extras, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test check lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

build: $(VENV)/.installed
	$(BIN)/briefgen build --profile all --format all
	$(BIN)/briefgen preflight --brand default dist/print/*.pdf

check: $(VENV)/.installed
	$(BIN)/briefgen check

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)

# everything a build makes: dist/ (but its .gitkeep; with the web edition in dist/site/) and
# the venv; never briefings/, styles/, the mail ledgers in .briefgen/mail/ or published
# editions
clean:
	rm -rf $(VENV)
	find dist -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
