# Two commands set everything up on a fresh machine with Python 3.11+:
#   make demo   creates .venv, generates demo exports and runs the whole pipeline on them
#   make test   creates .venv, lints Python and SQL, checks the installed package, runs every test
# and a fast lane for the edit-test loop:
#   make test-fast  the unit tests and the dbt unit tests, no pipeline run (under 2 minutes)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint install install-check clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	# uv (pinned in requirements.lock) installs the locked set in seconds where pip took minutes
	$(BIN)/python -m pip install --quiet -c requirements.lock uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c requirements.lock -e '.[dev]'
	touch $@

# uv installs no bytecode, and where PYTHONDONTWRITEBYTECODE is set none is ever written: every
# process (finops, each dbt command) then compiled Dagster, dbt and GX from source, about 4 s of
# CPU each. Compiled once here (pip compiles at install; uv only after installing something).
$(BIN)/.compiled: $(BIN)/.installed
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null
	touch $@

install: $(BIN)/.installed $(BIN)/.compiled

demo: install
	$(BIN)/finops demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models dbt/tests --processes 2  # macros are linted where models use them

# Two workers (one per core of the reference machine): the shared demo run is built once for both
# (tests/conftest.py), each test file runs on one worker so its module fixtures are built once,
# in the order tests/conftest.py sets (xdist would otherwise sort files by their number of tests).
# The install check runs beside them (it waits on pip and disk much of its time); its output is
# shown when it ends.
test: lint
	@log=$$(mktemp); PYTHON=$(PYTHON) UV=$(BIN)/uv .ci/install-check > $$log 2>&1 & check=$$!; \
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder; tests=$$?; \
	wait $$check; installed=$$?; cat $$log; rm -f $$log; \
	test $$tests -eq 0 -a $$installed -eq 0

# Every test outside tests/unit is marked slow (tests/conftest.py).
test-fast: install
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder -m "not slow"

# The built wheel, installed without extras into a clean venv, generates, runs and closes a month.
install-check: install
	PYTHON=$(PYTHON) UV=$(BIN)/uv .ci/install-check

clean:
	rm -rf .finops target logs
