# coop: two commands on a fresh machine (Python 3.11, pip, make): `make run`, then `make test`.
# The environment is built from uv.lock, so every machine gets the same versions.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced ## Create .venv from the lock file (no other step needed)

run: install ## Full refresh on raw/: publish marts/ and reports/
	$(VENV)/bin/coop refresh

test: install ## The whole test suite
	PREFECT_HOME=$(CURDIR)/.prefect $(VENV)/bin/pytest

lint: install ## Lint Python (ruff) and SQL (sqlfluff)
	$(VENV)/bin/ruff check pipelines tests
	$(VENV)/bin/sqlfluff lint sql

lock: | $(UV) ## Re-resolve uv.lock after changing pyproject.toml
	$(UV) lock

clean: ## Remove the environment and every built output (raw/ is never touched)
	rm -rf $(VENV) $(TOOLS) .prefect marts/* marts/.build marts/.refresh.lock reports/*

.PHONY: help install run test lint lock clean
