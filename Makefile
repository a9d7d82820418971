# gridgov — `make run` to try it, `make test` to test it. Needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Where the SQLite database, static files and uploads go (governance/settings.py reads the same variable).
VAR_DIR := $(or $(GRIDGOV_VAR_DIR),var)
# make run's background worker: kombu's filesystem transport in this folder (no Redis needed).
CELERY_DIR := $(abspath $(VAR_DIR))/celery
# make serve: gunicorn workers, two per core and one more (gunicorn's rule of thumb).
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))

.PHONY: run test lint install serve migrate seed messages bench storm clean

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

# The web server and, beside it, a real Celery worker with beat (supervision, reminders, purging,
# the report cycles on schedule), started and stopped together: Ctrl-C stops both.
run: seed
	@mkdir -p $(CELERY_DIR)/queue $(CELERY_DIR)/processed $(CELERY_DIR)/control
	@echo "gridgov: http://$(HOST)/  (background worker and beat log: $(CELERY_DIR)/worker.log)"
	@export GRIDGOV_CELERY_DIR=$(CELERY_DIR); \
	$(PY) -m celery -A governance worker --beat --pool=solo --loglevel=INFO --without-gossip --without-mingle \
	  --schedule $(CELERY_DIR)/beat-schedule --logfile $(CELERY_DIR)/worker.log & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# The production web server on this machine (gunicorn, static files with hashed names served by
# WhiteNoise with a year's cache). Production also runs `celery -A governance worker` and one
# `celery -A governance beat` on Redis: see README "Production".
serve: migrate
	GRIDGOV_STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput -v0
	GRIDGOV_STATIC_MANIFEST=1 $(VENV)/bin/gunicorn governance.wsgi --workers $(WORKERS) --bind $(HOST) \
	  --access-logfile - --graceful-timeout 30 --timeout 120

# A busy morning and three faults on loopback (bench/storm.py, about 10 minutes; not run by CI): its own
# PostgreSQL, Redis, gunicorn, worker and beat, started and stopped by it. STORM_ARGS="--phases worker".
storm: install
	$(PY) bench/storm.py $(STORM_ARGS)

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
