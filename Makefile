# Developer entry points.  Everything goes through scripts/setup.sh, which
# creates .venv, installs requirements.lock and makes sure PostgreSQL and
# RabbitMQ answer (installing/starting them locally when needed).
#
#   make run                      whole platform (gateway on http://127.0.0.1:8080)
#   make run REPLICAS=gateway=2,suggestion=2   N replicas of any process (ports: deploy/Procfile)
#   make test                     all tests (pytest.ini: testpaths = tests)
#   make test PYTEST_ARGS="tests/unit -x -k budget"   (a narrowed run skips the browser tests)
#   make test-browser             the browser tests alone (Playwright + Debian chromium)
#   make bench [BENCH_ARGS=...]
#   make api-types                regenerate web/src/api/schema.d.ts from the OpenAPI document
#   make clean                    drop the install stamp and __pycache__ dirs

PYTHON      := .venv/bin/python
PYTEST_ARGS ?=
BENCH_ARGS  ?=

.PHONY: all run test test-browser bench setup clean api-types

all: test

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

# Browser tests run in a pytest of their own, without eventlet (tests/conftest.py); a run
# narrowed by PYTEST_ARGS skips them (make test-browser runs them alone).
test:
	bash scripts/setup.sh && bash scripts/web-check.sh && $(PYTHON) -m pytest $(PYTEST_ARGS) \
		&& { [ -n "$(PYTEST_ARGS)" ] || $(MAKE) --no-print-directory test-browser; }

test-browser:
	RENDA_BROWSER_TESTS=1 $(PYTHON) -m pytest tests/browser

api-types:
	$(PYTHON) -m tools.export_openapi web/build/openapi.json && cd web && npm run --silent gen:api

bench:
	bash scripts/setup.sh && $(PYTHON) -m bench $(BENCH_ARGS)

clean:
	rm -f .venv/.requirements.lock.sha256 web/node_modules/.renda-build.sha256
	find . -path ./.venv -prune -o -path ./.git -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
