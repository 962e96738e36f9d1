# Two commands matter: `make demo` and `make test`. Each sets up .venv on first use.
# Everything a test needs (the oci CLI, a headless Chromium) is installed here, never by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LAB_STAMP := $(VENV)/.lab-stamp
PYTEST_ARGS ?=
# -qq: errors only (no pip notices, no build-backend chatter); --no-compile: Python compiles what it
# imports on first use, instead of pip byte-compiling thousands of SDK modules nobody imports.
PIP_INSTALL := $(PY) -m pip install -qq --no-compile --disable-pip-version-check

.PHONY: help setup browser demo test test-fast lab bench reliability clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing reportkit and its test extra into $(VENV) (about a minute, once)"
	@$(PIP_INSTALL) -e ".[test]"
	@touch $(STAMP)

# JupyterLab only for `make lab`, installed again only when pyproject.toml changes.
$(LAB_STAMP): $(STAMP)
	@echo "installing JupyterLab into $(VENV) (once)"
	@$(PIP_INSTALL) -e ".[test,lab]"
	@touch $(LAB_STAMP)

setup: $(STAMP)  ## create .venv and install reportkit with its test extra

# Debian's chromium for the browser test of the rendered HTML (apt needs root or sudo).
browser:  ## install headless Chromium if missing
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: setup  ## run the main job on the embedded demo tenancy (fake OCI on 127.0.0.1)
	@$(PY) -m reportkit demo

test: setup browser  ## run the test suite (under 3 minutes)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup  ## run every test not marked slow (under a minute)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lab: $(LAB_STAMP)  ## open JupyterLab in notebooks/ on copies of the packaged notebooks (demo snapshots collected once)
	@test -d data/snapshots || REPORTKIT_DATA=$(CURDIR)/data $(PY) -m reportkit demo --collect-only
	@for nb in reportkit/report/notebooks/*.ipynb; do \
	  test -e notebooks/$$(basename $$nb) || cp $$nb notebooks/; done  # never over a copy you edited
	cd notebooks && REPORTKIT_DATA=$(CURDIR)/data ../$(PY) -m jupyter lab start_here.ipynb \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: setup  ## run every benchmark, print the table, write docs/performance.md
	$(PY) -m bench

reliability: setup  ## run the fault-injection suite and print its table
	$(PY) -m tests.reliability

clean:  ## remove the venv and everything reportkit wrote under data/ (snapshots, assessments, plans, reports)
	rm -rf $(VENV) data/snapshots data/assessments data/plans data/reports .pytest_cache
