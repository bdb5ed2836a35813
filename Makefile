# PeerLearn — the two commands are `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# A Python >= 3.12: the first candidate that really runs and is new enough. 3.12 is preferred (the
# pinned stack is verified on it). pyenv shims that exist but have no such version fail the probe,
# so pyenv's own installs are searched next (3.12.x first, then newer).
PYTHON ?= $(shell for c in python3.12 python3.13 python3.14 python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; exit 0; fi; done; \
	  if command -v pyenv >/dev/null 2>&1; then for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12\.[0-9]+$$' | sort -rV) \
	      $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[3-9]\.[0-9]+$$' | sort -V); do \
	    p="$$(pyenv prefix $$v 2>/dev/null)/bin/python3"; if [ -x "$$p" ]; then echo "$$p"; exit 0; fi; done; fi)

.PHONY: help
help:
	@echo "make run    - set up everything and start PeerLearn at http://$(HOST):$(PORT)/"
	@echo "make run-production - nginx + gunicorn + daphne + Celery on PostgreSQL/Redis (README)"
	@echo "make test   - install test dependencies, lint, type-check and run the whole suite"
	@echo "make js-test - the front-end unit tests (node --test static/src/js/tests)"
	@echo "make css    - rebuild static/dist/app.css with the Tailwind CLI (needs npm)"
	@echo "make bench  - run the HTTP benchmark (bench/http.py; README \"Benchmarks\" lists the others)"
	@echo "make bench-load - Locust load test of the production topology, 1 vs 2 web workers (minutes)"
	@echo "make bench-lighthouse - Lighthouse mobile scores for landing, catalogue, session detail"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then echo "PeerLearn needs Python >= 3.12 (none found on PATH or in pyenv)"; exit 1; fi
	@echo "Using $(PYTHON)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

.PHONY: install
install: $(VENV)/.installed

.PHONY: migrate
migrate: install
	$(PY) manage.py migrate --noinput

.PHONY: seed
seed: migrate
	$(PY) manage.py seed_demo

.PHONY: run
run: seed
	@bash scripts/run.sh "$(HOST)" "$(PORT)"

# The production topology on this machine (needs DATABASE_URL, REDIS_URL, SECRET_KEY and nginx;
# README "Production profile").
.PHONY: run-production
run-production: install
	@bash scripts/run_production.sh "$(PORT)"

.PHONY: system-deps
system-deps:
	@bash scripts/system_deps.sh

.PHONY: lint
lint: install
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	$(VENV)/bin/mypy apps peerlearn || status=1; \
	$(VENV)/bin/lint-imports || status=1; \
	exit $$status

# Front-end unit tests: node's built-in runner, no npm packages (timer, agenda, reconnect backoff,
# the room's Call state machine). The shell expands the glob, so any node >= 18 runs the same files.
.PHONY: js-test
js-test:
	node --test static/src/js/tests/*.test.js

# Lint and js-test failures do not stop the suite from running (CI shows everything that is wrong at once),
# but any failure makes `make test` exit non-zero.
.PHONY: test
test: install system-deps
	@status=0; t0=$$SECONDS; \
	echo "=== lint (ruff check, ruff format --check, mypy, lint-imports) ==="; \
	$(MAKE) --no-print-directory lint || { echo "!!! lint failed"; status=1; }; \
	echo "lint took $$((SECONDS - t0))s"; \
	echo "=== js-test (node --test) ==="; \
	$(MAKE) --no-print-directory js-test || { echo "!!! js-test failed"; status=1; }; \
	bash scripts/test.sh || status=1; \
	exit $$status

.PHONY: css
css:
	npm install --no-audit --no-fund
	npx @tailwindcss/cli -i static/src/css/app.css -o static/dist/app.css --minify
	node scripts/vendor.mjs

.PHONY: bench
bench: install
	$(PY) bench/http.py

# Heavier benches, not part of `make test`: the load test starts PostgreSQL/Redis (scripts/services.sh)
# and the production topology itself; Lighthouse drives the OS Chromium (both need system-deps).
.PHONY: bench-load
bench-load: install system-deps
	$(PY) bench/load.py

.PHONY: bench-lighthouse
bench-lighthouse: install system-deps
	@test -d node_modules/lighthouse || npm install --no-save --no-audit --no-fund --loglevel=error
	node bench/lighthouse.mjs
