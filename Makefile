# Two commands on a fresh machine: `make demo` and `make test`. Both are idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The Python that makes the virtual environment: the version .python-version names (pyenv's
# shim or a system python3.13), else plain python3. Checked below: 3.12 or newer.
BASE_PYTHON ?= $(shell for p in python$(PYTHON_VERSION) python3; do \
	$$p -c 'import sys' >/dev/null 2>&1 && command -v $$p && break; done)
# The demo fixtures, loaded together by `manage.py load_demo` once they exist.
DEMO_LOADER := $(wildcard cases/management/commands/load_demo.py)
# The site refuses to start without a secret key. Unless DJANGO_SECRET_KEY is set, every
# command here uses a random one made once for this checkout, kept out of git.
LOCAL_SECRET_KEY := .local-secret-key
export DJANGO_SECRET_KEY_FILE ?= $(CURDIR)/$(LOCAL_SECRET_KEY)

.PHONY: help check-python system-packages setup demo serve test lint messages clean

help:
	@echo "make demo   set up .venv, migrate, load the real fixtures, serve on http://127.0.0.1:$(PORT)"
	@echo "            as visitors see it (DJANGO_DEBUG=1 make demo: development mode)"
	@echo "make test   the same set-up, then the whole test suite"
	@echo "make serve  production: migrate, collectstatic, gunicorn (deploy/gunicorn.conf.py)"
	@echo "make lint   ruff check and format check"

check-python:
	@test -n "$(BASE_PYTHON)" || { echo "No Python found. Install Python $(PYTHON_VERSION) (e.g. 'pyenv install $(PYTHON_VERSION)' or 'uv python install $(PYTHON_VERSION)')."; exit 1; }
	@$(BASE_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "servtrade needs Python 3.12 or newer, but $(BASE_PYTHON) is $$($(BASE_PYTHON) --version 2>&1)."; \
		echo "Install Python $(PYTHON_VERSION) (e.g. 'pyenv install $(PYTHON_VERSION)' or 'uv python install $(PYTHON_VERSION)') and run make again."; \
		exit 1; }

# Reinstalled only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | check-python
	@test -x $(PY) && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { rm -rf $(VENV); $(BASE_PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# Chromium, CJK fonts and gettext for the browser and translation tests (apt-get as root, or
# the one command to run); the same script .ci/run uses.
system-packages:
	@scripts/system-packages

$(LOCAL_SECRET_KEY): | check-python
	@umask 077 && $(BASE_PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

setup: check-python system-packages $(VENV)/.installed | $(LOCAL_SECRET_KEY)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
ifneq ($(DEMO_LOADER),)
	$(PY) manage.py load_demo
endif

# The site as visitors see it (debug off, friendly 404 and 500 pages), over plain HTTP on this
# machine. DJANGO_DEBUG=1 make demo: development mode (debug pages, static files as edited).
demo: setup
	@echo "servtrade is serving on http://127.0.0.1:$(PORT) (admin: http://127.0.0.1:$(PORT)/admin/)"
	DJANGO_HTTPS=$${DJANGO_HTTPS:-0} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production: the settings come from the environment (docs/deploy.md); no demo data is loaded.
serve: check-python $(VENV)/.installed | $(LOCAL_SECRET_KEY)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) exec $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py servtrade.wsgi

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Regenerates the translation catalogues; commit both .po and .mo.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=bench --ignore=test-artifacts
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles $(LOCAL_SECRET_KEY)
