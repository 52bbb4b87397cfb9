# bbws.ecs_cluster -- two commands for a new user: `make demo` and `make test`.
# Each creates its own virtual environment on first use and installs what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
EMULATOR_DIR := $(BUILD)/emulator

# The repository root is the collection; collections/ holds a link that makes it importable as
# ansible_collections.bbws.ecs_cluster without installing it anywhere.
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/collections
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := true
export PATH := $(BIN):$(PATH)
# The machine may export a Terraform CLI config that does not exist; ours is empty on purpose.
export TF_CLI_CONFIG_FILE := $(CURDIR)/tools/terraformrc
export ANSIBLE_NOCOLOR := 1

# Areas add their checks here (mk/*.mk: TEST_TARGETS += ..., APT_PACKAGES += ...).
TEST_TARGETS := test-pytest test-lint test-sanity test-units test-molecule
APT_PACKAGES :=
-include mk/*.mk

.PHONY: help venv apt-deps demo test $(TEST_TARGETS) clean

help:
	@echo "make demo   run the main job on the built-in local AWS emulator (three accounts on 127.0.0.1)"
	@echo "make test   run every check: pytest, ansible-lint, ansible-test sanity/units, molecule, terraform checks"

$(BIN)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python tools/install_terraform_cli.py $(BIN)
	touch $@

venv: $(BIN)/.installed

# Debian packages the tests need (a real DNS server, a browser for the HTML report); root on this machine.
apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

demo: venv
	$(BIN)/python tools/demo.py

test: venv apt-deps
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory $(TEST_TARGETS); \
	echo "make test: all checks passed in $$(( $$(date +%s) - start ))s"

# Two pytest processes at once, the second in a copy of the project: the suite's runs write artifacts/ and
# Terraform state under the project folder (tools/pytest_shards.py). The first shard: the site, DR and AWX runs
# (about as long as all other tests together).
PYTEST_FIRST_SHARD := tests/integration/site tests/integration/dr tests/integration/awx
test-pytest: venv apt-deps
	$(BIN)/python tools/pytest_shards.py --first $(PYTEST_FIRST_SHARD) -- -q --durations=15 $(PYTEST_EXTRA)

test-lint: venv
	$(BIN)/ansible-lint --offline --profile production -q

test-sanity: venv
	$(BIN)/python tools/ansible_test.py sanity

test-units: venv
	$(BIN)/python tools/ansible_test.py units

# Molecule scenarios run against the emulator, started here and stopped by its PID whatever happens.
test-molecule: venv
	$(BIN)/python tools/emulator.py start --dir $(BUILD)/molecule-emulator >/dev/null
	set +e; source $(BUILD)/molecule-emulator/env.sh; \
	  (cd extensions && $(BIN)/molecule test --all); rc=$$?; \
	  $(BIN)/python tools/emulator.py stop --dir $(BUILD)/molecule-emulator; exit $$rc

clean:
	rm -rf $(BUILD) .pytest_cache
