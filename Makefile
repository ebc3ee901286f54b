# dangshi-corpus: `make` (or `make help`) lists the targets.
#
# Needs only Python 3.11 with pip and venv, and make. Everything else is installed into .venv
# from pyproject.toml, pinned by constraints.txt.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

# Python 3.11 under that name, else `python3` when it is 3.11.
# Override with `make venv PYTHON=/path/to/python3.11`.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell command -v python3.11 2>/dev/null || { python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && command -v python3; } || true)
endif

VENV := .venv
VENV_PY := $(VENV)/bin/python
# Touched after a successful install: pip runs again only when pyproject.toml or
# constraints.txt is newer than the last install.
STAMP := $(VENV)/.installed
PIP_INSTALL := $(VENV_PY) -m pip install --disable-pip-version-check --no-input

CORPUS ?= seeds
REPORT_ARGS ?=
LAB_ARGS ?=

BENCH_ARGS ?= --size-mb 100 --reports

.PHONY: help venv reports test lab bench lock clean distclean

help: ## list the targets (the default)
	@echo "usage: make TARGET   (Python used for .venv: $(or $(PYTHON),NOT FOUND - set PYTHON=...))"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "variables: CORPUS=$(CORPUS) and REPORT_ARGS='$(REPORT_ARGS)' for make reports"
	@echo "           (e.g. REPORT_ARGS='--notebook 01 -p random_state 7'), LAB_ARGS='$(LAB_ARGS)' for make lab,"
	@echo "           BENCH_ARGS='$(BENCH_ARGS)' for make bench (e.g. '--size-mb 5', '--stream-size-mb 1000')"

$(VENV_PY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Python 3.11 not found (neither python3.11 nor a python3 that is 3.11); run make PYTHON=/path/to/python3.11" >&2; \
	  exit 1; \
	fi
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV_PY) pyproject.toml constraints.txt
	$(PIP_INSTALL) -c constraints.txt -e '.[dev]'
	$(VENV_PY) -m corpus_tools.reports --install-kernel
	@touch $@

venv: $(STAMP) ## create .venv, install the project (pinned by constraints.txt) and register the Jupyter kernel
	@echo "$(VENV) is up to date ($$($(VENV_PY) --version))"

reports: venv ## run every notebooks/NN-*.ipynb on seeds/ (or CORPUS=...) into reports/<run-id>/ (reports/latest links the newest)
	$(VENV_PY) -m corpus_tools.reports --corpus $(CORPUS) $(REPORT_ARGS)

test: venv ## run the test suite
	$(VENV_PY) -m pytest

bench: venv ## measure speed and memory (segmentation vs jieba.lcut, 100 MB to a DTM, report command cold/warm); not part of the tests
	$(VENV_PY) benchmarks/segment_speed.py
	$(VENV_PY) benchmarks/pipeline_speed.py $(BENCH_ARGS)

lab: venv ## open JupyterLab on the project with the dangshi-corpus kernel
	DANGSHI_PROJECT_ROOT="$(CURDIR)" $(VENV)/bin/jupyter lab \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --MultiKernelManager.default_kernel_name=dangshi-corpus $(LAB_ARGS)

# A clean resolve: a throwaway venv installs pyproject.toml with no constraints, and its freeze
# becomes constraints.txt. Freezing .venv instead would also pin whatever was installed by hand.
lock: ## regenerate constraints.txt from a clean resolve of pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: Python 3.11 not found; set PYTHON=..." >&2; exit 1; fi
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --disable-pip-version-check --no-input -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .lock-venv
	@echo "constraints.txt regenerated; review with git diff, then make venv"

clean: ## remove caches and build leftovers (keeps .venv and reports/)
	find . \( -path ./.venv -o -path ./.git \) -prune -o \
	  -type d \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \) -prune \
	  -exec rm -rf {} +
	rm -rf .cache .lock-venv build dist *.egg-info

distclean: clean ## also remove .venv
	rm -rf $(VENV)
