# tongban — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Where `make demo` and `make serve` listen: `make demo PORT=8080`, `make demo HOST=0.0.0.0`.
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo logins, written by `make demo` and printed again once the server is up.
DEMO_LOGINS ?= $(or $(TONGBAN_VAR_DIR),var)/demo-logins.txt
# The footer marks a government site must show (网站标识码, ICP备案号, 公安机关备案号, 党政机关
# 网站标识): the demo shows invented all-zero values so that their place is seen; a city
# sets its real ones (docs/administration.md, "Footer marks").
DEMO_MARKS := TONGBAN_SITE_CODE=$${TONGBAN_SITE_CODE:-0000000000} \
  TONGBAN_ICP_RECORD=$${TONGBAN_ICP_RECORD:-粤ICP备00000000号} \
  TONGBAN_PSB_RECORD=$${TONGBAN_PSB_RECORD:-粤公网安备00000000000000号} \
  TONGBAN_PARTY_GOV_MARK=$${TONGBAN_PARTY_GOV_MARK:-1}
PG_URL ?= postgresql://postgres@127.0.0.1:5432/tongban
PYTEST_WORKERS ?= 2
# Test time is a budget: every run names its 20 slowest tests.
PYTEST_ARGS ?= --durations=20

.DEFAULT_GOAL := help
.PHONY: help venv setup demo serve worker test test-pg test-fast lint fmt messages bench fuzz clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[1mmake %-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install tongban with its development tools

setup: venv ## Everything but serving: venv, migrations, static files, the demo city
	$(BIN)/tongban migrate --noinput
	$(BIN)/tongban collectstatic --noinput --verbosity 0
	$(BIN)/tongban load_demo

# Texts and e-mails link to the page they are about: the demo's address unless one is set.
setup demo: export TONGBAN_SITE_URL ?= http://$(HOST):$(PORT)

demo: setup ## Set up and serve the demo city (web + worker + scheduler) on HOST:PORT (127.0.0.1:8000); logins in var/demo-logins.txt
	@$(BIN)/tongban demo_logins --host $(HOST) --port $(PORT) --save $(DEMO_LOGINS)
	$(DEMO_MARKS) $(BIN)/tongban serve --host $(HOST) --port $(PORT) --banner $(DEMO_LOGINS)

serve: venv ## Serve without reloading the demo data (HOST, PORT as for make demo)
	$(BIN)/tongban serve --host $(HOST) --port $(PORT)

test: venv ## Run the whole suite on SQLite (browser tests included)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

test-pg: venv ## Run the whole suite on PostgreSQL ($$PG_URL)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

lint: venv ## ruff, mypy, the type-ignore budget, layering, declared dependencies, migrations
	$(BIN)/ruff check tongban tests bench tools conftest.py
	$(BIN)/ruff format --check tongban tests bench tools conftest.py
	$(BIN)/mypy tongban tools
	$(BIN)/python tools/type_ignores.py
	$(BIN)/lint-imports
	$(BIN)/deptry .
	$(BIN)/tongban makemigrations --check --dry-run

fmt: venv ## Format the code
	$(BIN)/ruff check --fix tongban tests bench tools
	$(BIN)/ruff format tongban tests bench tools

messages: venv ## Extract and compile translations per app (needs GNU gettext)
	cd tongban && for app in $$(ls -d */ | tr -d / | grep -vx 'templates\|locale\|static\|config'); do \
	  [ -d $$app/locale ] || continue; \
	  (cd $$app && ../../$(BIN)/tongban makemessages -l zh_Hans -l en --no-obsolete -v0); done
	cd tongban && args=(); for d in */; do d=$${d%/}; [ "$$d" = templates ] || [ "$$d" = locale ] \
	  || args+=(-i "$$d/*" -i "$$d"); done; \
	  ../$(BIN)/tongban makemessages -l zh_Hans -l en --no-obsolete -v0 -i '*.py' "$${args[@]}"
	cd tongban && ../$(BIN)/tongban compilemessages -v0
	@echo "Fill every empty msgstr in tongban/*/locale/zh_Hans and tongban/locale/zh_Hans, then run make messages again."

fuzz: venv ## Fuzz the API harder than make test (TONGBAN_FUZZ_EXAMPLES, default 1000)
	TONGBAN_FUZZ_EXAMPLES=$${TONGBAN_FUZZ_EXAMPLES:-1000} $(BIN)/pytest -p no:cacheprovider tests/test_api_fuzz.py

bench: venv ## Run the benchmarks in bench/ (not part of make test)
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## Remove the venv, the database and generated files
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

.PHONY: test-deep
test-deep: venv ## Deep checks: the exchange share decision against its oracle, 10^5 cases
	$(BIN)/python bench/exchange_decision.py --cases 100000
