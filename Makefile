# The front door: `make run` starts the app with demo data, `make test` runs every test.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# Django 6.1 needs Python 3.12+; the machine's default python3 may be older.
PYTHON ?= $(shell for p in python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
# SITE_URL makes the links in PDFs and exports point at this server.
RUN_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/db.sqlite3 SECRET_KEY="$$(cat var/secret-key)" CREDENTIALS_KEY="$$(cat var/credentials-key)" SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: install install-dev browser run demo-code test bench lint clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3.13 or python3.12 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --silent
	@touch $@

var/secret-key:
	@mkdir -p var
	@$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

# The key that encrypts tracker tokens (a Fernet key: 32 random bytes, URL-safe base64).
var/credentials-key: | $(BIN)/python
	@mkdir -p var
	@$(BIN)/python -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())' > $@
	@chmod 600 $@

install: $(VENV)/.installed node_modules/.installed var/secret-key var/credentials-key

install-dev: install $(VENV)/.installed-dev

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input -v 0
	$(RUN_ENV) $(BIN)/python manage.py load_playbook
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	@echo
	@echo "  MLOps Maturity Assessment: http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password: demo): lead, member, viewer, consultant, other-lead, org-admin, head-of-data"
	@echo "  The consultant also needs a second-factor code: run 'make demo-code' for the current one."
	@echo "  PDF reports render on a background worker started alongside the web server."
	@echo
	@trap 'kill 0' EXIT; \
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-startup-delay --interval 0.5 & \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The demo consultant's authenticator code, for the second step of logging in as `consultant`.
demo-code: install
	@$(RUN_ENV) $(BIN)/python manage.py demo_code

# Browser tests drive Debian's Chromium (Playwright cannot download a browser here); the proxy tests run Caddy.
browser:
	@command -v chromium >/dev/null && command -v caddy >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver caddy >/dev/null; \
	  else echo "The tests need Chromium and Caddy: sudo apt-get install chromium chromium-driver caddy"; exit 1; fi; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-dev browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@DATABASE_URL="$$(scripts/test-database-url)" || exit 1; \
	export DATABASE_URL SECRET_KEY="$$(cat var/secret-key)"; \
	echo "Tests on $${DATABASE_URL%%\?*}"; \
	$(BIN)/pytest $(PYTEST_ARGS)

# Load and timing benchmark under gunicorn on PostgreSQL (127.0.0.1 only); writes var/bench/results.json.
# libharfbuzz-subset0 lets WeasyPrint subset fonts natively; without it the PDF timing measures a fallback.
bench: install-dev
	@command -v wrk >/dev/null && ldconfig -p | grep -q libharfbuzz-subset || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk libharfbuzz-subset0 >/dev/null; \
	  else echo "The benchmark needs wrk and libharfbuzz-subset0: sudo apt-get install wrk libharfbuzz-subset0"; exit 1; fi; }
	$(BIN)/python bench/run.py

clean:
	rm -rf var/db.sqlite3 var/staticfiles
