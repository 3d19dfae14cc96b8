# Two commands: `make run` (the whole app, nothing else needed) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

# The suite runs on every core (pytest-xdist, at most 4 processes); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint install install-dev lock

# What runs (web, worker, beat) from requirements.txt; tests and checks add requirements-dev.txt. Both are
# locked with hashes: edit requirements*.in, then `make lock`.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet pip-tools
	$(LOCK) --output-file requirements.txt requirements.in
	$(LOCK) --output-file requirements-s3.txt requirements-s3.in
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

run: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 PY=$(PY) bin/run-all

test: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m bandit --quiet --recursive clinic patients scheduling intake exams notifications portal --severity-level high
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
