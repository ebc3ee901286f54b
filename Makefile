# dangshi-corpus: `make` (or `make help`) lists the targets.
#
# Needs only Python 3.11, 3.12 or 3.13 with pip and venv, and make. Everything else is installed
# into .venv from pyproject.toml, pinned by constraints.txt.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

# The first supported Python (3.11, 3.12 or 3.13) that scripts/find-python finds on PATH or in
# pyenv. Override with `make venv PYTHON=/path/to/python3.13`.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell sh scripts/find-python)
endif

VENV ?= .venv
VENV_PY := $(VENV)/bin/python
# Touched after a successful install: pip runs again only when pyproject.toml or
# constraints.txt is newer than the last install.
STAMP := $(VENV)/.installed
PIP_INSTALL := $(VENV_PY) -m pip install --disable-pip-version-check --no-input --quiet

CORPUS ?= seeds
REPORT_ARGS ?=
LAB_ARGS ?=
PYTEST_ARGS ?=
# Where `make lab` keeps your working copies of the notebooks (outside git: see .gitignore).
LAB_DIR ?= my-notebooks

BENCH_ARGS ?= --size-mb 100 --reports
SCALE_ARGS ?=

.PHONY: help venv reports test test-fast docs gallery lab lab-copy bench bench-report-scale lock clean distclean

help: ## list the targets (the default)
	@echo "usage: make TARGET   (Python used for .venv: $(or $(PYTHON),NOT FOUND - set PYTHON=...))"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "variables: CORPUS=$(CORPUS) and REPORT_ARGS='$(REPORT_ARGS)' for make reports"
	@echo "           (e.g. REPORT_ARGS='--notebook 01 -p random_state 7'), LAB_ARGS='$(LAB_ARGS)' for make lab,"
	@echo "           BENCH_ARGS='$(BENCH_ARGS)' for make bench (e.g. '--size-mb 5', '--stream-size-mb 1000')"
	@echo "           SCALE_ARGS='$(SCALE_ARGS)' for make bench-report-scale (e.g. '--sizes 5 --timeout 3600 --keep')"

NO_PYTHON_HELP := no Python 3.11, 3.12 or 3.13 found (tried python3.11, python3.12, python3.13, python3 and pyenv). \
Install one (e.g. `sudo apt-get install python3.11-venv`, `pyenv install 3.13`, or python.org), \
then run make again, or point make at it: make PYTHON=/path/to/python3.13

# A venv made by an unsupported or missing Python (say a failed attempt with 3.10, or a Python that
# was since removed) is replaced, not reused: pip would fail in it the same way every time.
$(VENV_PY):
	@if [ -z "$(PYTHON)" ]; then echo "error: $(NO_PYTHON_HELP)" >&2; exit 1; fi
	@if [ -d $(VENV) ]; then echo "$(VENV) has no working Python; making it again"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV_PY) pyproject.toml constraints.txt
	@# PYTHON given on the command line and different from the venv's: the user asked for that one.
	@if [ "$(origin PYTHON)" = "command line" ] && [ "$$($(VENV_PY) -c 'import sys; print(sys.version_info[:2])' 2>&1)" != "$$($(PYTHON) -c 'import sys; print(sys.version_info[:2])' 2>&1)" ]; then \
	  echo "$(VENV) has $$($(VENV_PY) --version 2>&1), PYTHON is $$($(PYTHON) --version 2>&1): making $(VENV) again"; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi
	@if ! $(VENV_PY) -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; then \
	  if [ -z "$(PYTHON)" ]; then echo "error: $(VENV) has an unsupported Python and $(NO_PYTHON_HELP)" >&2; exit 1; fi; \
	  echo "$(VENV) was made with an unsupported Python ($$($(VENV_PY) --version 2>&1)); making it again with $(PYTHON)"; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi
	@echo "installing dangshi-corpus and its pinned dependencies into $(VENV) with $$($(VENV_PY) --version)"
	@echo "(first time: about 5-10 minutes and 1.2 GB; later runs only when pyproject.toml or constraints.txt change)"
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -c constraints.txt -e '.[dev]'
	$(VENV_PY) -m corpus_tools.reports --install-kernel
	@touch $@

venv: $(STAMP) ## create .venv, install the project (pinned by constraints.txt) and register the Jupyter kernel
	@echo "$(VENV) is up to date ($$($(VENV_PY) --version))"

reports: venv ## run every notebooks/NN-*.ipynb on seeds/ (or CORPUS=...) into reports/<run-id>/ (reports/latest links the newest; nothing runs if nothing changed, REPORT_ARGS=--force)
	$(VENV_PY) -m corpus_tools.reports --corpus $(CORPUS) $(REPORT_ARGS)

test: venv ## run the test suite (about 5-10 minutes on 2 cores; PYTEST_ARGS='-k keyness -x' to narrow it)
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

test-fast: venv ## run the tests that neither execute notebooks nor fit models (about 2-4 minutes)
	$(VENV_PY) -m pytest -m "not slow" $(PYTEST_ARGS)

DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): $(STAMP)
	$(PIP_INSTALL) -c constraints.txt -e '.[dev,docs]'
	@touch $@

docs: $(DOCS_STAMP) ## build the API reference (warnings are errors) and the gallery into docs/_build/html
	rm -rf docs/_build docs/generated
	$(VENV_PY) -m sphinx -b html -q -W --keep-going docs docs/_build/html
	@echo "API reference: docs/_build/html/index.html"
	@$(MAKE) --no-print-directory gallery

gallery: venv ## one example report per notebook, run on seeds/, into docs/_build/html/gallery (make docs does this too)
	rm -rf docs/_build/gallery-runs docs/_build/html/gallery
	$(VENV_PY) -m corpus_tools.reports --corpus seeds --reports-dir docs/_build/gallery-runs
	mkdir -p docs/_build/html
	cp -RL docs/_build/gallery-runs/latest docs/_build/html/gallery
	rm -rf docs/_build/gallery-runs
	@echo "gallery: docs/_build/html/gallery/index.html"

bench: venv ## measure speed and memory (segmentation vs jieba.lcut, 100 MB to a DTM, report command cold/warm); not part of the tests
	$(VENV_PY) benchmarks/segment_speed.py
	$(VENV_PY) benchmarks/pipeline_speed.py $(BENCH_ARGS)

bench-report-scale: venv ## time every report notebook on generated 5, 20 and 100 MB corpora, cold cache, vs jieba.lcut (hours); not a test
	$(VENV_PY) benchmarks/report_scale.py $(SCALE_ARGS)

lab-copy: ## copy notebooks/ to my-notebooks/ (or LAB_DIR=...) where missing; make lab does this first
	@# Your edits and outputs stay in $(LAB_DIR)/, so the notebooks in git stay clean and a report
	@# run never records a dirty tree. Copies are made once: later runs keep your edited versions
	@# (delete a copy to get the current one from notebooks/ again).
	@mkdir -p "$(LAB_DIR)"
	@for nb in notebooks/*.ipynb; do \
	  if [ ! -e "$(LAB_DIR)/$$(basename $$nb)" ]; then cp "$$nb" "$(LAB_DIR)/"; echo "copied $$nb to $(LAB_DIR)/"; fi; \
	done

lab: venv lab-copy ## open JupyterLab on your working copies of the notebooks (my-notebooks/, outside git)
	DANGSHI_PROJECT_ROOT="$(CURDIR)" $(VENV)/bin/jupyter lab \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url="/lab/tree/$(LAB_DIR)" \
	  --MultiKernelManager.default_kernel_name=dangshi-corpus $(LAB_ARGS)

# A clean resolve: a throwaway venv installs pyproject.toml with no constraints, and its freeze
# becomes constraints.txt. Freezing .venv instead would also pin whatever was installed by hand.
lock: ## regenerate constraints.txt from a clean resolve of pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: $(NO_PYTHON_HELP)" >&2; exit 1; fi
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
