# OpenNRM — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export OPENNRM_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres bench fuzz lint install messages demo clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/opennrm compiletranslations

run: install
	OPENNRM_MODE=demo $(BIN)/opennrm migrate --noinput
	OPENNRM_MODE=demo $(BIN)/opennrm demo --if-empty
	@OPENNRM_MODE=demo $(BIN)/opennrm demo --print-logins
	OPENNRM_MODE=demo $(BIN)/opennrm runserver 127.0.0.1:8000

# Tests run on SQLite unless DATABASE_URL points at PostgreSQL (.ci/run does both).
test: install
	OPENNRM_MODE=test $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	OPENNRM_MODE=test $(BIN)/mypy
	OPENNRM_MODE=test $(BIN)/opennrm makemigrations --check --dry-run

# The API against its own OpenAPI schema, as the Centre case manager and an NGO case worker.
fuzz: install
	BIN=$(BIN) bash scripts/fuzz.sh

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/group_intake.py $(BENCH_ARGS)

messages: install
	$(BIN)/opennrm makemessages -l sr -l en --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(BIN)/opennrm makemessages -d djangojs -l sr -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --no-obsolete || true
	$(BIN)/opennrm latinize-translations
	$(BIN)/opennrm compiletranslations

clean:
	rm -rf $(VENV) var .pytest_cache
