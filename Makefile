# Dockside: `make run` starts the dashboard, `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

VENDOR := static/vendor

.PHONY: run test test-backends install install-test vendor lint format bench

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

# xterm.js and the terminal's font (DejaVu Mono, whose 400.css and 700.css name the .woff2
# and .woff files copied beside them) come from the npm registry at set-up time: never from
# a CDN, never committed.
DEJAVU := node_modules/@fontsource/dejavu-mono
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/xterm
	cp node_modules/@xterm/xterm/lib/xterm.js node_modules/@xterm/xterm/lib/xterm.js.map \
	   node_modules/@xterm/xterm/css/xterm.css node_modules/@xterm/addon-fit/lib/addon-fit.js \
	   node_modules/@xterm/addon-fit/lib/addon-fit.js.map $(VENDOR)/xterm/
	mkdir -p $(VENDOR)/dejavu-mono/files
	cp $(DEJAVU)/400.css $(DEJAVU)/700.css $(DEJAVU)/LICENSE $(VENDOR)/dejavu-mono/
	cp $(DEJAVU)/files/dejavu-mono-latin-400-normal.woff2 $(DEJAVU)/files/dejavu-mono-latin-400-normal.woff \
	   $(DEJAVU)/files/dejavu-mono-latin-700-normal.woff2 $(DEJAVU)/files/dejavu-mono-latin-700-normal.woff \
	   $(VENDOR)/dejavu-mono/files/
	touch $@

vendor: $(VENDOR)/.installed

run: install vendor
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_hint --url http://$(HOST):$(PORT)
	@echo "Dockside on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(VENV)/bin/daphne --bind $(HOST) --port $(PORT) dashboard.asgi:application

test: install-test vendor
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest
	$(MAKE) --no-print-directory test-backends

# The database and websocket tests again, on PostgreSQL and Redis (their servers named by
# DOCKSIDE_TEST_DATABASE_URL, whose user may create databases, and DOCKSIDE_TEST_REDIS_URL;
# .ci/run starts both). Each run gets its own test database and Redis prefix.
BACKEND_TESTS := tests/test_audit.py tests/test_audit_chain.py tests/test_sign_in.py \
	tests/test_ws_revocation.py tests/test_ws_access.py tests/test_events_ws.py \
	tests/test_operations.py
test-backends: install-test
	@if [ -z "$$DOCKSIDE_TEST_DATABASE_URL" ] || [ -z "$$DOCKSIDE_TEST_REDIS_URL" ]; then \
	  echo "test-backends: DOCKSIDE_TEST_DATABASE_URL or DOCKSIDE_TEST_REDIS_URL unset: skipped"; \
	else \
	  DATABASE_URL="$$DOCKSIDE_TEST_DATABASE_URL" REDIS_URL="$$DOCKSIDE_TEST_REDIS_URL" \
	  DOCKSIDE_TEST_DB_NAME="test_dockside_$$$$" DOCKSIDE_REDIS_PREFIX="dockside-test-$$$$" \
	  $(VENV)/bin/pytest $(BACKEND_TESTS); \
	fi

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-test vendor
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) benchmarks/list_pages.py
