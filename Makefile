# Küre: `make run` serves the demo encyclopedia, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KURE := $(BIN)/kure
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres install migrate demo lock clean bench security fuzz soak

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Küre needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The lock file pins every dependency; the package itself is installed editable on top of it.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(KURE) migrate --no-input

demo: migrate
	$(KURE) load_demo

run: demo
	$(KURE) serve --host $(HOST) --port $(PORT) --with-worker

# SQLite always; PostgreSQL as well when KURE_TEST_DATABASE_URL is set (.ci/run sets it).
# pytest exits 5 when it collected no tests: that is a failure of the suite, reported as such.
test: install
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	@KURE_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test-postgres: install
	@if [ -z "$$KURE_TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL tests skipped: KURE_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/kure) =="; \
	else \
	  echo "== tests on PostgreSQL ($$KURE_TEST_DATABASE_URL) =="; \
	  KURE_DATA_DIR=$(CURDIR)/var/test-pg DATABASE_URL=$$KURE_TEST_DATABASE_URL $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc; \
	fi

# The fuzz tests (tests/fuzz, and the segmenter's properties) with thousands of examples each; `make test` runs
# them with a few hundred.
fuzz: install
	@echo "== fuzzing (HYPOTHESIS_PROFILE=long) =="
	@KURE_DATA_DIR=$(CURDIR)/var/test HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/fuzz tests/translation/test_segments.py -q $(PYTEST_ARGS)

# XSS payloads of our own through every field (also part of `make test`), then, only here, the naughty-string and
# XSS lists read from ../shared/data/security (or KURE_SECURITY_DATA) through a representative subset of fields.
security: install
	@echo "== security: XSS payloads and naughty strings in headless Chromium (docs/security.md) =="
	@KURE_DATA_DIR=$(CURDIR)/var/test KURE_SECURITY_LISTS=1 $(BIN)/python -m pytest tests/security -rs $(PYTEST_ARGS); \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

# Benchmarks print what they measured beside a reference measured in the same run; never part of `make test`.
# bench.web needs wrk and nginx (Debian packages); they are installed here when apt can, as .ci/run does for chromium.
bench: install
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
	  (apt-get install -y -qq wrk nginx-light >/dev/null 2>&1 || \
	   (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null)) || \
	  echo "wrk and nginx could not be installed: bench.web will say so"
	$(BIN)/python -m bench.translation
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.web

# Five minutes of mixed load on a real `kure serve --with-worker` (bench/soak.py): fails on any 5xx or growing
# memory. SOAK_ARGS passes options, e.g. SOAK_ARGS="--seconds 60 --clients 4".
soak: install
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# Re-pin after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^kure' > requirements.lock

clean:
	rm -rf $(VENV) var/test var/test-pg test-artifacts
