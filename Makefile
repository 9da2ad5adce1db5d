# Two commands set everything up on a fresh machine with Python 3.11+:
#   make demo   creates .venv, generates demo exports and runs the whole pipeline on them
#   make test   creates .venv, lints Python and SQL, runs every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint unit install clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/finops demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models dbt/tests --processes 2  # macros are linted where models use them

# Two workers (one per core of the reference machine): the shared demo run is built once for both
# (tests/conftest.py), each test file runs on one worker so its module fixtures are built once.
test: lint
	$(BIN)/pytest -q -n 2 --dist loadfile

unit: install
	$(BIN)/pytest -q tests/unit

clean:
	rm -rf .finops target logs
