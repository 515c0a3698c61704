# 物业整治案件管理 — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000

.PHONY: run test install lint migrate worker beat bench clean browser-deps bundle install-offline

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" 2>/dev/null || { echo "需要 Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data

## Sets up everything, loads the demo county the first time, prints the logins and serves.
run: migrate
	$(PY) manage.py seed_demo
	@echo "打开 http://127.0.0.1:$(PORT)/ （工作人员登录：/accounts/login/）"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite. Browser tests use Debian's Chromium: installed here when running as root.
## Tests run in parallel (pytest-xdist, a process per core, a test file per process); the tests that
## start a real Celery worker share one broker, so they run afterwards in a pass of their own.
TEST_WORKERS ?= auto
test: install browser-deps
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not celery_worker" $(PYTEST_ARGS)
	$(PY) -m pytest -m celery_worker $(PYTEST_ARGS)

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "安装 Debian chromium 用于浏览器测试…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
	      || echo "!!! 无法安装 chromium：浏览器测试将被跳过 !!!"; \
	  else \
	    echo "!!! 未找到 /usr/bin/chromium 且非 root：浏览器测试将被跳过 !!!"; \
	  fi; \
	fi

lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m ruff format --check .

worker: install
	$(VENV)/bin/celery -A config worker -l info -c 2

beat: install
	$(VENV)/bin/celery -A config beat -l info

## Benchmarks against PostgreSQL (not part of make test). Point DATABASE_URL at an empty database
## used only for this, e.g. DATABASE_URL=postgres://user:pw@127.0.0.1/wuye_bench make bench
## BENCH_SCALE=county|city|province (default city) sets the data set built on the first run.
bench: install
	@test -n "$$DATABASE_URL" || { echo "make bench 需要 DATABASE_URL=postgres://…（专用空数据库）"; exit 2; }
	$(PY) bench/run.py

## One archive for an intranet machine with no network: dist/wuye-<version>.tar.gz (deploy/README.md).
bundle:
	deploy/make_bundle.sh

## On the intranet machine, in the unpacked bundle: the virtualenv from the bundled wheels only.
install-offline:
	./install.sh --venv $(VENV)

clean:
	rm -rf $(VENV) db.sqlite3 media private_media staticfiles dist
