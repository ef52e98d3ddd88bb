# One command to run the app on SQLite with the demo programme, one to run every test.
#   make run    set up, migrate, seed the demo programme, serve on http://$(HOST):$(PORT)
#               (127.0.0.1:5000 unless HOST or PORT is given: `PORT=5101 make run`)
#   make outbox the e-mail worker beside it (same HOST/PORT, so the same links in mails)
#   make test   set up (Python packages, npm packages, Chromium), lint, run every test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails, calendar files and tickets point at the server `make run` starts, unless
# BASE_URL is given (a public name, a proxy in front).
BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: setup setup-test run outbox test lint translations assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

translations: $(VENV)/.installed
	bash scripts/compile-translations.sh

setup: $(VENV)/.installed translations

# Front-end packages (Designsystemet, Inter, axe-core) from the npm registry; the vendored
# copies in static/vendor are checked against them.
assets:
	bash scripts/vendor-assets.sh

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

setup-test: $(VENV)/.installed-test translations assets /usr/bin/chromium

run: setup
	BASE_URL='$(BASE_URL)' $(BIN)/flask --app usht_events db upgrade
	BASE_URL='$(BASE_URL)' $(BIN)/flask --app usht_events seed-demo
	BASE_URL='$(BASE_URL)' $(BIN)/flask --app usht_events run --host $(HOST) --port $(PORT)

# The e-mail worker for `make run`, in another terminal and with the same HOST/PORT: it
# writes the confirmations, so its BASE_URL must be the server's. OUTBOX_ARGS= runs one pass.
OUTBOX_ARGS ?= --loop
outbox: setup
	BASE_URL='$(BASE_URL)' $(BIN)/flask --app usht_events outbox send $(OUTBOX_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: setup-test lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
