# Two commands: `make run` (set up everything and start the portal) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
VENDOR := static/vendor

.PHONY: run test setup deps dev-deps assets browser migrate demo-users lint format ci check worker beat bench clean messages

run: setup
	@$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py bootstrap_portal
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting a Celery worker and beat"; \
	  $(BIN)/celery -A canghzou_portal worker -l info --concurrency 2 & \
	  $(BIN)/celery -A canghzou_portal beat -l info & \
	fi; \
	echo "门户已启动： http://127.0.0.1:$(PORT)/  （管理后台 /admin/ ，工作台 /station/）"; \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

setup: deps assets

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

deps: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

dev-deps: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

# Bootstrap, ECharts, htmx and Leaflet from the npm registry (axe-core stays in node_modules: the browser tests inject it), copied into the project's static files.
# The source maps go with the files that name them: collectstatic's manifest storage refuses a
# `sourceMappingURL` to a missing file (issue 15, point 9).
assets: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json Makefile
	npm install --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/echarts $(VENDOR)/htmx $(VENDOR)/leaflet
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

# Debian's Chromium and CJK fonts for the browser tests (no browser downloads here).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	  else echo "Install Debian's chromium and fonts-wqy-zenhei (sudo apt-get install chromium fonts-wqy-zenhei)"; fi; \
	fi

test: dev-deps assets browser
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=canghzou_portal.settings.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ci:
	bash .ci/run

# The portal's own translations (locale/): the compiled .mo files are committed, so only someone who
# edits a .po needs gettext's msgfmt (Debian: gettext). Django's own locales under .venv are left alone.
messages:
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext"; exit 1; }
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore .venv --ignore node_modules

worker:
	$(BIN)/celery -A canghzou_portal worker -l info

beat:
	$(BIN)/celery -A canghzou_portal beat -l info

clean:
	rm -rf $(VENDOR) node_modules .pytest_cache staticfiles

# Backup and restore of the PostgreSQL database (docs/security.md, "Backup and recovery").
#   make backup  [BACKUP_DIR=./backups]               uses DATABASE_URL
#   make restore DUMP=backups/portal-….dump            uses TARGET_DATABASE_URL
.PHONY: backup restore
backup:
	@bash scripts/backup.sh "$${BACKUP_DIR:-./backups}"

restore:
	@test -n "$(DUMP)" || { echo "usage: make restore DUMP=<file> (TARGET_DATABASE_URL=…)"; exit 2; }
	@bash scripts/restore.sh "$(DUMP)"
