# `make run` and `make test` work on a fresh machine: they create the virtualenv and install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run scale test lint format schema install install-dev clean audit screenshot secret-key \
	image-check bench-install load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-tracing.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# newman runs the Postman collection in the tests (tests/web/test_newman.py).
scripts/newman/node_modules/.installed: scripts/newman/package-lock.json
	cd scripts/newman && npm ci --silent --no-audit --no-fund
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The browser tests (tests/web/test_browser.py) drive Debian's Chromium (Playwright's own browser
# download does not work everywhere) and run axe-core, from npm, in its pages.
CHROMIUM := /usr/bin/chromium
AXE := tests/web/node_modules/axe-core/axe.min.js

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests (needs root)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# tests/web/test_compose.py reads docker-compose.yml with Compose v1.29, Debian's docker-compose.
COMPOSE_V1 := /usr/bin/docker-compose

$(COMPOSE_V1):
	@echo "Installing Debian's docker-compose for the compose file's test (needs root)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends docker-compose

$(AXE): tests/web/package.json tests/web/package-lock.json
	cd tests/web && npm ci --silent --no-audit --no-fund
	touch $@

# The image built and run for real (scripts/image_check.py, which CI runs after the tests). It
# needs root: Docker's engine and debootstrap come from Debian's packages when missing.
DOCKERD := /usr/sbin/dockerd
DEBOOTSTRAP := /usr/sbin/debootstrap

$(DOCKERD) $(DEBOOTSTRAP):
	@echo "Installing Debian's docker.io and debootstrap for the image check (needs root)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends docker.io debootstrap

image-check: install-dev $(DOCKERD) $(DEBOOTSTRAP)
	$(BIN)/python scripts/image_check.py

# The load test (bench/load.py) drives Locust from a virtualenv of its own: Locust brings
# gevent, whose monkey-patching must not reach Stride's processes. nginx (Debian's) balances the
# web processes it starts. LOAD_ARGS, e.g. "--processes 2 --steps 20,40,80".
BENCH_VENV := .venv-bench
NGINX := /usr/sbin/nginx

$(BENCH_VENV)/.installed: requirements-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r requirements-bench.txt
	touch $@

$(NGINX):
	@echo "Installing Debian's nginx for make scale, its test and the load test (needs root)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends nginx

bench-install: $(BENCH_VENV)/.installed $(NGINX)

load: install bench-install
	$(BIN)/python bench/load.py $(LOAD_ARGS)

run: install
	$(BIN)/python scripts/run.py

# Several web processes behind nginx and several Celery workers (scripts/scale.py), e.g.
# `make scale WEB=4 WORKERS=2`; nginx on HOST:PORT (127.0.0.1:8000), the web processes on the
# loopback ports after it. The tests run nginx too (tests/web/test_several_processes.py).
WEB ?= 2
WORKERS ?= 1

scale: install $(NGINX)
	$(BIN)/python scripts/scale.py --web $(WEB) --workers $(WORKERS)

# A random SECRET_KEY in .env (once), which `make run` also does; docker compose needs it.
secret-key: install
	$(BIN)/python scripts/run.py --secret-key

test: install-dev scripts/newman/node_modules/.installed $(CHROMIUM) $(AXE) $(COMPOSE_V1) \
		$(NGINX)
	@$(BIN)/python scripts/check_services.py --require
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rewrite the committed SDL after a deliberate schema change (a test fails when they differ).
schema: install
	DEBUG=1 $(BIN)/python manage.py export_schema schema --path graphql-queries/schema.graphql

# GraphQL-over-HTTP conformance of a running server (`make run` first): graphql-http's audit.
URL ?= http://127.0.0.1:8000/graphql/
audit:
	cd scripts/graphql_http_audit && npm ci --silent --no-audit --no-fund && node audit.mjs $(URL)

# The README's picture of the home page, taken by the browser test that shows notifications live.
screenshot: install-dev $(CHROMIUM) $(AXE)
	STRIDE_SCREENSHOT=docs/home.png $(BIN)/pytest tests/web/test_browser.py -q -k notifications_arrive

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache tests/web/node_modules
