# Two commands: `make run` (the whole app, nothing else needed) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

# The suite runs on every core (pytest-xdist, at most 4 processes); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint install

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 PY=$(PY) bin/run-all

test: $(VENV)/.installed
	$(PY) -m ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m bandit --quiet --recursive clinic patients scheduling intake exams notifications --severity-level high
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
