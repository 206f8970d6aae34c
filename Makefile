# Dockside: `make run` starts the dashboard, `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint format bench

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-deps

install: $(VENV)/.run-deps

install-test: $(VENV)/.test-deps

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_hint --url http://$(HOST):$(PORT)
	@echo "Dockside on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(VENV)/bin/daphne --bind $(HOST) --port $(PORT) dashboard.asgi:application

test: install-test
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-test
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) benchmarks/list_pages.py
