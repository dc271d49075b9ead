# Two entry points do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck pytest bench clean messages translations backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files re-run the install only when the pinned requirements change. The project
# itself is installed too (editable, so the checkout stays the code that runs): Flask finds
# the `bank` commands through its entry point without building the app (pyproject.toml).
# PYTHONWARNINGS silences setuptools' notice about editable installs; errors still show.
INSTALL_PROJECT = PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --no-deps --editable .

$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(INSTALL_PROJECT)
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(INSTALL_PROJECT)
	touch $@ $(VENV)/.runtime

instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@

# The development secret lives in instance/ (git-ignored), made once per checkout.
RUN_ENV = SECRET_KEY="$$(cat instance/secret_key)" BASE_URL="http://$(HOST):$(PORT)"

# The PDF handout is drawn by WeasyPrint, which needs Pango (and HarfBuzz's subsetter) from
# Debian, and the DejaVu fonts it prints with (fonts are local: nothing is fetched).
PANGO ?= /usr/lib/$(shell uname -m)-linux-gnu/libpangoft2-1.0.so.0
DEJAVU ?= /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
PDF_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

$(PANGO) $(DEJAVU):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES)

run: $(VENV)/.runtime $(PANGO) $(DEJAVU) instance/secret_key translations
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) demo --if-empty
	$(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

# Browser tests drive Debian's Chromium through Playwright (its own browser download
# does not work offline); install the package when it is missing.
CHROMIUM ?= /usr/bin/chromium

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The accessibility tests inject axe-core, pinned in package-lock.json and installed from
# npm here, never fetched while the tests run. npm keeps the tarball's old mtimes, hence touch.
AXE := node_modules/axe-core/axe.min.js
NPM ?= $(or $(shell command -v npm),/usr/bin/npm)

$(NPM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm

$(AXE): package.json package-lock.json | $(NPM)
	$(NPM) ci --no-audit --no-fund
	touch $@

# The deployment test runs the shipped nginx site (deploy/nginx/) in front of gunicorn, over
# TLS with a throwaway certificate made by the openssl tool; install both when nginx is missing.
NGINX ?= /usr/sbin/nginx

$(NGINX):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light openssl

# The PDF test renders page 1 to a PNG with poppler's pdftoppm.
PDFTOPPM ?= /usr/bin/pdftoppm

$(PDFTOPPM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils

pytest: $(VENV)/.dev $(CHROMIUM) $(AXE) $(NGINX) $(PANGO) $(DEJAVU) $(PDFTOPPM)
	$(BIN)/pytest -q

test: lint typecheck pytest

# Languages: `make messages` collects every user-facing string into translations/messages.pot
# and merges it into the existing catalogs (start one with `pybabel init`, see the README);
# `make translations` compiles them. English needs no catalog.
CATALOGS = $(wildcard translations/*/LC_MESSAGES/messages.po)

messages: $(VENV)/.runtime
	mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot .
	$(if $(CATALOGS),$(BIN)/pybabel update -i translations/messages.pot -d translations)

translations: $(VENV)/.runtime
	$(if $(CATALOGS),$(BIN)/pybabel compile -d translations,@echo "no catalogs in translations/")

# Backups of the database the settings name (DATABASE_URL, else instance/survey.sqlite3), taken
# while the app runs: `make backup` writes a dated file into BACKUP_DIR, `make restore
# FILE=…` puts one back (FORCE=1 to replace a database that holds data). In production, read
# the service's settings first: sh -c 'set -a; . /etc/alignment-survey/env; make backup'.
BACKUP_DIR ?= backups
# The development secret stands in when SECRET_KEY is not set (see `make run`).
WITH_SECRET = SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key 2>/dev/null)}"

backup: $(VENV)/.runtime
	mkdir -p -m 700 $(BACKUP_DIR)
	$(WITH_SECRET) $(FLASK) backup $(BACKUP_DIR)

restore: $(VENV)/.runtime
	$(if $(FILE),,$(error usage: make restore FILE=$(BACKUP_DIR)/survey-<time>.sqlite3 [FORCE=1]))
	$(WITH_SECRET) $(FLASK) restore $(if $(FORCE),--force) "$(FILE)"

# Figures, not tests: each prints what it measured beside its target (see README,
# Performance). BENCH_ARGS passes options to all, e.g. BENCH_ARGS="--database-url URL".
bench: $(VENV)/.dev $(PANGO) $(DEJAVU)
	$(BIN)/python -m bench.report $(BENCH_ARGS)
	$(BIN)/python -m bench.portfolio $(BENCH_ARGS)
	$(BIN)/python -m bench.imports $(BENCH_ARGS)
	$(BIN)/python -m bench.submissions $(BENCH_ARGS)
	$(BIN)/python -m bench.releases $(BENCH_ARGS)
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.pdf

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
