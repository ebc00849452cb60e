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

.PHONY: up test sync lint typecheck contracts pytest client-only bench-parser bench clean

sync:
	$(UV) sync --all-packages --locked

# For now StarStats is the parser and its CLI: make a demo Game.log and summarise it.
up: sync
	$(UV) run starstats-client synth --out $(DEMO_LOG) --lines 20000 --sessions 2
	$(UV) run starstats-client parse $(DEMO_LOG) --top 5
	@echo "Parsed $(DEMO_LOG). Try: $(UV) run starstats-client parse --format jsonl $(DEMO_LOG) | head"

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: sync
	$(UV) run mypy packages/core/src packages/client/src

contracts: sync
	$(UV) run lint-imports

pytest: sync
	$(UV) run pytest -q

# Proves the desktop client installs and passes its tests with no server library present.
client-only:
	UV_PROJECT_ENVIRONMENT=.venv-client $(UV) sync --package starstats-client --group test --locked
	STARSTATS_CLIENT_ONLY=1 .venv-client/bin/python -m pytest -q -p no:cacheprovider packages/client/tests

test: lint typecheck contracts client-only pytest

bench-parser: sync
	$(UV) run python scripts/bench_parser.py

bench: bench-parser

clean:
	rm -rf .venv .venv-client $(DATA) .pytest_cache .mypy_cache .ruff_cache
