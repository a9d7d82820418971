# gridgov — `make run` to try it, `make test` to test it. Needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Where the SQLite database, static files and uploads go (governance/settings.py reads the same variable).
VAR_DIR := $(or $(GRIDGOV_VAR_DIR),var)

.PHONY: run test lint install serve migrate seed messages bench clean

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

install: $(VENV)/.runtime

$(VAR_DIR):
	mkdir -p $@

migrate: install | $(VAR_DIR)
	$(PY) manage.py migrate --noinput -v0

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "gridgov: http://$(HOST)/"
	$(PY) manage.py runserver $(HOST)

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .

test: lint | $(VAR_DIR)
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var -v0
	$(PY) manage.py makemessages -d djangojs -l en --ignore=.venv --ignore=var -v0
	$(PY) manage.py compilemessages -l en --ignore=.venv -v0

clean:
	rm -rf $(VENV) var
