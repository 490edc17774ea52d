# coop: two commands on a fresh machine (Python 3.11, pip, make): `make run`, then `make test`.
# The environment is built from uv.lock, so every machine gets the same versions.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
# The browser tests drive Debian's Chromium (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
export UV_PYTHON_DOWNLOADS := never
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (as on these machines) Python would
# otherwise recompile Prefect, GX and pandas on every start, about 11 s of each refresh.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced ## Create .venv from the lock file (no other step needed)

run: install ## Full refresh on raw/: publish marts/ and reports/
	$(VENV)/bin/coop refresh

test: install browser java ## The whole test suite
	PREFECT_HOME=$(CURDIR)/.prefect $(VENV)/bin/pytest

# Installs Debian's chromium with apt-get when it is missing (as root, or with sudo that needs no
# password). When that is impossible it says so and carries on: the browser tests then skip,
# unless COOP_REQUIRE_BROWSER=1 (as in CI), when they fail.
browser: ## Install Chromium for the browser tests if it is missing
	@if [ -x "$(CHROMIUM)" ] || command -v chromium >/dev/null 2>&1; then \
		exit 0; \
	fi; \
	skip="the browser tests (tests/test_browser.py) will skip"; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "Chromium is missing and cannot be installed without root: $$skip." \
		"Install it with: sudo apt-get install chromium"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "Chromium is missing and there is no apt-get: $$skip." \
			"Install Chromium so that \`chromium\` is on PATH."; exit 0; fi; \
	echo "Installing Chromium (apt-get install chromium) for the browser tests"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get install -y --no-install-recommends chromium \
		|| { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends chromium; } \
		|| echo "Chromium could not be installed: $$skip."

# The event layer's parity tests run a local Spark Connect server, which needs Java 17. Installs
# Debian's openjdk-17-jre-headless with apt-get when `java` is missing (as root, or with sudo
# that needs no password); otherwise says so and carries on: the parity tests then skip, unless
# COOP_REQUIRE_SPARK=1 (as in CI), when they fail. `make run` never needs Java.
java: ## Install Java 17 for the Spark parity tests if it is missing
	@if command -v java >/dev/null 2>&1; then exit 0; fi; \
	skip="the Spark parity tests (tests/test_events_parity.py) will skip"; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "Java is missing and cannot be installed without root: $$skip." \
		"Install it with: sudo apt-get install openjdk-17-jre-headless"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "Java is missing and there is no apt-get: $$skip. Install a Java 17 runtime."; \
		exit 0; fi; \
	echo "Installing Java (apt-get install openjdk-17-jre-headless) for the Spark parity tests"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless \
		|| { $$sudo apt-get update && \
		     $$sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless; } \
		|| echo "Java could not be installed: $$skip."

lint: install ## Lint Python (ruff) and SQL (sqlfluff)
	$(VENV)/bin/ruff check pipelines tests
	$(VENV)/bin/sqlfluff lint sql

lock: | $(UV) ## Re-resolve uv.lock after changing pyproject.toml
	$(UV) lock

clean: ## Remove the environment and every built output (raw/ is never touched)
	rm -rf $(VENV) $(TOOLS) .prefect marts/* marts/.build marts/.refresh.lock reports/* lake

.PHONY: help install run test browser java lint lock clean
