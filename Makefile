# The two commands of the README: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test install gates pytest browser lock clean-data schema

run: install
	$(BIN)/python scripts/run.py

# The whole suite and every quality gate; starts embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset.
test: install browser
	$(BIN)/python scripts/services.py exec -- $(MAKE) --no-print-directory gates pytest

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(INSTALLED)

# Debian's Chromium for the browser tests (Playwright drives it through its executable path), and
# Debian's PgBouncer for the several-machines tests (tests/hosts/test_two_hosts.py).
browser:
	@bash scripts/ensure-browser.sh
	@bash scripts/ensure-pgbouncer.sh

# Static checks load the settings, which need a SECRET_KEY; they never serve anything with it.
gates: export SECRET_KEY ?= insecure-key-for-static-checks-only-never-served-0123456789abcdef
gates:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file $(VENV)/openapi.yaml

pytest:
	$(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider

schema: install
	$(BIN)/python manage.py spectacular --validate --file openapi.yaml

# Re-pin every dependency after changing pyproject.toml.
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

# The typed Python client (clients/python/) generated from the OpenAPI schema (clients/generate.py).
# Run it after every API change: tests/integrations/test_python_client.py fails on a stale client.
.PHONY: client
client: install
	$(BIN)/python clients/generate.py

# The webhook event catalogue's example payloads (integrations/event_examples.json), captured from
# the journal events the listed tests write (merged into the file: types not seen keep theirs),
# and its page docs/webhook-events.md (the README's
# "Event types" section is the same text). Needs DATABASE_URL / REDIS_URL like the tests.
.PHONY: events-doc
events-doc: install
	PYTHONPATH=$(CURDIR) EVENT_EXAMPLES_OUT=integrations/event_examples.json \
	$(BIN)/pytest -p no:cacheprovider -n 0 -q -p tests.integrations.capture_events \
		tests/integrations/test_event_types.py tests/catalog tests/billing tests/payments \
		tests/portal tests/invoicing tests/notifications tests/integrations tests/backoffice
	$(BIN)/python -m integrations.event_types > docs/webhook-events.md
