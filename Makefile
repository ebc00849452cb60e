# StarStats developer entry points. `make up` runs StarStats locally with no external
# service; `make test` runs the whole suite exactly as CI does.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
UV := $(shell bash scripts/ensure-uv.sh)
ifeq ($(UV),)
$(error uv is missing and could not be installed; see the message above)
endif
# Trust the system's certificate store (TLS-inspecting proxies and private mirrors put their
# CA there); uv's built-in roots would refuse them.
export UV_SYSTEM_CERTS ?= 1
DATA := .starstats
DEMO_LOG := $(DATA)/demo/Game.log
HOST ?= 127.0.0.1
PORT ?= 8080
WEB_PORT ?= 3000

.PHONY: up test sync lint typecheck contracts pytest client-only bench-parser bench-journey bench-ingest bench-client bench-web bench-stats bench-audit bench-authz load bench reliability clean

sync:
	$(UV) sync --all-packages --locked

# The embedded default, end to end: the API server on SQLite with an auto-generated signing
# key, a demo account, a paired client tailing a growing synthesized Game.log and syncing it.
# The web app on $(WEB_PORT) reads the API; log in with the printed demo account.
# Everything lives under $(DATA); Ctrl-C stops it all (scripts/demo.py).
up: sync
	$(UV) run python scripts/demo.py --host $(HOST) --port $(PORT) --web-port $(WEB_PORT) --data $(DATA)

# bandit is the second static security scan (ruff's S rules are the first); medium and high
# findings fail, each low one is justified in docs/security.md.
lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run bandit -q -ll -r packages/core/src packages/telemetry/src packages/client/src packages/server/src packages/web/src

typecheck: sync
	$(UV) run mypy packages/core/src packages/telemetry/src packages/client/src packages/server/src packages/web/src

contracts: sync
	$(UV) run lint-imports

# The server half of the suite runs on SQLite and on a throwaway PostgreSQL it starts itself.
pytest: sync
	@if [ "$${STARSTATS_TEST_SKIP_POSTGRES:-}" != 1 ]; then bash scripts/ensure-postgres.sh; fi
	bash scripts/ensure-test-tools.sh
	bash scripts/ensure-spicedb.sh >/dev/null
	bash scripts/ensure-axe.sh >/dev/null
	$(UV) run pytest -q $(PYTEST_ARGS)

# Proves the desktop client installs and passes its tests with no server library present.
client-only:
	UV_PROJECT_ENVIRONMENT=.venv-client $(UV) sync --package starstats-client --group test --locked
	STARSTATS_CLIENT_ONLY=1 .venv-client/bin/python -m pytest -q -p no:cacheprovider packages/client/tests

# The client's tests run once, in client-only (its own environment, no server library, which
# is what players install); the workspace run skips them instead of running them a second time.
# It lists its 30 slowest tests: CI has 30 minutes, and the list says where they go.
test: lint typecheck contracts client-only
	$(MAKE) pytest PYTEST_ARGS="--ignore=packages/client/tests --durations=30"

bench-parser: sync
	$(UV) run python scripts/bench_parser.py

# The journey fold in core: events/s against a plain loop over the same events (docs/benchmarks.md).
bench-journey: sync
	$(UV) run python scripts/bench_journey.py

# Ingest throughput over real HTTP on a throwaway PostgreSQL (see docs/benchmarks.md).
bench-ingest: sync
	$(UV) run python scripts/bench_ingest.py

# Backfill speed, tail latency and idle cost of the desktop client (see docs/benchmarks.md).
bench-client: sync
	$(UV) run python scripts/bench_client.py

# What the audit chain and its S3 mirror cost ingest, and verify speed over 1,000,000 rows.
bench-audit: sync
	$(UV) run python scripts/bench_audit.py

# The journey dashboard and a session page for a player with 1,000,000 events, against each API
# read they make (issue 15; see docs/benchmarks.md).
bench-web: sync
	$(UV) run python scripts/bench_web.py

# Each API read of the dashboard for a player with 1,000,000 events on PostgreSQL.
bench-stats: sync
	$(UV) run python scripts/bench_stats.py

# A cross-user summary read with its SpiceDB check (the real engine over gRPC) vs a player's own.
bench-authz: sync
	$(UV) run python scripts/bench_authz.py

# Many simulated clients and dashboard readers at once; where latency degrades (docs/benchmarks.md).
load: sync
	$(UV) run python scripts/load.py

# Real processes broken on purpose (client kill -9, API restarts, PostgreSQL and S3 outages, a
# full client disk, skewed clocks), every event counted on the server: scripts/reliability.py.
# RELIABILITY_ARGS="--quick" or "--scenario NAME" for less.
reliability: sync
	bash scripts/ensure-postgres.sh
	$(UV) run python scripts/reliability.py $(RELIABILITY_ARGS)

# Every benchmark above (load included) one after another, each report saved to
# $(DATA)/bench/, then the generated section at the top of docs/benchmarks.md rewritten with
# the machine, each headline figure, its baseline and ratio (scripts/bench_all.py).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--only parser,web" or BENCH_ARGS=--quick.
bench: sync
	$(UV) run python scripts/bench_all.py $(BENCH_ARGS)

clean:
	rm -rf .venv .venv-client $(DATA) .pytest_cache .mypy_cache .ruff_cache
